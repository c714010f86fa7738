//! The comment section: loads the thread, owns the form's state, stores the draft and (with
//! consent) the reader's details, and sends posts.

use std::rc::Rc;
use std::time::Duration;

use yew::prelude::*;

use super::form::{comment_form, FormContext};
use super::model::{Action, Model};
use super::thread::{comment_element_id, Thread};
use crate::components::texts::use_texts;
use crate::domain::article::CommentsApi;
use crate::domain::comment::Comment;
use crate::domain::draft::{draft_storage_key, Draft, Identity, ReplyTarget, IDENTITY_STORAGE_KEY};
use crate::domain::errors::ListError;
use crate::domain::form::FormState;
use crate::domain::paging;
use crate::domain::thread::{build_thread, in_order, ThreadEntry, ThreadOrder, MAX_DEPTH};
use crate::domain::wire::CommentList;
use crate::host_contract::WidgetEvent;
use crate::i18n::Texts;
use crate::shell::http::{list_comments, post_comment, Abort};
use crate::shell::{dom, storage};

#[derive(Properties, PartialEq, Clone)]
pub struct CommentsProps {
    pub article_id: AttrValue,
    /// The comments endpoint; `None` when comments are closed.
    pub url: Option<AttrValue>,
    /// The API it speaks.
    #[prop_or_default]
    pub api: CommentsApi,
    /// The article on the publisher's own site (where a reader can comment when the site
    /// takes comments from signed-in readers only).
    #[prop_or_default]
    pub site: Option<AttrValue>,
    pub timeout: Duration,
    /// The thread's first page as the page already has it (prerendered): shown at once, then
    /// refreshed quietly (a failed refresh keeps it).
    #[prop_or_default]
    pub thread: Option<Rc<CommentList>>,
    /// The form to start from (see `ArticleWidgetProps::form`); else the stored draft.
    #[prop_or_default]
    pub form: Option<Rc<FormState>>,
    /// The section hydrates the server's markup (see `ArticleWidgetProps::hydrating`).
    #[prop_or_default]
    pub hydrating: bool,
    /// The publisher's order: which threads come first, and so which page loads first.
    #[prop_or_default]
    pub order: ThreadOrder,
    #[prop_or_default]
    pub on_event: Callback<WidgetEvent>,
}

/// The section: open (`OpenComments`), or a note that comments are closed. A function, not a
/// component (see `header::article_header`).
pub fn comments_section(props: CommentsProps, texts: &Texts) -> Html {
    match &props.url {
        Some(_) => html! { <OpenComments ..props /> },
        None => html! {
            <section class="aw-comments aw-comments--closed">
                <p>{texts.comments_closed}</p>
            </section>
        },
    }
}

#[derive(Clone, PartialEq)]
enum ListState {
    Loading,
    /// Shared, so that comparing and keeping it costs nothing per keystroke.
    Loaded(Rc<Loaded>),
    Failed(ListError),
}

/// The pages loaded so far.
#[derive(PartialEq)]
struct Loaded {
    comments: Vec<Comment>,
    /// How many comments the thread has in all (a paging server says), else those loaded.
    total: usize,
    /// The next page's absolute address; `None` on the last page, or when the server sent
    /// the whole thread at once.
    next: Option<String>,
}

impl Loaded {
    /// A list answer for the page at `address` (against which `next` is resolved).
    fn from_answer(list: CommentList, address: &str) -> Loaded {
        Loaded {
            total: list.total.unwrap_or(list.comments.len()),
            next: list
                .next
                .and_then(|next| dom::absolute_url(&next, Some(address))),
            comments: list.comments,
        }
    }

    /// This with the next page added.
    fn and(&self, page: Loaded) -> Loaded {
        let mut comments = self.comments.clone();
        paging::merge(&mut comments, page.comments);
        Loaded {
            total: page.total.max(comments.len()),
            next: page.next,
            comments,
        }
    }
}

/// Which page to load: the first, in `order` (`attempt` counts Retries), or with `next`, the
/// one after those loaded.
#[derive(Clone, PartialEq)]
struct Wanted {
    order: ThreadOrder,
    attempt: u32,
    next: Option<String>,
}

/// The threads shown: their entries, how many threads that is, and how many more are loaded.
struct Window {
    entries: Rc<Vec<Rc<ThreadEntry>>>,
    threads: usize,
    hidden: usize,
}

impl PartialEq for Window {
    /// The same window when it holds the same entries (a new one is built only on change).
    fn eq(&self, other: &Window) -> bool {
        Rc::ptr_eq(&self.entries, &other.entries)
    }
}

/// "Show more comments": waiting for the next page, or why it did not come.
#[derive(Clone, PartialEq)]
enum More {
    Idle,
    Loading,
    Failed(ListError),
}

#[component]
fn OpenComments(props: &CommentsProps) -> Html {
    let texts = use_texts();
    let url = props.url.clone().unwrap_or_default();
    // The page to load, and the order shown.
    let wanted = use_state_eq(|| Wanted {
        order: props.order,
        attempt: 0,
        next: None,
    });
    let loaded_from = use_mut_ref(String::new);
    let order = use_state_eq(|| props.order);
    let list = use_state(|| match &props.thread {
        Some(thread) => ListState::Loaded(Rc::new(Loaded::from_answer(
            thread.as_ref().clone(),
            &paging::first_page(&url, props.order),
        ))),
        None => ListState::Loading,
    });
    let more = use_state_eq(|| More::Idle);
    let shown_threads = use_state_eq(|| paging::PER_PAGE);
    // A comment the page's address links to (`#comment-<id>`), until it is shown.
    let seeking = use_mut_ref(|| {
        dom::location_hash()
            .as_deref()
            .and_then(paging::linked_comment)
            .map(str::to_owned)
    });
    let section_ref = use_node_ref();
    // The first load only refreshes a thread the page gave.
    let quiet = use_mut_ref(|| props.thread.is_some());
    let start = || match &props.form {
        Some(form) => Model::with_form(form.as_ref().clone(), dom::now_ms()),
        None => restore_model(&props.article_id),
    };
    // Hydrating, the first render must be the server's, which knows nothing of this browser:
    // an empty form (as `restore_model` gives natively). The reader's own start (draft,
    // details, what they typed before the widget took over) waits here, and is applied right
    // after; until then the storage effects below leave storage alone.
    let pending = use_mut_ref(|| props.hydrating.then(start));
    let model = use_reducer_eq(|| {
        if props.hydrating {
            Model::new(None, None, None, dom::new_idempotency_key(), dom::now_ms())
        } else {
            start()
        }
    });
    let summary_ref = use_node_ref();
    let comment_ref = use_node_ref();

    // Load a page: the first (again on Retry, and in the other order when the reader switches
    // it while pages are still to come), or the next one, added to those loaded.
    {
        let list = list.clone();
        let more = more.clone();
        let shown_threads = shown_threads.clone();
        let timeout = props.timeout;
        let quiet = quiet.clone();
        let loaded_from = loaded_from.clone();
        let api = props.api;
        use_effect_with((url.clone(), (*wanted).clone()), move |(url, wanted)| {
            // A next page only of the comments URL whose pages are loaded.
            let append = wanted
                .next
                .clone()
                .filter(|_| *loaded_from.borrow() == url.as_str());
            *loaded_from.borrow_mut() = url.to_string();
            let quiet = std::mem::take(&mut *quiet.borrow_mut());
            let address = match &append {
                Some(next) => next.clone(),
                None => paging::first_page(url, wanted.order),
            };
            let before = (*list).clone();
            if append.is_some() {
                more.set(More::Loading);
            } else if !quiet {
                list.set(ListState::Loading);
                more.set(More::Idle);
                shown_threads.set(paging::PER_PAGE);
            }
            let abort = Abort::new();
            let signal = abort.signal();
            let url = url.clone();
            yew::platform::spawn_local(async move {
                let result = list_comments(api, &url, &address, timeout, signal.as_ref()).await;
                if signal.as_ref().is_some_and(|s| s.aborted()) {
                    return;
                }
                match (result, before) {
                    (Ok(answer), ListState::Loaded(loaded)) if append.is_some() => {
                        let page = Loaded::from_answer(answer, &address);
                        list.set(ListState::Loaded(Rc::new(loaded.and(page))));
                        shown_threads.set(*shown_threads + paging::PER_PAGE);
                        more.set(More::Idle);
                    }
                    (Err(error), _) if append.is_some() => more.set(More::Failed(error)),
                    (Ok(answer), _) => list.set(ListState::Loaded(Rc::new(Loaded::from_answer(
                        answer, &address,
                    )))),
                    (Err(_), _) if quiet => {}
                    (Err(error), _) => list.set(ListState::Failed(error)),
                }
            });
            move || abort.abort()
        });
    }

    // Keep the draft as it changes; forget it once it is empty (after a post).
    {
        let dispatcher = model.dispatcher();
        let pending = pending.clone();
        use_effect_with(
            (props.article_id.clone(), model.form.draft()),
            move |(id, draft)| {
                if pending.borrow().is_some() {
                    return;
                }
                let key = draft_storage_key(id);
                let result = if draft.is_empty() {
                    storage::remove(&key)
                } else {
                    storage::write(&key, &draft.to_json())
                };
                dispatcher.dispatch(Action::Storage(result.err()));
            },
        );
    }

    // The reader's details: stored only while they consent, removed the moment they do not.
    {
        let remember = model.form.remember();
        let pending = pending.clone();
        use_effect_with(
            (remember, model.form.identity()),
            move |(remember, identity)| {
                if pending.borrow().is_some() {
                    return;
                }
                let _ = if *remember {
                    storage::write(IDENTITY_STORAGE_KEY, &identity.to_json())
                } else {
                    storage::remove(IDENTITY_STORAGE_KEY)
                };
            },
        );
    }

    // The reader's start, once the server's markup is adopted (declared after the storage
    // effects, which run first and so still see it pending).
    {
        let dispatcher = model.dispatcher();
        let pending = pending.clone();
        use_effect_with((), move |_| {
            if let Some(start) = pending.borrow_mut().take() {
                dispatcher.dispatch(Action::Start(Box::new(start)));
            }
        });
    }

    // Send what Submit queued, once per submit.
    {
        let dispatcher = model.dispatcher();
        let outgoing = model.outgoing.clone();
        let rendered_at = model.rendered_at;
        let timeout = props.timeout;
        let url = url.clone();
        let on_event = props.on_event.clone();
        let api = props.api;
        use_effect_with(model.send_token, move |_| {
            let abort = Abort::new();
            let signal = abort.signal();
            if let Some(outgoing) = outgoing {
                yew::platform::spawn_local(async move {
                    let result =
                        post_comment(api, &url, &outgoing, rendered_at, timeout, signal.as_ref())
                            .await;
                    let next_key = dom::new_idempotency_key();
                    if signal.as_ref().is_some_and(|s| s.aborted()) {
                        // Unmounted: the draft and its key stay stored, so a later retry
                        // cannot post twice.
                        return;
                    }
                    match result {
                        Ok(comment) => {
                            on_event.emit(WidgetEvent::CommentPosted {
                                id: comment.id.clone(),
                                status: comment.status,
                            });
                            dispatcher.dispatch(Action::Posted(comment, next_key));
                        }
                        Err(error) => dispatcher.dispatch(Action::Failed(error, next_key)),
                    }
                });
            }
            move || abort.abort()
        });
    }

    // Focus moves: to the error summary after a failed submit, to the comment field on reply.
    {
        let summary_ref = summary_ref.clone();
        use_effect_with(model.form.summary_focus(), move |token| {
            if *token > 0 {
                dom::focus(&summary_ref);
            }
        });
    }
    {
        let comment_ref = comment_ref.clone();
        use_effect_with(model.focus_comment, move |token| {
            if *token > 0 {
                dom::focus(&comment_ref);
            }
        });
    }

    let on_action = {
        let dispatcher = model.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };
    let retry_list = {
        let wanted = wanted.clone();
        Callback::from(move |_: MouseEvent| {
            wanted.set(Wanted {
                attempt: wanted.attempt + 1,
                next: None,
                ..(*wanted).clone()
            })
        })
    };

    let ids = Ids::new(&props.article_id);
    let form = |depth: usize| {
        comment_form(
            &FormContext {
                model: model.clone(),
                on_action: on_action.clone(),
                summary_ref: summary_ref.clone(),
                comment_ref: comment_ref.clone(),
                id_prefix: ids.prefix.clone(),
                action: url.clone(),
                depth,
                site: props.site.clone(),
                notify: props.api == CommentsApi::Service,
            },
            texts,
        )
    };

    // The loaded comments and this reader's new ones, as one thread: built again only when
    // either changes, never because the reader typed.
    let loaded = match &*list {
        ListState::Loaded(loaded) => Some(loaded.clone()),
        _ => None,
    };
    let thread: Rc<Vec<Rc<ThreadEntry>>> = use_memo(
        (loaded.clone(), model.posted.clone(), *order),
        |(loaded, posted, order)| {
            let mut comments: Vec<Comment> = loaded
                .as_ref()
                .map(|l| l.comments.clone())
                .unwrap_or_default();
            paging::merge(&mut comments, posted.clone());
            in_order(build_thread(&comments), *order)
                .into_iter()
                .map(Rc::new)
                .collect()
        },
    );
    // Shown: the first pages' threads, each whole, and how many threads are shown and
    // loaded but not shown: counted when the thread or the window changes, not per keystroke.
    let window = use_memo((thread.clone(), *shown_threads), |(thread, shown)| {
        let end = paging::first_threads_len(thread, *shown);
        let threads = paging::thread_count(&thread[..end]);
        Window {
            entries: Rc::new(thread[..end].to_vec()),
            threads,
            hidden: paging::thread_count(&thread[end..]),
        }
    });
    let shown = window.entries.clone();
    let next = loaded.as_ref().and_then(|l| l.next.clone());
    let hidden_threads = window.hidden;

    // "Show more comments": the next threads already loaded (a server that sent the whole
    // thread), else the server's next page.
    let show_more = {
        let wanted = wanted.clone();
        let more = more.clone();
        let shown_threads = shown_threads.clone();
        let next = next.clone();
        Rc::new(move || {
            if hidden_threads > 0 {
                shown_threads.set(*shown_threads + paging::PER_PAGE);
            } else if next.is_some() && *more != More::Loading {
                wanted.set(Wanted {
                    attempt: wanted.attempt + 1,
                    next: next.clone(),
                    ..(*wanted).clone()
                });
            }
        })
    };

    // A linked comment (`#comment-<id>`): shown at once if it is; else the pages up to it are
    // shown or loaded, one after the other, until it is (or there is no page left).
    {
        let seeking = seeking.clone();
        let section_ref = section_ref.clone();
        let shown_threads = shown_threads.clone();
        let show_more = show_more.clone();
        let prefix = format!("aw-{}", props.article_id);
        let waiting = matches!(*list, ListState::Loading) || *more == More::Loading;
        use_effect_with(
            (thread.clone(), *shown_threads, next.clone(), waiting),
            move |(thread, shown, next, waiting)| {
                let Some(id) = seeking.borrow().clone() else {
                    return;
                };
                if *waiting {
                    return;
                }
                match paging::place(thread, *shown, &id) {
                    paging::Place::Shown => {
                        *seeking.borrow_mut() = None;
                        dom::reveal(&section_ref, &comment_element_id(&prefix, &id), true);
                    }
                    paging::Place::Hidden { threads } => shown_threads.set(threads),
                    paging::Place::NotLoaded if next.is_some() => show_more(),
                    paging::Place::NotLoaded => *seeking.borrow_mut() = None,
                }
            },
        );
    }

    // A comment the reader just posted is shown, even past the pages shown so far.
    {
        let shown_threads = shown_threads.clone();
        let newest = model.posted.last().map(|c| c.id.clone());
        use_effect_with((thread.clone(), newest), move |(thread, newest)| {
            if let Some(id) = newest {
                if let paging::Place::Hidden { threads } = paging::place(thread, *shown_threads, id)
                {
                    shown_threads.set(threads);
                }
            }
        });
    }

    // After "Show more", focus stays on the button; when the last threads came and the button
    // is gone, it goes to the first of them, so the reader's place is kept.
    let refocus = use_mut_ref(|| None::<usize>);
    {
        let refocus = refocus.clone();
        let section_ref = section_ref.clone();
        let prefix = format!("aw-{}", props.article_id);
        let button_gone = hidden_threads == 0 && next.is_none();
        use_effect_with(
            (window.clone(), button_gone),
            move |(window, button_gone)| {
                let shown = &window.entries;
                let Some(before) = *refocus.borrow() else {
                    return;
                };
                if window.threads <= before {
                    return;
                }
                *refocus.borrow_mut() = None;
                let first_new = shown.iter().filter(|e| e.depth == 1).nth(before);
                // Only when focus was on the button, now gone (not when the reader is typing).
                if let (true, Some(entry)) = (*button_gone && dom::focus_is_lost(), first_new) {
                    dom::reveal(
                        &section_ref,
                        &comment_element_id(&prefix, &entry.comment.id),
                        false,
                    );
                }
            },
        );
    }

    // One callback for every comment's Reply, the same from render to render.
    let on_reply = {
        let dispatcher = model.dispatcher();
        use_callback((), move |target: ReplyTarget, _| {
            dispatcher.dispatch(Action::Reply(Some(target)))
        })
    };
    let reply_target = model.form.reply_to().map(|target| target.id.clone());
    let form_in_thread = reply_target
        .as_ref()
        .is_some_and(|id| shown.iter().any(|e| &e.comment.id == id));

    let heading = match &*list {
        ListState::Loaded(loaded) => {
            let mine = model
                .posted
                .iter()
                .filter(|c| !loaded.comments.iter().any(|l| l.id == c.id))
                .count();
            match loaded.total + mine {
                0 => texts.no_comments.to_owned(),
                n => texts.responses(n),
            }
        }
        _ => texts.comments.to_owned(),
    };
    let switch_order = {
        let order = order.clone();
        let wanted = wanted.clone();
        let complete = next.is_none();
        move |choice: ThreadOrder| {
            order.set(choice);
            // Pages still to come are fetched anew in the other order, from its first page.
            if !complete {
                wanted.set(Wanted {
                    order: choice,
                    next: None,
                    attempt: wanted.attempt,
                });
            }
        }
    };

    html! {
        <section class="aw-comments" aria-labelledby={ids.heading.clone()} ref={section_ref}>
            <h2 id={ids.heading.clone()} class="aw-comments-heading">{heading}</h2>
            {
                match &*list {
                    ListState::Loading => html! {
                        <p class="aw-comments-status" role="status">{texts.loading_comments}</p>
                    },
                    ListState::Failed(error) => html! {
                        <div class="aw-comments-status aw-error-inline" role="alert">
                            <p>{texts.list_error(error)}</p>
                            <button type="button" class="aw-button aw-button--secondary" onclick={retry_list}>{texts.retry}</button>
                        </div>
                    },
                    ListState::Loaded(_) => Html::default(),
                }
            }
            if thread.len() > 1 {
                <div class="aw-thread-order" role="group" aria-label={texts.order_label}>
                    { for [(ThreadOrder::OldestFirst, texts.oldest_first), (ThreadOrder::NewestFirst, texts.newest_first)]
                        .into_iter()
                        .map(|(choice, label)| {
                            let pressed = *order == choice;
                            let switch_order = switch_order.clone();
                            html! {
                                <button type="button" class="aw-button aw-button--secondary"
                                    aria-pressed={if pressed { "true" } else { "false" }}
                                    onclick={Callback::from(move |_: MouseEvent| switch_order(choice))}>
                                    {label}
                                </button>
                            }
                        }) }
                </div>
            }
            if !shown.is_empty() {
                <Thread
                    entries={shown.clone()}
                    id_prefix={ids.prefix.clone()}
                    on_reply={on_reply.clone()}
                    reply_form={reply_target.clone().filter(|_| form_in_thread).map(|id| {
                        let depth = shown
                            .iter()
                            .find(|e| e.comment.id == id)
                            .map_or(1, |e| e.depth);
                        (AttrValue::from(id), form((depth + 1).min(MAX_DEPTH)))
                    })}
                />
            }
            if hidden_threads > 0 || next.is_some() {
                <div class="aw-more" aria-live="polite">
                    if let More::Failed(error) = &*more {
                        <p class="aw-error-inline" role="alert">{texts.list_error(error)}</p>
                    }
                    <button type="button" class="aw-button aw-button--secondary"
                        aria-busy={if *more == More::Loading { "true" } else { "false" }}
                        onclick={
                            let refocus = refocus.clone();
                            let threads = window.threads;
                            Callback::from(move |_: MouseEvent| {
                                *refocus.borrow_mut() = Some(threads);
                                show_more()
                            })
                        }>
                        { if *more == More::Loading { texts.loading_comments } else { texts.show_more_comments } }
                    </button>
                </div>
            }
            if !form_in_thread {
                { form(0) }
            }
        </section>
    }
}

/// The model as the reader left it: the article's draft and, with consent, their details.
fn restore_model(article_id: &str) -> Model {
    let draft = storage::read(&draft_storage_key(article_id));
    let storage_problem = draft.as_ref().err().copied();
    let draft = draft
        .ok()
        .flatten()
        .and_then(|text| Draft::from_json(&text));
    let identity = storage::read(IDENTITY_STORAGE_KEY)
        .ok()
        .flatten()
        .and_then(|text| Identity::from_json(&text));
    Model::new(
        draft,
        identity,
        storage_problem,
        dom::new_idempotency_key(),
        dom::now_ms(),
    )
}

struct Ids {
    prefix: AttrValue,
    heading: AttrValue,
}

impl Ids {
    fn new(article_id: &str) -> Ids {
        Ids {
            prefix: format!("aw-{article_id}").into(),
            heading: format!("aw-{article_id}-comments").into(),
        }
    }
}
