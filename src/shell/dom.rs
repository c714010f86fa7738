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
        web_sys::Url::new_with_base(url, &base).ok().map(|u| u.href())
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
        .and_then(|w| w.match_media("(prefers-reduced-motion: reduce)").ok().flatten())
        .map(|query| query.matches())
        .unwrap_or(false)
}
