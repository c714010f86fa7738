//! The embed layer: what `article-widget.js` (the one script a host page adds) calls. Each
//! widget lives in an open shadow root on its host element, its stylesheet inside that root
//! (see `components::styles`), so host CSS cannot reach in and ours cannot leak out.
//! Host-facing events are dispatched on the host element.

use wasm_bindgen::prelude::*;
use web_sys::{Element, HtmlElement, ShadowRoot, ShadowRootInit, ShadowRootMode};
use yew::prelude::*;

use crate::components::widget::{ArticleWidget, ArticleWidgetProps};
use crate::domain::thread::ThreadOrder;
use crate::host_contract::{comments_enabled, Theme, WidgetEvent};

/// One widget on one host element (a custom element or a `div`).
#[wasm_bindgen]
pub struct Widget {
    app: Option<yew::AppHandle<ArticleWidget>>,
    host: HtmlElement,
    root: ShadowRoot,
}

/// An option's text as the loader passed it.
fn raw_option(options: &JsValue, key: &str) -> Option<String> {
    js_sys::Reflect::get(options, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_string())
}

/// An attribute's value, trimmed; `None` when empty.
fn text_option(options: &JsValue, key: &str) -> Option<String> {
    raw_option(options, key)
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

/// Reads `{src, theme, lang, comments, pageLang}` as the loader passes them.
fn props_from(options: &JsValue, host: &HtmlElement) -> ArticleWidgetProps {
    let host = host.clone();
    let on_event = Callback::from(move |event: WidgetEvent| dispatch(&host, event));
    let thread = given_thread(options);
    yew::props!(ArticleWidgetProps {
        src: text_option(options, "src").unwrap_or_default(),
        lang: text_option(options, "lang").map(AttrValue::from),
        page_lang: text_option(options, "pageLang").map(AttrValue::from),
        theme: Theme::from_attribute(text_option(options, "theme").as_deref()),
        comments: comments_enabled(text_option(options, "comments").as_deref()),
        comments_order: ThreadOrder::from_attribute(
            text_option(options, "comments-order").as_deref()
        ),
        article: given_article(options),
        form: typed_form(options, thread.as_deref()),
        thread,
        on_event,
        sign_in_token: text_option(options, "token").map(AttrValue::from),
        token_origin: text_option(options, "token-origin").map(AttrValue::from),
        badge_words: crate::components::config::BadgeWords::new(
            text_option(options, "badge-moderator").as_deref(),
            text_option(options, "badge-author").as_deref(),
        ),
    })
}

/// The article a prerendered element carries (`options.article`, its JSON text), read as a
/// fetched one would be; `None` when there is none or it does not parse (then it is fetched).
fn given_article(options: &JsValue) -> Option<std::rc::Rc<crate::domain::article::Article>> {
    let text = raw_option(options, "article")?;
    let src = text_option(options, "src")?;
    let address = crate::shell::dom::absolute_url(&src, None)?;
    crate::shell::http::article_from_text(&text, &address)
        .ok()
        .map(std::rc::Rc::new)
}

/// The comment thread a prerendered element carries (`options.thread`, the API's list JSON).
fn given_thread(options: &JsValue) -> Option<std::rc::Rc<crate::domain::wire::CommentList>> {
    let text = raw_option(options, "thread")?;
    crate::domain::wire::parse_comment_page(&text)
        .ok()
        .map(std::rc::Rc::new)
}

/// The form as the reader left it in the prerendered markup before the widget took over
/// (`options.typed`: the fields' values), so nothing typed is lost: their text, with the
/// details the reader let the browser keep and consent as it was.
fn typed_form(
    options: &JsValue,
    thread: Option<&crate::domain::wire::CommentList>,
) -> Option<std::rc::Rc<crate::domain::form::FormState>> {
    use crate::domain::comment_rules::{CommentInput, Field};
    use crate::domain::draft::{Identity, IDENTITY_STORAGE_KEY};
    let text = raw_option(options, "typed")?;
    let typed = crate::domain::json::parse(&text).ok()?;
    let mut input = CommentInput::default();
    for field in Field::ALL {
        let value = typed
            .get(field.key())
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        input.set(field, value.to_owned());
    }
    let identity = crate::shell::storage::read(IDENTITY_STORAGE_KEY)
        .ok()
        .flatten()
        .and_then(|text| Identity::from_json(&text));
    let mut form = crate::domain::form::FormState::resume(
        &input,
        identity,
        crate::shell::dom::new_idempotency_key(),
    );
    // The comment it replied to (a page asked with ?replytocom=), when the thread has it
    // (the thread the element carries, read once by `props_from`).
    let parent = typed
        .get("parent")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if let Some(comment) =
        thread.and_then(|thread| thread.comments.iter().find(|c| c.id == parent).cloned())
    {
        form.reply(Some(crate::domain::draft::ReplyTarget {
            id: comment.id,
            author: comment.author,
        }));
    }
    Some(std::rc::Rc::new(form))
}

/// Sends a widget event to the page as a bubbling, composed `CustomEvent` on the host.
fn dispatch(host: &HtmlElement, event: WidgetEvent) {
    let detail = js_sys::Object::new();
    for (key, value) in event.detail() {
        let _ = js_sys::Reflect::set(&detail, &JsValue::from_str(key), &JsValue::from_str(&value));
    }
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = web_sys::CustomEvent::new_with_event_init_dict(event.name(), &init) {
        let _ = host.dispatch_event(&event);
    }
}

#[wasm_bindgen]
impl Widget {
    /// Mounts a widget on `host` with the loader's options.
    #[wasm_bindgen(constructor)]
    pub fn new(host: HtmlElement, options: JsValue) -> Result<Widget, JsValue> {
        let mut props = props_from(&options, &host);
        let hydrate = js_sys::Reflect::get(&options, &JsValue::from_str("hydrate"))
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        // A prerendered element on its first mount (the loader says so): its declarative
        // shadow root holds the server's markup in one container, and the widget adopts those
        // nodes (hydration) instead of replacing them. Never `attach_shadow` on it: that would
        // empty the root.
        if hydrate && props.article.is_some() {
            if let Some(root) = host.shadow_root() {
                if let Some(container) = root.first_element_child() {
                    props.hydrating = true;
                    let app = yew::Renderer::<ArticleWidget>::with_root_and_props(container, props)
                        .hydrate();
                    return Ok(Widget {
                        app: Some(app),
                        host,
                        root,
                    });
                }
            }
        }
        let root = match host.shadow_root() {
            Some(root) => {
                // A prerendered host (its declarative shadow root holds the server's markup; it
                // is replaced by the same markup, rendered here), or one mounted before: start
                // clean. Never `attach_shadow` on it: that would fail, or empty the root.
                root.set_text_content(None);
                root
            }
            None => host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open))?,
        };
        let document = host.owner_document().ok_or("no document")?;
        let container: Element = document.create_element("div")?;
        root.append_child(&container)?;
        let app = yew::Renderer::<ArticleWidget>::with_root_and_props(container, props).render();
        Ok(Widget {
            app: Some(app),
            host,
            root,
        })
    }

    /// Applies changed options (src, theme, lang, comments) to the live widget.
    pub fn update(&mut self, options: JsValue) {
        let props = props_from(&options, &self.host);
        if let Some(app) = &mut self.app {
            app.update(props);
        }
    }

    /// Unmounts: effects clean up (listeners removed, requests aborted), the shadow root is
    /// emptied. Safe to call twice.
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
        self.root.set_text_content(None);
    }
}
