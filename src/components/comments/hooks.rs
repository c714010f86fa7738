//! The comment section's effects, one concern each, as named hooks: loading the thread's
//! pages, the hydrated start, storing the draft and the reader's details, sending, focus, the
//! linked comment, the reader's new comment, and the focus after "Show more". The state they
//! read and change lives in the two reducers (`model.rs`, `listing.rs`); browser APIs are used
//! only here and in callbacks. `section.rs` calls them in this file's order, which is the
//! order their effects run in.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use yew::prelude::*;

use super::listing::{ListAction, Listing, Loaded, Window};
use super::model::{Action, Model};
use super::thread::comment_element_id;
use crate::domain::article::CommentsApi;
use crate::domain::draft::{draft_storage_key, Draft, Identity, IDENTITY_STORAGE_KEY};
use crate::domain::paging;
use crate::domain::sign_in::{read_token, token_may_go_to};
use crate::domain::thread::ThreadEntry;
use crate::host_contract::WidgetEvent;
use crate::shell::http::{list_comments_as, post_comment, Abort};
use crate::shell::{dom, storage};

/// The reader's own start, held while a hydrated section renders the server's form (see
/// `use_form_model`); `None` once applied, or when there was nothing to hold.
pub type HeldStart = Rc<RefCell<Option<Model>>>;

/// Loads the page `listing.wanted` names, whenever it (or the comments URL) changes: the
/// first page (again on Retry, and in the other order when the reader switches it while pages
/// are still to come), or the next one, added to those loaded. A newer request or unmounting
/// aborts the one under way.
#[hook]
pub fn use_comment_pages(
    listing: &UseReducerHandle<Listing>,
    url: &AttrValue,
    api: CommentsApi,
    account: Option<AttrValue>,
    timeout: Duration,
) {
    let loaded_from = use_mut_ref(|| (String::new(), None::<AttrValue>));
    let dispatcher = listing.dispatcher();
    // A reader who signs in (or out) gets the first page again, marked for the account.
    use_effect_with(
        (url.clone(), listing.wanted.clone(), account),
        move |(url, wanted, account)| {
            // A next page only of the comments URL whose pages are loaded, for the same reader.
            let loaded_for = (url.to_string(), account.clone());
            let append = wanted
                .next
                .clone()
                .filter(|_| *loaded_from.borrow() == loaded_for);
            *loaded_from.borrow_mut() = loaded_for;
            let appending = append.is_some();
            let address = append.unwrap_or_else(|| paging::first_page(url, wanted.order));
            dispatcher.dispatch(ListAction::Requested { append: appending });
            let abort = Abort::new();
            let signal = abort.signal();
            let (url, account) = (url.clone(), account.clone());
            yew::platform::spawn_local(async move {
                let result = list_comments_as(
                    api,
                    &url,
                    &address,
                    account.as_deref(),
                    timeout,
                    signal.as_ref(),
                )
                .await;
                if signal.as_ref().is_some_and(|s| s.aborted()) {
                    return;
                }
                let answer = result.map(|list| {
                    Loaded::from_answer(list, &|next| dom::absolute_url(next, Some(&address)))
                });
                dispatcher.dispatch(ListAction::Answered {
                    append: appending,
                    answer,
                });
            });
            move || abort.abort()
        },
    );
}

/// The form's reducer and the reader's held start. Hydrating, the first render must be the
/// server's, which knows nothing of this browser: an empty form (as `restore_model` gives
/// natively). The reader's own start (`start`: the draft, details, what they typed before the
/// widget took over) waits in the held start and is applied right after
/// (`use_apply_held_start`); until then the storage hooks leave storage alone.
#[hook]
pub fn use_form_model(
    hydrating: bool,
    start: &dyn Fn() -> Model,
) -> (UseReducerHandle<Model>, HeldStart) {
    let held = use_mut_ref(|| hydrating.then(start));
    let model = use_reducer_eq(|| {
        if hydrating {
            // The fields' text is the reader's from the first render on: a value is a
            // property, never markup, so hydration still finds the server's nodes, and a
            // field the reader is typing into is never emptied while the rest of the start
            // waits for its effect (Yew yields to the browser in between).
            let mut first = Model::new(None, None, None, dom::new_idempotency_key(), dom::now_ms());
            if let Some(start) = held.borrow().as_ref() {
                first.form.set_input(start.form.input().clone());
            }
            first
        } else {
            start()
        }
    });
    (model, held)
}

/// Keeps the draft as it changes; forgets it once it is empty (after a post).
#[hook]
pub fn use_draft_storage(
    article_id: &AttrValue,
    model: &UseReducerHandle<Model>,
    held: &HeldStart,
) {
    let dispatcher = model.dispatcher();
    let held = held.clone();
    use_effect_with(
        (article_id.clone(), model.form.draft()),
        move |(id, draft): &(AttrValue, Draft)| {
            if held.borrow().is_some() {
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

/// The reader's details: stored only while they consent, removed the moment they do not.
#[hook]
pub fn use_identity_storage(model: &UseReducerHandle<Model>, held: &HeldStart) {
    let held = held.clone();
    use_effect_with(
        (model.form.remember(), model.form.identity()),
        move |(remember, identity): &(bool, Identity)| {
            if held.borrow().is_some() {
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

/// Applies the reader's held start once the server's markup is adopted. Called after the
/// storage hooks, whose effects run first and so still see it held.
#[hook]
pub fn use_apply_held_start(model: &UseReducerHandle<Model>, held: &HeldStart) {
    let dispatcher = model.dispatcher();
    let held = held.clone();
    use_effect_with((), move |_| {
        if let Some(start) = held.borrow_mut().take() {
            dispatcher.dispatch(Action::Start(Box::new(start)));
        }
    });
}

/// The publisher's sign-in token, applied after the first render (the server, which has no
/// token, rendered the anonymous form, and hydration must find it) and again whenever the host
/// page changes it; a token that does not look usable (expired, malformed) leaves the form
/// anonymous. Called after `use_apply_held_start`, so the reader's own start comes first.
#[hook]
pub fn use_sign_in(
    model: &UseReducerHandle<Model>,
    token: Option<AttrValue>,
    comments_url: &AttrValue,
    token_origin: Option<AttrValue>,
) {
    let dispatcher = model.dispatcher();
    use_effect_with(
        (token, comments_url.clone(), token_origin),
        move |(token, comments_url, token_origin)| {
            // The token goes only where the page said it may (see `token_may_go_to`); a
            // token held back is said to the developer, and the form stays anonymous.
            let allowed = |_: &&str| {
                let allowed = token_may_go_to(
                    &dom::absolute_url(comments_url, None).unwrap_or_default(),
                    &dom::page_origin(),
                    token_origin.as_deref().unwrap_or_default(),
                );
                if !allowed {
                    dom::console_warn(&format!(
                        "article-widget: the sign-in token is not sent to {comments_url}: \
                         name its origin in the element's token-origin attribute"
                    ));
                }
                allowed
            };
            let account = token
                .as_deref()
                .filter(allowed)
                .and_then(|token| read_token(token, dom::now_ms()));
            dispatcher.dispatch(Action::SignIn(account));
        },
    );
}

/// Sends what Submit queued, once per submit, and tells the page of a posted comment.
#[hook]
pub fn use_send(
    model: &UseReducerHandle<Model>,
    url: &AttrValue,
    api: CommentsApi,
    timeout: Duration,
    on_event: &Callback<WidgetEvent>,
) {
    let dispatcher = model.dispatcher();
    let outgoing = model.outgoing.clone();
    let rendered_at = model.rendered_at;
    let url = url.clone();
    let on_event = on_event.clone();
    use_effect_with(model.send_token, move |_| {
        let abort = Abort::new();
        let signal = abort.signal();
        if let Some(outgoing) = outgoing {
            yew::platform::spawn_local(async move {
                let result =
                    post_comment(api, &url, &outgoing, rendered_at, timeout, signal.as_ref()).await;
                let next_key = dom::new_idempotency_key();
                if signal.as_ref().is_some_and(|s| s.aborted()) {
                    // Unmounted: the draft and its key stay stored, so a later retry cannot
                    // post twice.
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

/// Moves focus to `target` each time `token` grows past 0 (the error summary after a failed
/// submit, the comment field on reply).
#[hook]
pub fn use_focus_on(token: u32, target: &NodeRef) {
    let target = target.clone();
    use_effect_with(token, move |token| {
        if *token > 0 {
            dom::focus(&target);
        }
    });
}

/// A comment the page's address links to (`#comment-<id>`): shown at once if it is; else
/// the pages up to it are shown or loaded, one after the other, until it is (or there is no
/// page left).
#[hook]
pub fn use_linked_comment(
    listing: &UseReducerHandle<Listing>,
    thread: &Rc<Vec<Rc<ThreadEntry>>>,
    hidden_threads: usize,
    section_ref: &NodeRef,
    prefix: &AttrValue,
) {
    let seeking = use_mut_ref(|| {
        dom::location_hash()
            .as_deref()
            .and_then(paging::linked_comment)
            .map(str::to_owned)
    });
    let dispatcher = listing.dispatcher();
    let section_ref = section_ref.clone();
    let prefix = prefix.clone();
    use_effect_with(
        (
            thread.clone(),
            listing.shown_threads,
            listing.next().cloned(),
            listing.waiting(),
        ),
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
                paging::Place::Hidden { threads } => {
                    dispatcher.dispatch(ListAction::ShowThreads(threads))
                }
                paging::Place::NotLoaded if next.is_some() => {
                    dispatcher.dispatch(ListAction::ShowMore { hidden_threads })
                }
                paging::Place::NotLoaded => *seeking.borrow_mut() = None,
            }
        },
    );
}

/// A comment the reader just posted (`newest`) is shown, even past the pages shown so far.
#[hook]
pub fn use_reveal_posted(
    listing: &UseReducerHandle<Listing>,
    thread: &Rc<Vec<Rc<ThreadEntry>>>,
    newest: Option<String>,
) {
    let dispatcher = listing.dispatcher();
    let shown_threads = listing.shown_threads;
    use_effect_with((thread.clone(), newest), move |(thread, newest)| {
        if let Some(id) = newest {
            if let paging::Place::Hidden { threads } = paging::place(thread, shown_threads, id) {
                dispatcher.dispatch(ListAction::ShowThreads(threads));
            }
        }
    });
}

/// After "Show more", focus stays on the button; when the last threads came and the button
/// is gone, it goes to the first of them, so the reader's place is kept. The button records
/// in the returned cell how many threads were shown when it was pressed.
#[hook]
pub fn use_refocus_after_more(
    window: &Rc<Window>,
    button_gone: bool,
    section_ref: &NodeRef,
    prefix: &AttrValue,
) -> Rc<RefCell<Option<usize>>> {
    let refocus = use_mut_ref(|| None::<usize>);
    {
        let refocus = refocus.clone();
        let section_ref = section_ref.clone();
        let prefix = prefix.clone();
        use_effect_with(
            (window.clone(), button_gone),
            move |(window, button_gone)| {
                let Some(before) = *refocus.borrow() else {
                    return;
                };
                if window.threads <= before {
                    return;
                }
                *refocus.borrow_mut() = None;
                let first_new = window.entries.iter().filter(|e| e.depth == 1).nth(before);
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
    refocus
}
