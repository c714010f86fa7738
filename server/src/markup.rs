//! Text into the markup the service writes itself. Pages, feeds and mail pages are maud
//! templates (`html!` escapes every splice); this module holds what they share: the small
//! page's layout, the filter that keeps XML well-formed, and excerpts. Nothing in the service
//! escapes by hand.

use std::borrow::Cow;

use maud::{html, Markup, PreEscaped};

/// The first `chars` characters, with `…` when there were more.
pub fn excerpt(text: &str, chars: usize) -> String {
    let mut out: String = text.chars().take(chars).collect();
    if text.chars().count() > chars {
        out.push('…');
    }
    out
}

/// The text without the characters XML 1.0 forbids (C0 controls other than tab, line feed and
/// carriage return; U+FFFE, U+FFFF): maud escapes `&`, `<`, `>` and `"`, which is all XML
/// needs in text and double-quoted attributes, but a forbidden character cannot be escaped at
/// all (not even as a reference), and one would make the whole document unreadable.
pub fn xml_text(text: &str) -> Cow<'_, str> {
    let forbidden = |c: char| {
        !matches!(c, '\t' | '\n' | '\r')
            && ((c as u32) < 0x20 || matches!(c, '\u{FFFE}' | '\u{FFFF}'))
    };
    if text.contains(forbidden) {
        Cow::Owned(text.chars().filter(|&c| !forbidden(c)).collect())
    } else {
        Cow::Borrowed(text)
    }
}

/// A small page of the service's own (a link's answer, an error): a heading and a few
/// paragraphs in a narrow column, readable without any stylesheet of the site's.
pub fn small_page(title: &str, content: Markup) -> Markup {
    html! {
        // Our own constant: lower case, as every page of the service writes it.
        (PreEscaped("<!doctype html>"))
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
            }
            body style="font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem" {
                (content)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excerpts_end_with_an_ellipsis_when_cut() {
        assert_eq!(excerpt("abcdef", 3), "abc…");
        assert_eq!(excerpt("abc", 3), "abc");
    }

    #[test]
    fn xml_text_keeps_only_what_xml_allows() {
        assert_eq!(xml_text("a\u{1}b\u{b}c\td\ne\rf\u{FFFF}"), "abc\td\ne\rf");
        assert!(matches!(xml_text("plain <text> & é"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_small_page_escapes_its_title_and_keeps_its_content() {
        let page = small_page("<b>", html! { p { "x & y" } }).into_string();
        assert!(
            page.starts_with("<!doctype html><html lang=\"en\">"),
            "{page}"
        );
        assert!(page.contains("<title>&lt;b&gt;</title>"), "{page}");
        assert!(page.contains("<p>x &amp; y</p>"), "{page}");
    }
}
