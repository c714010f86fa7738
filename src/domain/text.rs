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
