//! Helpers for the browser suites: mount a widget, query it, wait for things, type like a
//! reader. Compiled only for wasm32.
#![allow(dead_code)]

use std::time::Duration;

use article_widget::{ArticleWidget, ArticleWidgetProps};
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Where tools/fixture-server listens (compile-time, set by scripts/test.sh).
pub const SERVER: &str = match option_env!("ARTICLE_WIDGET_FIXTURES") {
    Some(address) => address,
    None => "http://127.0.0.1:8790",
};

pub struct Mounted {
    pub root: Element,
    app: Option<yew::AppHandle<ArticleWidget>>,
}

impl Mounted {
    pub fn new(src: &str) -> Mounted {
        Mounted::with_props(yew::props!(ArticleWidgetProps {
            src: src.to_owned()
        }))
    }

    pub fn with_props(props: ArticleWidgetProps) -> Mounted {
        let document = document();
        let root = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&root).unwrap();
        let app = yew::Renderer::<ArticleWidget>::with_root_and_props(root.clone(), props).render();
        Mounted {
            root,
            app: Some(app),
        }
    }

    pub fn query(&self, selector: &str) -> Option<Element> {
        self.root.query_selector(selector).unwrap()
    }

    pub fn element<T: JsCast>(&self, selector: &str) -> T {
        self.query(selector)
            .unwrap_or_else(|| panic!("no {selector} in {}", self.root.inner_html()))
            .dyn_into()
            .unwrap_or_else(|_| panic!("{selector} is not the expected element type"))
    }

    pub fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(selector).unwrap();
        (0..list.length())
            .filter_map(|i| list.item(i)?.dyn_into().ok())
            .collect()
    }

    pub fn text(&self, selector: &str) -> String {
        self.query(selector)
            .and_then(|e| e.text_content())
            .unwrap_or_default()
    }

    /// Waits (up to 10 s) until `selector` matches, then returns it.
    pub async fn wait_for(&self, selector: &str) -> Element {
        let mut waited = 0;
        loop {
            if let Some(found) = self.query(selector) {
                return found;
            }
            assert!(
                waited < 10_000,
                "{selector} never appeared; the widget shows: {}",
                self.root.inner_html()
            );
            sleep(50).await;
            waited += 50;
        }
    }

    /// Waits until the widget's text contains `needle`.
    pub async fn wait_for_text(&self, needle: &str) {
        let mut waited = 0;
        while !self
            .root
            .text_content()
            .unwrap_or_default()
            .contains(needle)
        {
            assert!(
                waited < 10_000,
                "“{needle}” never appeared; the widget shows: {}",
                self.root.inner_html()
            );
            sleep(50).await;
            waited += 50;
        }
    }

    pub fn click(&self, selector: &str) {
        self.element::<HtmlElement>(selector).click();
    }

    /// Types into a field as a reader would: focus, set the value, fire `input`.
    pub async fn type_into(&self, selector: &str, value: &str) {
        let element: HtmlElement = self.element(selector);
        element.focus().unwrap();
        if let Some(area) = element.dyn_ref::<web_sys::HtmlTextAreaElement>() {
            area.set_value(value);
        } else if let Some(input) = element.dyn_ref::<web_sys::HtmlInputElement>() {
            input.set_value(value);
        }
        let init = web_sys::InputEventInit::new();
        init.set_bubbles(true);
        let event = web_sys::InputEvent::new_with_event_init_dict("input", &init).unwrap();
        element.dispatch_event(&event).unwrap();
        settle().await;
    }

    /// Moves focus out of a field (fires its blur).
    pub async fn leave(&self, selector: &str) {
        self.element::<HtmlElement>(selector).blur().unwrap();
        settle().await;
    }

    pub fn destroy(mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.root.remove();
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.root.remove();
    }
}

pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

pub fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

pub fn active_element() -> Option<Element> {
    document().active_element()
}

pub async fn sleep(ms: u32) {
    gloo_timers::future::sleep(Duration::from_millis(ms.into())).await;
}

/// Returns once Yew has rendered what the last event changed, and run the effects that
/// followed: its scheduler reports that its queues are empty (`yew::scheduler::flush`), a
/// positive signal, where a fixed sleep passes on a slow machine for the wrong reason.
pub async fn settle() {
    yew::scheduler::flush().await;
}

pub async fn until(what: &str, mut condition: impl FnMut() -> bool) {
    for _ in 0..200 {
        if condition() {
            return;
        }
        sleep(50).await;
    }
    panic!("timed out waiting until {what}");
}

/// A fresh id, so each test has its own article, thread and draft.
pub fn unique(name: &str) -> String {
    format!("{name}-{}", (js_sys::Math::random() * 1e12) as u64)
}
