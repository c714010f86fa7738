//! Small browser helpers. Natively they fall back to something harmless.

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

/// A fresh idempotency key (UUID v4) from the browser's cryptographic random source.
pub fn new_idempotency_key() -> String {
    #[cfg_attr(not(target_arch = "wasm32"), allow(unused_mut))]
    let mut bytes = [0u8; 16];
    #[cfg(target_arch = "wasm32")]
    {
        let filled = web_sys::window()
            .and_then(|w| w.crypto().ok())
            .and_then(|c| c.get_random_values_with_u8_array(&mut bytes).ok())
            .is_some();
        if !filled {
            for byte in &mut bytes {
                *byte = (js_sys::Math::random() * 256.0) as u8;
            }
        }
    }
    crate::domain::posting::uuid_v4(bytes)
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

/// This browser's comment author token: a random secret kept in localStorage, sent with
/// comment requests so that the service shows a reader their own comments while they await
/// moderation. Without storage, it lasts as long as the page.
pub fn author_token() -> String {
    use crate::shell::storage;
    const KEY: &str = "article-widget:author-token";
    thread_local! {
        static PAGE_TOKEN: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    }
    if let Ok(Some(token)) = storage::read(KEY) {
        if token.len() >= 16 {
            return token;
        }
    }
    PAGE_TOKEN.with(|cell| {
        let mut cell = cell.borrow_mut();
        let token = cell.get_or_insert_with(new_idempotency_key).clone();
        let _ = storage::write(KEY, &token);
        token
    })
}
