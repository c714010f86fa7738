//! "Back to top": appears once the reader has scrolled well into the article, returns them
//! to its top and moves focus to the headline, smoothly unless they asked for less motion.

use yew::prelude::*;

use crate::i18n::Texts;

/// Whether "Back to top" shows: true while the reader is inside `area` (the article and its
/// comments), far from its top. A hook of the view that has the area, rather than a
/// component of its own (see `header::article_header`).
#[hook]
pub fn use_back_to_top(area: NodeRef) -> bool {
    let visible = use_state_eq(|| false);
    {
        let visible = visible.clone();
        use_effect_with((), move |_| {
            watch_scroll(area, move |show| visible.set(show))
        });
    }
    *visible
}

/// The button: back to the top of `area`, focus on `target` (the headline, `tabindex="-1"`).
pub fn back_to_top(visible: bool, area: &NodeRef, target: &NodeRef, texts: &Texts) -> Html {
    let onclick = {
        let area = area.clone();
        let target = target.clone();
        Callback::from(move |_: MouseEvent| scroll_to_top(&area, &target))
    };
    html! {
        <button type="button" class="aw-back-to-top" hidden={!visible} {onclick}>
            <span aria-hidden="true">{"↑ "}</span>{texts.back_to_top}
        </button>
    }
}

/// Listens to scrolling and resizing while mounted; the returned guard removes the listeners.
fn watch_scroll(article: NodeRef, show: impl Fn(bool) + 'static) -> impl FnOnce() {
    #[cfg(target_arch = "wasm32")]
    {
        use gloo_events::{EventListener, EventListenerOptions};
        use std::rc::Rc;

        let update = Rc::new(move || {
            let Some(element) = article.cast::<web_sys::Element>() else {
                return;
            };
            let Some(window) = web_sys::window() else {
                return;
            };
            let viewport = window
                .inner_height()
                .ok()
                .and_then(|h| h.as_f64())
                .unwrap_or(800.0);
            let rect = element.get_bounding_client_rect();
            // Far enough down that scrolling back is a chore, and not yet past the article.
            show(rect.top() < -viewport && rect.bottom() > viewport / 2.0);
        });
        update();
        let Some(window) = web_sys::window() else {
            return Box::new(|| ()) as Box<dyn FnOnce()>;
        };
        let listeners: Vec<EventListener> = ["scroll", "resize"]
            .into_iter()
            .map(|event| {
                let update = update.clone();
                EventListener::new_with_options(
                    &window,
                    event,
                    EventListenerOptions::run_in_capture_phase(),
                    move |_| update(),
                )
            })
            .collect();
        Box::new(move || drop(listeners)) as Box<dyn FnOnce()>
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (article, show);
        || ()
    }
}

fn scroll_to_top(article: &NodeRef, target: &NodeRef) {
    #[cfg(target_arch = "wasm32")]
    {
        use crate::shell::dom::prefers_reduced_motion;
        let Some(article) = article.cast::<web_sys::Element>() else {
            return;
        };
        let options = web_sys::ScrollIntoViewOptions::new();
        options.set_block(web_sys::ScrollLogicalPosition::Start);
        options.set_behavior(if prefers_reduced_motion() {
            web_sys::ScrollBehavior::Instant
        } else {
            web_sys::ScrollBehavior::Smooth
        });
        article.scroll_into_view_with_scroll_into_view_options(&options);
        if let Some(target) = target.cast::<web_sys::HtmlElement>() {
            let focus = web_sys::FocusOptions::new();
            focus.set_prevent_scroll(true);
            let _ = target.focus_with_options(&focus);
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (article, target);
}
