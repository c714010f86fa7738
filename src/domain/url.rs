//! Which URLs from an article may become a link or an image source.
//!
//! A browser forgives a lot in a URL: it strips leading and trailing control characters and
//! spaces, deletes tabs and newlines anywhere, and reads the scheme without regard to case.
//! So `" jav\tascript:alert(1)"` is a script URL. We clean the text the same way first, then
//! decide on the scheme: only the schemes below survive, everything else is dropped.

/// What a URL is going to be used for; images may not be `mailto:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlUse {
    Link,
    Image,
}

/// Returns the URL as the browser would read it, or `None` when it must not be used.
/// Relative URLs (`/a`, `a.json`, `../img.jpg`, `//host/a`, `#top`, `?q`) are kept.
pub fn safe_url(raw: &str, usage: UrlUse) -> Option<String> {
    let cleaned: String = raw
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    if cleaned.is_empty() {
        return None;
    }
    match scheme_of(&cleaned) {
        None => Some(cleaned),
        Some(scheme) => {
            let allowed = match usage {
                UrlUse::Link => matches!(scheme.as_str(), "http" | "https" | "mailto"),
                UrlUse::Image => matches!(scheme.as_str(), "http" | "https"),
            };
            allowed.then_some(cleaned)
        }
    }
}

/// True for an absolute http(s) URL or a protocol-relative one: it may lead off the site,
/// so it gets `rel="noopener noreferrer"`.
pub fn is_external(url: &str) -> bool {
    url.starts_with("//")
        || url.starts_with("\\\\")
        || matches!(scheme_of(url).as_deref(), Some("http" | "https"))
}

/// The lower-cased scheme, when the URL starts with one (`letter *(letter|digit|+|-|.) ":"`).
fn scheme_of(url: &str) -> Option<String> {
    let colon = url.find(':')?;
    let candidate = &url[..colon];
    let mut chars = candidate.chars();
    let first = chars.next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    if !chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')) {
        return None;
    }
    Some(candidate.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_links_are_kept() {
        for url in [
            "https://example.com/a?b=c#d",
            "http://example.com",
            "HTTPS://EXAMPLE.COM",
            "mailto:desk@example.com",
            "/news/article",
            "article.json",
            "../images/photo.jpg",
            "//cdn.example.com/x.js",
            "#top",
            "?src=a.json",
            "a/b:c", // a colon after a slash is not a scheme
        ] {
            assert_eq!(safe_url(url, UrlUse::Link).as_deref(), Some(url), "{url}");
        }
    }

    #[test]
    fn script_urls_are_dropped_in_every_spelling() {
        for url in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "JAVASCRIPT:alert(1)",
            " javascript:alert(1)",
            "\u{1}javascript:alert(1)",
            "\u{0}javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "java\rscript:alert(1)",
            "\tjavascript:alert(1)",
            "javascript\t:alert(1)",
            "vbscript:msgbox(1)",
            "data:text/html,<script>alert(1)</script>",
            "DATA:text/html;base64,PHNjcmlwdD4=",
            "file:///etc/passwd",
            "blob:https://example.com/uuid",
            "x-unknown:thing",
            "",
            "   ",
        ] {
            assert_eq!(safe_url(url, UrlUse::Link), None, "{url:?}");
        }
    }

    #[test]
    fn cleaning_matches_what_the_browser_reads() {
        assert_eq!(
            safe_url("  https://exa\tmple.com/\n ", UrlUse::Link).as_deref(),
            Some("https://example.com/")
        );
    }

    #[test]
    fn images_accept_no_mailto_or_data() {
        assert!(safe_url("images/a.jpg", UrlUse::Image).is_some());
        assert!(safe_url("https://example.com/a.jpg", UrlUse::Image).is_some());
        assert_eq!(safe_url("mailto:a@b.c", UrlUse::Image), None);
        assert_eq!(
            safe_url("data:image/svg+xml,<svg onload=alert(1)>", UrlUse::Image),
            None
        );
        assert_eq!(safe_url("javascript:alert(1)", UrlUse::Image), None);
    }

    #[test]
    fn external_links_are_recognised() {
        assert!(is_external("https://example.com"));
        assert!(is_external("HTTP://example.com"));
        assert!(is_external("//example.com"));
        assert!(!is_external("/local"));
        assert!(!is_external("mailto:a@b.c"));
        assert!(!is_external("other.json"));
    }
}
