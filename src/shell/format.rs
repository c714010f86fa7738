//! Dates for the reader: in the browser through `Intl`, in the widget's interface language
//! (so a Persian article read in an English browser shows a Persian date) and the reader's
//! own time zone; natively (server-side rendering, tests) in UTC, in the interface language
//! with its month names and digits (the tables exist only natively: the module uses `Intl`).
//! Each formatter is created once per language and kind, then reused: creating an
//! `Intl.DateTimeFormat` is far slower than formatting with one.

use crate::domain::date::Timestamp;
use crate::i18n::Language;

/// A date with its time, e.g. "January 17, 2025 at 8:13 PM" in English for a reader in
/// Berlin, "۲۷ دی ۱۴۰۳، ساعت ۲۲:۴۳" in Persian for a reader in Tehran.
pub fn date_time(timestamp: Timestamp, language: Language) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        // `Intl` is in every browser that runs WebAssembly; should it fail, the exact form.
        intl_format(timestamp, language, true).unwrap_or_else(|| timestamp.to_rfc3339())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        utc::date_time(timestamp, language)
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
        utc::date(timestamp, language)
    }
}

/// The server's dates: UTC (it cannot know the reader's zone), Gregorian, in the language.
#[cfg(not(target_arch = "wasm32"))]
mod utc {
    use crate::domain::date::Timestamp;
    use crate::i18n::Language;

    fn months(language: Language) -> [&'static str; 12] {
        match language {
            Language::English => [
                "January",
                "February",
                "March",
                "April",
                "May",
                "June",
                "July",
                "August",
                "September",
                "October",
                "November",
                "December",
            ],
            Language::German => [
                "Januar",
                "Februar",
                "März",
                "April",
                "Mai",
                "Juni",
                "Juli",
                "August",
                "September",
                "Oktober",
                "November",
                "Dezember",
            ],
            Language::French => [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ],
            // The genitive, as after a day number.
            Language::Russian => [
                "января",
                "февраля",
                "марта",
                "апреля",
                "мая",
                "июня",
                "июля",
                "августа",
                "сентября",
                "октября",
                "ноября",
                "декабря",
            ],
            Language::Persian => [
                "ژانویهٔ",
                "فوریهٔ",
                "مارس",
                "آوریل",
                "مهٔ",
                "ژوئن",
                "ژوئیهٔ",
                "اوت",
                "سپتامبر",
                "اکتبر",
                "نوامبر",
                "دسامبر",
            ],
            Language::Arabic => [
                "يناير",
                "فبراير",
                "مارس",
                "أبريل",
                "مايو",
                "يونيو",
                "يوليو",
                "أغسطس",
                "سبتمبر",
                "أكتوبر",
                "نوفمبر",
                "ديسمبر",
            ],
        }
    }

    /// ASCII digits in the language's own.
    fn digits(text: String, language: Language) -> String {
        language.texts().number(text)
    }

    pub fn date(timestamp: Timestamp, language: Language) -> String {
        let (year, month, day, ..) = timestamp.to_utc_parts();
        let name = months(language)[(month as usize).saturating_sub(1).min(11)];
        let text = match language {
            Language::German => format!("{day}. {name} {year}"),
            Language::Russian => format!("{day} {name} {year} г."),
            _ => format!("{day} {name} {year}"),
        };
        digits(text, language)
    }

    pub fn date_time(timestamp: Timestamp, language: Language) -> String {
        let (_, _, _, hour, minute, _) = timestamp.to_utc_parts();
        let time = format!("{hour:02}:{minute:02}");
        let day = date(timestamp, language);
        let text = match language {
            Language::French => format!("{day} à {time} UTC"),
            Language::Persian => format!("{day}، ساعت {time} (UTC)"),
            Language::Arabic => format!("{day}، {time} UTC"),
            _ => format!("{day}, {time} UTC"),
        };
        digits(text, language)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_language_says_the_date_its_way() {
            let at = Timestamp::parse("2025-01-17T19:13:00Z").unwrap();
            let said: Vec<String> = Language::ALL.iter().map(|l| date_time(at, *l)).collect();
            assert_eq!(
                said,
                [
                    "17 January 2025, 19:13 UTC",
                    "۱۷ ژانویهٔ ۲۰۲۵، ساعت ۱۹:۱۳ (UTC)",
                    "١٧ يناير ٢٠٢٥، ١٩:١٣ UTC",
                    "17 января 2025 г., 19:13 UTC",
                    "17 janvier 2025 à 19:13 UTC",
                    "17. Januar 2025, 19:13 UTC",
                ]
            );
        }
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
