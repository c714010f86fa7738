//! Dates for the reader: in the browser through `Intl`, in the widget's interface language
//! (so a Persian article read in an English browser shows a Persian date) and the reader's
//! own time zone; natively (server-side rendering, tests) in a fixed English UTC form.
//! Each formatter is created once per language and kind, then reused: creating an
//! `Intl.DateTimeFormat` is far slower than formatting with one.

use crate::domain::date::Timestamp;
use crate::i18n::Language;

/// A date with its time, e.g. "January 17, 2025 at 8:13 PM" in English for a reader in
/// Berlin, "۲۷ دی ۱۴۰۳، ساعت ۲۲:۴۳" in Persian for a reader in Tehran.
pub fn date_time(timestamp: Timestamp, language: Language) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        intl_format(timestamp, language, true).unwrap_or_else(|| timestamp.to_readable_utc())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = language;
        timestamp.to_readable_utc()
    }
}

/// A date alone, for lists of related articles.
pub fn date_only(timestamp: Timestamp, language: Language) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        intl_format(timestamp, language, false)
            .unwrap_or_else(|| timestamp.to_rfc3339()[..10].to_owned())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = language;
        timestamp.to_rfc3339()[..10].to_owned()
    }
}

#[cfg(target_arch = "wasm32")]
fn intl_format(timestamp: Timestamp, language: Language, with_time: bool) -> Option<String> {
    use std::cell::RefCell;
    use wasm_bindgen::JsValue;

    thread_local! {
        /// One slot per language and kind (date, date and time).
        static FORMATTERS: RefCell<[Option<js_sys::Intl::DateTimeFormat>; 12]> =
            RefCell::new(Default::default());
    }
    let slot = Language::ALL
        .iter()
        .position(|l| *l == language)
        .unwrap_or(0)
        * 2
        + usize::from(with_time);
    let format = FORMATTERS.with(|formatters| {
        let mut formatters = formatters.borrow_mut();
        if let Some(format) = &formatters[slot] {
            return Some(format.clone());
        }
        let options = js_sys::Object::new();
        js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into()).ok()?;
        if with_time {
            js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into()).ok()?;
        }
        let locales = js_sys::Array::of1(&JsValue::from_str(language.tag()));
        let format = js_sys::Intl::DateTimeFormat::new(&locales, &options);
        formatters[slot] = Some(format.clone());
        Some(format)
    })?;
    let date = js_sys::Date::new(&JsValue::from_f64(timestamp.millis() as f64));
    format.format().call1(&format, &date).ok()?.as_string()
}
