//! Which comments are held for a moderator although they pass the rules: WordPress's "hold a
//! comment if it contains N or more links".

/// Whether a comment with this many links is held for moderation (WordPress's "hold a
/// comment if it contains N or more links"); `limit` 0 is off.
/// (The commenter's own website field is not counted, as in WordPress.)
pub fn too_many_links(text: &str, limit: usize) -> bool {
    if limit == 0 {
        return false;
    }
    let lower = text.to_lowercase();
    let links = lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower
            .split(|c: char| c.is_whitespace() || c == '(' || c == '<')
            .filter(|word| word.starts_with("www."))
            .count();
    links >= limit
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
