//! Which comments are held for a moderator although they pass the rules: WordPress's "hold a
//! comment if it contains N or more links".

/// Whether a comment with this many links is held for moderation (WordPress's "hold a
/// comment if it contains N or more links"); `limit` 0 is off.
/// (The commenter's own website field is not counted, as in WordPress.)
pub fn too_many_links(text: &str, limit: usize) -> bool {
    // Counted as the thread shows links (written and bare), by the widget's own rule.
    article_widget::domain::comment_rules::too_many_links(text, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_counted_as_wordpress_counts_them() {
        assert!(!too_many_links("see https://a.example", 2));
        assert!(too_many_links(
            "see https://a.example and http://b.example",
            2
        ));
        assert!(too_many_links("www.a.example (www.b.example)", 2));
        assert!(!too_many_links("https://a https://b https://c", 0));
    }
}
