//! Language tags and the writing direction they imply.

/// Text direction for `dir`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Ltr => "ltr",
            Direction::Rtl => "rtl",
        }
    }
}

/// Languages written right to left, by primary subtag.
const RTL_LANGUAGES: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ku-arab", "ps", "sd", "ug", "ur", "yi",
];

/// A well-formed BCP 47 tag as far as the widget cares: letters for the primary subtag, then
/// `-`-separated alphanumeric subtags of 1 to 8 characters. Returns the tag as written.
pub fn valid_language_tag(tag: &str) -> Option<&str> {
    let tag = tag.trim();
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next()?;
    if !(2..=8).contains(&primary.len()) || !primary.chars().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    parts
        .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
        .then_some(tag)
}

/// The direction a language is written in: from its script subtag when it names one
/// (`Arab`, `Hebr`, `Thaa`, `Syrc`, `Nkoo`, `Adlm`, `Rohg` are right to left, `Latn`, `Cyrl`
/// … left to right), else from its primary subtag.
pub fn direction_of(tag: &str) -> Direction {
    let lower = tag.trim().to_ascii_lowercase().replace('_', "-");
    let mut parts = lower.split('-');
    let primary = parts.next().unwrap_or_default();
    if let Some(script) = parts.find(|p| p.len() == 4 && p.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return match script {
            "arab" | "hebr" | "thaa" | "syrc" | "nkoo" | "adlm" | "rohg" | "mand" | "samr" => {
                Direction::Rtl
            }
            _ => Direction::Ltr,
        };
    }
    if RTL_LANGUAGES.contains(&primary) {
        Direction::Rtl
    } else {
        Direction::Ltr
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn right_to_left_languages() {
        for tag in [
            "fa", "ar", "he", "ur", "fa-IR", "AR-EG", "ur_PK", "az-Arab", "ps",
        ] {
            assert_eq!(direction_of(tag), Direction::Rtl, "{tag}");
        }
        for tag in [
            "en",
            "en-GB",
            "ru",
            "fr",
            "de",
            "az",
            "ar-Latn",
            "",
            "zh-Hant-TW",
        ] {
            assert_eq!(direction_of(tag), Direction::Ltr, "{tag}");
        }
    }

    #[test]
    fn tags_are_checked_for_shape() {
        assert_eq!(valid_language_tag("en"), Some("en"));
        assert_eq!(valid_language_tag("fa-IR"), Some("fa-IR"));
        assert_eq!(valid_language_tag("zh-Hant-TW"), Some("zh-Hant-TW"));
        for bad in [
            "",
            "e",
            "english language",
            "en-",
            "en--GB",
            "123",
            "\"><script>",
            "en-toolongsubtag",
        ] {
            assert_eq!(valid_language_tag(bad), None, "{bad:?}");
        }
    }
}
