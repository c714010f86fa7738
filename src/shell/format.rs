//! Dates and numbers for the reader: in the browser through `Intl`, in the reader's own locale
//! and time zone; natively in a fixed English UTC form.

use crate::domain::date::Timestamp;

/// A date with its time, e.g. "January 17, 2025 at 8:13 PM" for an en-US reader in Berlin.
pub fn date_time(timestamp: Timestamp) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        intl_format(timestamp, true).unwrap_or_else(|| timestamp.to_readable_utc())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        timestamp.to_readable_utc()
    }
}

/// A date alone, for lists of related articles.
pub fn date_only(timestamp: Timestamp) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        intl_format(timestamp, false).unwrap_or_else(|| timestamp.to_rfc3339()[..10].to_owned())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        timestamp.to_rfc3339()[..10].to_owned()
    }
}

#[cfg(target_arch = "wasm32")]
fn intl_format(timestamp: Timestamp, with_time: bool) -> Option<String> {
    use wasm_bindgen::JsValue;
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"dateStyle".into(), &"long".into()).ok()?;
    if with_time {
        js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into()).ok()?;
    }
    let format = js_sys::Intl::DateTimeFormat::new(&js_sys::Array::new(), &options);
    let date = js_sys::Date::new(&JsValue::from_f64(timestamp.millis() as f64));
    format.format().call1(&format, &date).ok()?.as_string()
}
