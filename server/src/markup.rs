//! Text into the markup the service writes itself (the moderation area's HTML, the Atom
//! feeds): the same escaper as the prerendered markup's, so nothing a commenter wrote becomes
//! markup; and excerpts.

/// The one escaper, shared with the prerendered markup (`article_widget::domain::text`).
pub use article_widget::domain::text::escape_markup as escape;

/// The first `chars` characters, with `…` when there were more.
pub fn excerpt(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_stays_text() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"q\"\u{1}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(excerpt("abcdef", 3), "abc…");
        assert_eq!(excerpt("abc", 3), "abc");
    }
}
