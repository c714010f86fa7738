//! Plain-text helpers shared by the article model, the comments and the markup written as
//! text: paragraphs from text, and the one escaper.

/// Splits plain text into paragraphs at blank lines; single line breaks stay inside.
pub fn split_paragraphs(text: &str) -> Vec<String> {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in normalised.split('\n') {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim());
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n"));
    }
    paragraphs
}

/// Text for HTML and XML, in content and in attribute values alike: `&`, `<`, `>`, `"` and
/// `'` as references; the control characters XML 1.0 forbids dropped. For markup written as
/// text (the prerendered element's attributes, the service's own pages, feeds and mail).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_split_and_single_breaks_stay() {
        assert_eq!(
            split_paragraphs("one\r\ntwo\n\n\n  three  \r\rfour\n"),
            ["one\ntwo", "three", "four"]
        );
        assert!(split_paragraphs(" \n\n ").is_empty());
    }
}
