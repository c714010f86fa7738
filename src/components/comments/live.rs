//! Live updates (issue 20): the service's event stream (`EventSource`), opened in the browser
//! only, after the first list loaded, on our service only. New comments wait in the listing's
//! `arrived` ("N new comments. Show", `section.rs`); likes, edits and deletions change the
//! thread in place; `resync` reads the newest page again. The stream closes when the section
//! leaves the page (the effect's cleanup) and when the tab has been hidden for
//! `HIDDEN_GRACE_MS`; it opens again when the tab is shown, from the last event's id.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use yew::prelude::*;

use super::listing::{ListAction, Listing, Window};
use super::thread::comment_element_id;
use crate::domain::comment::Comment;
use crate::domain::live::new_comment_count;
use crate::shell::dom;

/// How long a hidden tab keeps its stream: a glance at another tab does not reconnect.
#[cfg(target_arch = "wasm32")]
const HIDDEN_GRACE_MS: u32 = 30_000;

/// Opens the stream while `on` (our service) once the first list has loaded.
#[hook]
pub fn use_live_updates(
    listing: &UseReducerHandle<Listing>,
    url: &AttrValue,
    on: bool,
    timeout: Duration,
) {
    let dispatcher = listing.dispatcher();
    // Once loaded, it stays open while the reader switches the order or retries.
    let ever_loaded = use_mut_ref(|| false);
    if listing.loaded().is_some() {
        *ever_loaded.borrow_mut() = true;
    }
    let open = on && *ever_loaded.borrow();
    use_effect_with((url.clone(), open), move |(url, open)| {
        #[cfg(target_arch = "wasm32")]
        let live = open
            .then(|| browser::Live::start(url, dispatcher, timeout))
            .flatten();
        #[cfg(not(target_arch = "wasm32"))]
        let live = {
            // Natively (the server's renderer, tests) there is no stream.
            let _ = (url, open, dispatcher, timeout);
            Vec::<()>::new()
        };
        move || drop(live)
    });
}

/// "N new comments. Show": how many (the reader's own excepted), and the button's callback,
/// which shows them and then moves focus to the first of them (the button is gone by then).
#[hook]
pub fn use_show_arrived(
    listing: &UseReducerHandle<Listing>,
    posted: &[Comment],
    window: &Rc<Window>,
    section_ref: &NodeRef,
    prefix: &AttrValue,
) -> (usize, Callback<MouseEvent>) {
    let count = new_comment_count(&listing.arrived, posted);
    let reveal: Rc<RefCell<Option<String>>> = use_mut_ref(|| None);
    {
        let reveal = reveal.clone();
        let section_ref = section_ref.clone();
        let prefix = prefix.clone();
        use_effect_with(window.clone(), move |window| {
            let Some(id) = reveal.borrow().clone() else {
                return;
            };
            if window.entries.iter().any(|entry| entry.comment.id == id) {
                *reveal.borrow_mut() = None;
                dom::reveal(&section_ref, &comment_element_id(&prefix, &id), true);
            }
        });
    }
    let first = listing
        .arrived
        .iter()
        .find(|comment| !posted.iter().any(|mine| mine.id == comment.id))
        .map(|comment| comment.id.clone());
    let dispatcher = listing.dispatcher();
    let show = Callback::from(move |_: MouseEvent| {
        *reveal.borrow_mut() = first.clone();
        dispatcher.dispatch(ListAction::ShowArrived);
    });
    (count, show)
}

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::RefCell;
    use std::rc::{Rc, Weak};
    use std::time::Duration;

    use gloo_events::EventListener;
    use gloo_timers::callback::Timeout;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};
    use yew::prelude::*;

    use super::super::listing::{ListAction, Listing};
    use super::HIDDEN_GRACE_MS;
    use crate::domain::article::CommentsApi;
    use crate::domain::live::{events_url, parse_live_event, resume_url, LiveUpdate};
    use crate::domain::paging;
    use crate::domain::thread::ThreadOrder;

    /// The events the stream sends (`ready` only moves the last id).
    const EVENTS: [&str; 6] = ["approved", "edited", "deleted", "likes", "resync", "ready"];

    struct State {
        comments_url: String,
        events_url: String,
        last_id: Option<String>,
        source: Option<(EventSource, Vec<EventListener>)>,
        closing: Option<Timeout>,
        dispatcher: UseReducerDispatcher<Listing>,
        timeout: Duration,
    }

    /// The open stream and the tab's visibility listener; dropped, both end.
    pub struct Live {
        state: Rc<RefCell<State>>,
        _visibility: EventListener,
    }

    impl Live {
        pub fn start(
            comments_url: &str,
            dispatcher: UseReducerDispatcher<Listing>,
            timeout: Duration,
        ) -> Option<Live> {
            let document = web_sys::window()?.document()?;
            let state = Rc::new(RefCell::new(State {
                comments_url: comments_url.to_owned(),
                events_url: events_url(comments_url)?,
                last_id: None,
                source: None,
                closing: None,
                dispatcher,
                timeout,
            }));
            if !document.hidden() {
                open(&state);
            }
            let weak = Rc::downgrade(&state);
            let visibility = EventListener::new(&document, "visibilitychange", move |_| {
                let Some(state) = weak.upgrade() else {
                    return;
                };
                let hidden = web_sys::window()
                    .and_then(|window| window.document())
                    .is_some_and(|document| document.hidden());
                if hidden {
                    let weak = Rc::downgrade(&state);
                    let closing = Timeout::new(HIDDEN_GRACE_MS, move || {
                        if let Some(state) = weak.upgrade() {
                            close(&state);
                        }
                    });
                    state.borrow_mut().closing = Some(closing);
                } else {
                    // Dropping the timeout cancels it.
                    state.borrow_mut().closing = None;
                    if state.borrow().source.is_none() {
                        open(&state);
                    }
                }
            });
            Some(Live {
                state,
                _visibility: visibility,
            })
        }
    }

    impl Drop for Live {
        fn drop(&mut self) {
            self.state.borrow_mut().closing = None;
            close(&self.state);
        }
    }

    fn open(state: &Rc<RefCell<State>>) {
        let address = {
            let state = state.borrow();
            resume_url(&state.events_url, state.last_id.as_deref())
        };
        // Refused (a cap reached, the service away for good): the page works without it.
        let Ok(source) = EventSource::new(&address) else {
            return;
        };
        let listeners = EVENTS
            .into_iter()
            .map(|kind| {
                let weak = Rc::downgrade(state);
                EventListener::new(&source, kind, move |event| heard(&weak, kind, event))
            })
            .collect();
        state.borrow_mut().source = Some((source, listeners));
    }

    fn close(state: &Rc<RefCell<State>>) {
        let source = state.borrow_mut().source.take();
        if let Some((source, _listeners)) = source {
            source.close();
        }
    }

    fn heard(state: &Weak<RefCell<State>>, kind: &str, event: &web_sys::Event) {
        let (Some(state), Some(message)) = (state.upgrade(), event.dyn_ref::<MessageEvent>())
        else {
            return;
        };
        let id = message.last_event_id();
        if !id.is_empty() {
            state.borrow_mut().last_id = Some(id);
        }
        let data = message.data().as_string().unwrap_or_default();
        let Some(update) = parse_live_event(kind, &data) else {
            return;
        };
        let state = state.borrow();
        if update == LiveUpdate::Resync {
            resync(&state);
        } else {
            state.dispatcher.dispatch(ListAction::Live(update));
        }
    }

    /// The newest page, read again: what is new arrives, the rest is updated in place.
    fn resync(state: &State) {
        let (url, dispatcher, timeout) = (
            state.comments_url.clone(),
            state.dispatcher.clone(),
            state.timeout,
        );
        yew::platform::spawn_local(async move {
            let address = paging::first_page(&url, ThreadOrder::NewestFirst);
            let answer = crate::shell::http::list_comments(
                CommentsApi::Service,
                &url,
                &address,
                timeout,
                None,
            )
            .await;
            if let Ok(list) = answer {
                dispatcher.dispatch(ListAction::Resynced(list.comments));
            }
        });
    }
}
