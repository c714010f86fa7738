//! The comment section's view: the heading, the list's status, the order switch, the thread,
//! "Show more" and the form, from the two reducers' state (`model.rs`, `listing.rs`); what
//! it does (loading pages, storing the draft and the reader's details, sending, focus) is in
//! `hooks.rs`.

use std::rc::Rc;

use yew::prelude::*;

use super::form::{comment_form, FormContext};
use super::hooks::{
    use_apply_held_start, use_comment_pages, use_draft_storage, use_focus_on, use_form_model,
    use_identity_storage, use_linked_comment, use_refocus_after_more, use_reveal_posted, use_send,
    use_sign_in,
};
use super::likes::use_like;
use super::listing::{ListAction, ListState, Listing, Loaded, More, Window};
use super::live::{use_live_updates, use_show_arrived};
use super::model::{Action, Model};
use super::thread::Thread;
use crate::components::config::use_config;
use crate::domain::article::CommentsApi;
use crate::domain::comment::Comment;
use crate::domain::draft::{draft_storage_key, Draft, Identity, ReplyTarget, IDENTITY_STORAGE_KEY};
use crate::domain::paging;
use crate::domain::thread::{build_thread, in_order, ThreadEntry, ThreadOrder, MAX_DEPTH};
use crate::i18n::Texts;
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

/// The open section. Its state is in two pure reducers (the form's `Model`, the list's
/// `Listing`); its effects are the named hooks of `hooks.rs`; the widget's options come from
/// the context (`use_config`). What is left here is the view.
#[component]
fn OpenComments(props: &CommentsProps) -> Html {
    let config = use_config();
    let texts = config.texts;
    let url = props.url.clone().unwrap_or_default();
    let ids = Ids::new(&props.article_id);
    let listing = use_reducer(|| {
        Listing::new(
            config.order,
            config.thread.as_deref().map(|thread| {
                let first = paging::first_page(&url, config.order);
                Loaded::from_answer(thread.clone(), &|next| {
                    dom::absolute_url(next, Some(&first))
                })
            }),
        )
    });
    let section_ref = use_node_ref();
    let (model, held) = use_form_model(config.hydrating, &|| match &config.form {
        Some(form) => Model::with_form(form.as_ref().clone(), dom::now_ms()),
        None => restore_model(&props.article_id),
    });
    let summary_ref = use_node_ref();
    let comment_ref = use_node_ref();

    // The publisher's token, once the form has let it through (`use_sign_in`): lists and
    // likes are then the account's.
    let account = model
        .form
        .account()
        .map(|account| AttrValue::from(account.token.clone()));
    use_comment_pages(&listing, &url, props.api, account.clone(), config.timeout);
    use_draft_storage(&props.article_id, &model, &held);
    use_identity_storage(&model, &held);
    use_apply_held_start(&model, &held);
    // Only our service takes the publisher's token (WordPress's API has its own sign-in).
    use_sign_in(
        &model,
        config
            .sign_in_token
            .clone()
            .filter(|_| props.api == crate::domain::article::CommentsApi::Service),
        &url,
        config.token_origin.clone(),
    );
    use_send(&model, &url, props.api, config.timeout, &config.on_event);
    let on_like = use_like(&listing, &url, account.clone(), config.timeout);
    // Likes are our service's (WordPress's API has none).
    let on_like = (props.api == CommentsApi::Service).then_some(on_like);
    // Live updates are our service's too.
    let live = props.api == CommentsApi::Service;
    use_live_updates(&listing, &url, live, config.timeout);
    use_focus_on(model.form.summary_focus(), &summary_ref);
    use_focus_on(model.focus_comment, &comment_ref);

    let on_action = {
        let dispatcher = model.dispatcher();
        Callback::from(move |action: Action| dispatcher.dispatch(action))
    };
    let retry_list = {
        let dispatcher = listing.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(ListAction::Retry))
    };

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
    let loaded = listing.loaded().cloned();
    let thread: Rc<Vec<Rc<ThreadEntry>>> = use_memo(
        (loaded.clone(), model.posted.clone(), listing.order),
        |(loaded, posted, order)| {
            let mut comments: Vec<Comment> = loaded
                .as_ref()
                .map(|l| l.comments.clone())
                .unwrap_or_default();
            // The reader's own, whatever the answer said: no like on them.
            let mut posted = posted.clone();
            posted.iter_mut().for_each(|c| c.likes.mine = true);
            paging::merge(&mut comments, posted);
            in_order(build_thread(&comments), *order)
                .into_iter()
                .map(Rc::new)
                .collect()
        },
    );
    // Shown: the first pages' threads, each whole, and how many threads are shown and
    // loaded but not shown: counted when the thread or the window changes, not per keystroke.
    let window = use_memo(
        (thread.clone(), listing.shown_threads),
        |(thread, shown)| Window::of(thread, *shown),
    );
    let shown = window.entries.clone();
    let next = listing.next().cloned();
    let hidden_threads = window.hidden;

    use_linked_comment(&listing, &thread, hidden_threads, &section_ref, &ids.prefix);
    use_reveal_posted(&listing, &thread, model.posted.last().map(|c| c.id.clone()));
    let refocus = use_refocus_after_more(
        &window,
        hidden_threads == 0 && next.is_none(),
        &section_ref,
        &ids.prefix,
    );
    let (new_count, show_arrived) =
        use_show_arrived(&listing, &model.posted, &window, &section_ref, &ids.prefix);

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

    let heading = match &listing.list {
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
    let switch_order = listing.dispatcher();
    let more = &listing.more;

    html! {
        <section class="aw-comments" aria-labelledby={ids.heading.clone()} ref={section_ref}>
            <h2 id={ids.heading.clone()} class="aw-comments-heading">{heading}</h2>
            {
                match &listing.list {
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
                    { for [(ThreadOrder::OldestFirst, texts.oldest_first), (ThreadOrder::NewestFirst, texts.newest_first), (ThreadOrder::BestFirst, texts.best_first)]
                        .into_iter()
                        // "Best first" where there are likes (our service).
                        .filter(|(choice, _)| *choice != ThreadOrder::BestFirst || on_like.is_some())
                        .map(|(choice, label)| {
                            let pressed = listing.order == choice;
                            let switch_order = switch_order.clone();
                            html! {
                                <button type="button" class="aw-button aw-button--secondary"
                                    aria-pressed={if pressed { "true" } else { "false" }}
                                    onclick={Callback::from(move |_: MouseEvent| switch_order.dispatch(ListAction::Order(choice)))}>
                                    {label}
                                </button>
                            }
                        }) }
                </div>
            }
            if live {
                // A polite live region, there from the first render (so its button is
                // announced when it comes), whose button shows the comments that arrived.
                <div class="aw-live" aria-live="polite">
                    if new_count > 0 {
                        <button type="button" class="aw-button aw-button--secondary" onclick={show_arrived}>
                            {texts.new_comments(new_count)}
                        </button>
                    }
                </div>
            }
            if !shown.is_empty() {
                <Thread
                    entries={shown.clone()}
                    id_prefix={ids.prefix.clone()}
                    on_reply={on_reply.clone()}
                    on_like={on_like.clone()}
                    edit_url={on_like.as_ref().map(|_| url.clone())}
                    account={account.clone()}
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
                    if let More::Failed(error) = more {
                        <p class="aw-error-inline" role="alert">{texts.list_error(error)}</p>
                    }
                    <button type="button" class="aw-button aw-button--secondary"
                        aria-busy={if *more == More::Loading { "true" } else { "false" }}
                        onclick={
                            let refocus = refocus.clone();
                            let threads = window.threads;
                            let dispatcher = listing.dispatcher();
                            Callback::from(move |_: MouseEvent| {
                                *refocus.borrow_mut() = Some(threads);
                                dispatcher.dispatch(ListAction::ShowMore { hidden_threads })
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
