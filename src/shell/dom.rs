//! Small browser helpers. Natively they fall back to something harmless.

use crate::domain::draft::IdempotencyKey;

/// Resolves `url` against `base` (or the page's address) to an absolute URL, as the browser's
/// URL parser does. In-page fragments (`#…`) stay as they are.
pub fn absolute_url(url: &str, base: Option<&str>) -> Option<String> {
    if url.starts_with('#') {
        return Some(url.to_owned());
    }
    #[cfg(target_arch = "wasm32")]
    {
        let page = web_sys::window().and_then(|w| w.location().href().ok());
        let base = base.map(str::to_owned).or(page)?;
        web_sys::Url::new_with_base(url, &base)
            .ok()
            .map(|u| u.href())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = base;
        Some(url.to_owned())
    }
}

/// The page's origin (`https://news.example`), as the browser writes it; `null` natively and
/// wherever the page has none.
pub fn page_origin() -> String {
    #[cfg(target_arch = "wasm32")]
    return web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_else(|| "null".into());
    #[cfg(not(target_arch = "wasm32"))]
    "null".into()
}

pub fn console_warn(message: &str) {
    #[cfg(target_arch = "wasm32")]
    web_sys::console::warn_1(&message.into());
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{message}");
}

/// True when the reader asked the system for less motion.
pub fn prefers_reduced_motion() -> bool {
    #[cfg(not(target_arch = "wasm32"))]
    return false;
    #[cfg(target_arch = "wasm32")]
    web_sys::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .map(|query| query.matches())
        .unwrap_or(false)
}

/// 16 bytes from the browser's cryptographic random source; `None` when it fails (it does
/// not fall back to anything weaker).
pub fn random_bytes() -> Option<[u8; 16]> {
    #[cfg(target_arch = "wasm32")]
    {
        let mut bytes = [0u8; 16];
        web_sys::window()
            .and_then(|w| w.crypto().ok())
            .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
            .map(|_| bytes)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// A fresh idempotency key (UUID v4). A key only has to be unique, not secret: where the
/// cryptographic source fails, the time and `Math.random` still make one, so the reader can
/// post. (The author token below, a secret, has no such fallback.)
pub fn new_idempotency_key() -> IdempotencyKey {
    let bytes = random_bytes().unwrap_or_else(|| {
        let mut bytes = [0u8; 16];
        let time = (now_ms() as u64).to_le_bytes();
        bytes[..8].copy_from_slice(&time);
        for byte in &mut bytes[8..] {
            *byte = weak_random_byte();
        }
        bytes
    });
    IdempotencyKey::from_random_bytes(bytes)
}

fn weak_random_byte() -> u8 {
    #[cfg(target_arch = "wasm32")]
    return (js_sys::Math::random() * 256.0) as u8;
    #[cfg(not(target_arch = "wasm32"))]
    0
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return js_sys::Date::now();
    #[cfg(not(target_arch = "wasm32"))]
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as f64)
        .unwrap_or_default()
}

/// Moves keyboard focus to the element (the browser scrolls it into view).
pub fn focus(element: &yew::NodeRef) {
    #[cfg(target_arch = "wasm32")]
    if let Some(element) = element.cast::<web_sys::HtmlElement>() {
        let _ = element.focus();
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = element;
}

/// The page address's fragment (`#…`), if any.
pub fn location_hash() -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()?
            .location()
            .hash()
            .ok()
            .filter(|hash| !hash.is_empty())
    }
    #[cfg(not(target_arch = "wasm32"))]
    None
}

/// True when nothing has the keyboard focus (it was on an element that is gone).
pub fn focus_is_lost() -> bool {
    #[cfg(target_arch = "wasm32")]
    {
        let Some(document) = web_sys::window().and_then(|w| w.document()) else {
            return false;
        };
        match (document.active_element(), document.body()) {
            (None, _) => true,
            (Some(active), Some(body)) => {
                let body: &web_sys::Element = &body;
                active == *body
            }
            _ => false,
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    false
}

/// Scrolls the element with this id inside `within` into view (when `scroll`) and focuses it
/// (what the browser does for a link to `#id`, which does not reach into a shadow root).
pub fn reveal(within: &yew::NodeRef, id: &str, scroll: bool) {
    #[cfg(target_arch = "wasm32")]
    if let Some(element) = within
        .cast::<web_sys::Element>()
        .and_then(|within| {
            within
                .query_selector(&format!("[id=\"{id}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|element| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(element).ok())
    {
        if scroll {
            let options = web_sys::ScrollIntoViewOptions::new();
            options.set_block(web_sys::ScrollLogicalPosition::Start);
            if !prefers_reduced_motion() {
                options.set_behavior(web_sys::ScrollBehavior::Smooth);
            }
            element.scroll_into_view_with_scroll_into_view_options(&options);
        }
        let focus = web_sys::FocusOptions::new();
        focus.set_prevent_scroll(true);
        let _ = element.focus_with_options(&focus);
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (within, id, scroll);
}

/// This browser's comment author token: a random secret kept in localStorage, sent with
/// comment requests so that the service shows a reader their own comments while they await
/// moderation. Without storage, it lasts as long as the page. Without a cryptographic random
/// source there is none (fail closed): the reader's held comments then show only as posted.
pub fn author_token() -> Option<String> {
    use crate::domain::draft::{self, AUTHOR_TOKEN_STORAGE_KEY};
    use crate::shell::storage;
    thread_local! {
        static PAGE_TOKEN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }
    let stored = storage::read(AUTHOR_TOKEN_STORAGE_KEY).ok().flatten();
    PAGE_TOKEN.with(|cell| {
        let mut cell = cell.borrow_mut();
        let known = stored.as_deref().or(cell.as_deref());
        let token = draft::author_token(known, None)
            .or_else(|| draft::author_token(None, random_bytes()))?;
        if stored.as_deref() != Some(token.as_str()) {
            let _ = storage::write(AUTHOR_TOKEN_STORAGE_KEY, &token);
        }
        *cell = Some(token.clone());
        Some(token)
    })
}
