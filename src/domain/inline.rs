//! Rich inline text: the small part of HTML an article's paragraphs, quotes and list items
//! may carry, parsed and rebuilt from an allowlist.
//!
//! Kept: `a[href]` (http, https, mailto, relative), `em`, `strong`, `i`, `b`, `code`, `br`.
//! Every other element is reduced to its text; the contents of `script` and `style` are
//! dropped, as they are not text a reader should see. Nothing here produces HTML: the result is
//! a tree the renderer turns into DOM nodes, so no string ever reaches `inner_html`.

use super::entities::decode_entities;
use super::url::{safe_url, UrlUse};

/// One node of inline content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Inline {
    Text(String),
    LineBreak,
    Element {
        kind: InlineKind,
        children: Vec<Inline>,
    },
}

/// The elements that survive the allowlist.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InlineKind {
    /// A link whose URL passed [`safe_url`].
    Link {
        href: String,
    },
    Emphasis,
    Strong,
    Italic,
    Bold,
    Code,
}

/// How many allowlisted elements may be open inside one another. Real text nests a few
/// (a link in bold in emphasis); past this, an element is read as foreign (its text kept), so
/// every tree this module makes is shallow: walking it, rendering it and dropping it recurse
/// at most this deep, and the builder's stack stays short however the input nests.
pub const MAX_NESTING: usize = 32;

/// Plain text of a tree: what a screen reader or a word count sees.
pub fn plain_text(nodes: &[Inline]) -> String {
    let mut out = String::new();
    collect_text(nodes, &mut out);
    out
}

fn collect_text(nodes: &[Inline], out: &mut String) {
    for node in nodes {
        match node {
            Inline::Text(text) => out.push_str(text),
            Inline::LineBreak => out.push('\n'),
            Inline::Element { children, .. } => collect_text(children, out),
        }
    }
}

/// Parses inline HTML into an allowlisted tree. Never fails: anything it does not understand
/// becomes text.
pub fn parse_inline(html: &str) -> Vec<Inline> {
    let mut builder = TreeBuilder::default();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            builder.text(&decode_entities(rest));
            break;
        };
        if lt > 0 {
            builder.text(&decode_entities(&rest[..lt]));
            rest = &rest[lt..];
        }
        rest = match parse_markup(rest) {
            Markup::Comment(after) => after,
            Markup::Start {
                name,
                attributes,
                after,
            } => {
                if name == "script" || name == "style" {
                    skip_raw_text(after, &name)
                } else {
                    builder.open(&name, attribute(&attributes, "href"));
                    after
                }
            }
            Markup::End { name, after } => {
                builder.close(&name);
                after
            }
            Markup::Text => {
                builder.text("<");
                &rest[1..]
            }
        };
    }
    builder.finish()
}

/// One piece of markup (shared with the block reader, `blocks.rs`).
pub(super) enum Markup<'a> {
    Comment(&'a str),
    Start {
        name: String,
        attributes: Vec<(String, String)>,
        after: &'a str,
    },
    End {
        name: String,
        after: &'a str,
    },
    /// A `<` that starts no markup: it is text.
    Text,
}

/// Reads one piece of markup at the start of `text` (which begins with `<`).
pub(super) fn parse_markup(text: &str) -> Markup<'_> {
    let body = &text[1..];
    if let Some(comment) = body.strip_prefix("!--") {
        return Markup::Comment(match comment.find("-->") {
            Some(end) => &comment[end + 3..],
            None => "",
        });
    }
    if body.starts_with('!') || body.starts_with('?') {
        // A doctype, CDATA or processing instruction: none of it is text.
        return Markup::Comment(match body.find('>') {
            Some(end) => &body[end + 1..],
            None => "",
        });
    }
    let (closing, after_slash) = match body.strip_prefix('/') {
        Some(rest) => (true, rest),
        None => (false, body),
    };
    if !after_slash.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return Markup::Text;
    }
    let name_len = after_slash
        .find(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>')
        .unwrap_or(after_slash.len());
    let name = after_slash[..name_len].to_ascii_lowercase();
    let (attributes, after) = read_attributes(&after_slash[name_len..]);
    if closing {
        Markup::End { name, after }
    } else {
        Markup::Start {
            name,
            attributes,
            after,
        }
    }
}

/// The value of the attribute `name` (lower case), if the tag has it.
pub(super) fn attribute<'a>(attributes: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attributes
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Reads attributes up to the closing `>` of a tag; returns them (names lower-cased, values
/// entity-decoded) and the text after the tag.
fn read_attributes(mut text: &str) -> (Vec<(String, String)>, &str) {
    let mut attributes = Vec::new();
    loop {
        text = text.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/');
        if text.is_empty() {
            return (attributes, "");
        }
        if let Some(after) = text.strip_prefix('>') {
            return (attributes, after);
        }
        let name_len = text
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, '/' | '>' | '='))
            .unwrap_or(text.len())
            .max(1);
        let name = text[..name_len].to_ascii_lowercase();
        text = text[name_len..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let mut value = String::new();
        if let Some(after_eq) = text.strip_prefix('=') {
            let after_eq = after_eq.trim_start_matches(|c: char| c.is_ascii_whitespace());
            let (raw, after_value) = match after_eq.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after_eq[1..];
                    match inner.find(quote) {
                        Some(end) => (&inner[..end], &inner[end + 1..]),
                        None => (inner, ""),
                    }
                }
                _ => {
                    let end = after_eq
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .unwrap_or(after_eq.len());
                    (&after_eq[..end], &after_eq[end..])
                }
            };
            value = decode_entities(raw);
            text = after_value;
        }
        attributes.push((name, value));
    }
}

/// Skips the contents of a raw-text element up to and including its end tag (`</name`, in any
/// case). Reads only what it skips: many scripts in a row cost their length, not its square.
pub(super) fn skip_raw_text<'a>(text: &'a str, name: &str) -> &'a str {
    let mut from = 0;
    while let Some(found) = text[from..].find("</") {
        let start = from + found;
        let after_slash = &text.as_bytes()[start + 2..];
        if after_slash.len() >= name.len()
            && after_slash[..name.len()].eq_ignore_ascii_case(name.as_bytes())
        {
            return match text[start..].find('>') {
                Some(end) => &text[start + end + 1..],
                None => "",
            };
        }
        from = start + 2;
    }
    ""
}

#[derive(Default)]
struct TreeBuilder {
    /// The open allowlisted elements, innermost last, with the children gathered so far; at
    /// most [`MAX_NESTING`].
    open: Vec<(String, InlineKind, Vec<Inline>)>,
    root: Vec<Inline>,
}

impl TreeBuilder {
    fn current(&mut self) -> &mut Vec<Inline> {
        match self.open.last_mut() {
            Some((_, _, children)) => children,
            None => &mut self.root,
        }
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let current = self.current();
        if let Some(Inline::Text(previous)) = current.last_mut() {
            previous.push_str(text);
        } else {
            current.push(Inline::Text(text.to_owned()));
        }
    }

    fn open(&mut self, name: &str, href: Option<&str>) {
        let kind = match name {
            "br" => {
                self.current().push(Inline::LineBreak);
                return;
            }
            "em" => InlineKind::Emphasis,
            "strong" => InlineKind::Strong,
            "i" => InlineKind::Italic,
            "b" => InlineKind::Bold,
            "code" => InlineKind::Code,
            // A link inside a link is not allowed in HTML; its text stays in the outer one.
            "a" if !self.inside_link() => match href.and_then(|h| safe_url(h, UrlUse::Link)) {
                Some(href) => InlineKind::Link { href },
                None => return,
            },
            _ => return,
        };
        if self.open.len() < MAX_NESTING {
            self.open.push((name.to_owned(), kind, Vec::new()));
        }
    }

    fn inside_link(&self) -> bool {
        self.open
            .iter()
            .any(|(_, kind, _)| matches!(kind, InlineKind::Link { .. }))
    }

    fn close(&mut self, name: &str) {
        if let Some(position) = self.open.iter().rposition(|(open, _, _)| open == name) {
            while self.open.len() > position {
                self.close_innermost();
            }
        }
    }

    fn close_innermost(&mut self) {
        if let Some((_, kind, children)) = self.open.pop() {
            if !children.is_empty() {
                self.current().push(Inline::Element { kind, children });
            }
        }
    }

    fn finish(mut self) -> Vec<Inline> {
        while !self.open.is_empty() {
            self.close_innermost();
        }
        self.root
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_owned())
    }

    fn element(kind: InlineKind, children: Vec<Inline>) -> Inline {
        Inline::Element { kind, children }
    }

    fn link(href: &str, children: Vec<Inline>) -> Inline {
        element(
            InlineKind::Link {
                href: href.to_owned(),
            },
            children,
        )
    }

    /// Every element kind a tree contains, to prove no other element can come out.
    fn kinds(nodes: &[Inline]) -> Vec<InlineKind> {
        let mut out = Vec::new();
        for node in nodes {
            if let Inline::Element { kind, children } = node {
                out.push(kind.clone());
                out.extend(kinds(children));
            }
        }
        out
    }

    #[test]
    fn plain_text_passes_through() {
        assert_eq!(
            parse_inline("The treaty was signed."),
            vec![text("The treaty was signed.")]
        );
        assert_eq!(parse_inline(""), vec![]);
    }

    #[test]
    fn allowed_elements_survive() {
        assert_eq!(
            parse_inline("a <em>b</em> <strong>c</strong> <i>d</i> <b>e</b> <code>f</code><br>g"),
            vec![
                text("a "),
                element(InlineKind::Emphasis, vec![text("b")]),
                text(" "),
                element(InlineKind::Strong, vec![text("c")]),
                text(" "),
                element(InlineKind::Italic, vec![text("d")]),
                text(" "),
                element(InlineKind::Bold, vec![text("e")]),
                text(" "),
                element(InlineKind::Code, vec![text("f")]),
                Inline::LineBreak,
                text("g"),
            ]
        );
        assert_eq!(
            parse_inline(
                r#"See <A HREF="https://example.com/x?a=1&amp;b=2" onclick="evil()">this</A>."#
            ),
            vec![
                text("See "),
                link("https://example.com/x?a=1&b=2", vec![text("this")]),
                text(".")
            ]
        );
        assert_eq!(
            parse_inline("<br/>x<BR />"),
            vec![Inline::LineBreak, text("x"), Inline::LineBreak]
        );
    }

    #[test]
    fn scripts_are_removed_with_their_content() {
        assert_eq!(
            parse_inline("a<script>alert(1)</script>b"),
            vec![text("ab")]
        );
        assert_eq!(
            parse_inline("a<SCRIPT type=x>alert('</b>')</ScRiPt >b"),
            vec![text("ab")]
        );
        assert_eq!(parse_inline("a<style>p{}</style>b"), vec![text("ab")]);
        assert_eq!(parse_inline("a<script>never closed"), vec![text("a")]);
    }

    #[test]
    fn event_handlers_and_foreign_elements_become_text() {
        assert_eq!(
            parse_inline(r#"<img src=x onerror="alert(1)">caption"#),
            vec![text("caption")]
        );
        assert_eq!(
            parse_inline(r#"<svg onload=alert(1)><circle/></svg>ok"#),
            vec![text("ok")]
        );
        assert_eq!(
            parse_inline(r#"<iframe src="javascript:alert(1)">inner</iframe>"#),
            vec![text("inner")]
        );
        assert_eq!(
            parse_inline(r#"<em onmouseover="alert(1)" style="x">hi</em>"#),
            vec![element(InlineKind::Emphasis, vec![text("hi")])]
        );
        assert_eq!(
            parse_inline("<p>one</p><div>two</div>"),
            vec![text("onetwo")]
        );
    }

    #[test]
    fn hostile_link_urls_are_dropped_and_their_text_kept() {
        for href in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java&#x09;script:alert(1)",
            "java&#9;script:alert(1)",
            "&#106;avascript:alert(1)",
            "&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)",
            "javascript&#58;alert(1)",
            "java\nscript:alert(1)",
            "&#0000106;avascript:alert(1)",
            "vbscript:x",
            "data:text/html,<script>alert(1)</script>",
            "",
        ] {
            for quoted in [
                format!(r#"<a href="{href}">t</a>"#),
                format!("<a href='{href}'>t</a>"),
            ] {
                assert_eq!(parse_inline(&quoted), vec![text("t")], "{quoted}");
            }
        }
        assert_eq!(parse_inline("<a>no href</a>"), vec![text("no href")]);
        assert_eq!(
            parse_inline("<a href=javascript:alert(1)>t</a>"),
            vec![text("t")]
        );
    }

    #[test]
    fn only_allowed_kinds_ever_come_out() {
        // The whole tree is pinned: any element, attribute or script text that got through
        // would change it. (A nested link keeps its text in the outer one; foreign elements
        // are reduced to text; script content is gone; escaped markup stays text.)
        let hostile = r#"<a href="https://ok.example"><a href="/inner">x</a></a>
            <math><mi xlink:href="javascript:alert(1)">m</mi></math><object data=x>o</object>
            <a href="//evil.example" target=_blank>proto</a><form action=x><input value=v></form>
            <<script>>alert(1)<</script>> <!-- <script>alert(1)</script> --> &lt;script&gt;"#;
        let nodes = parse_inline(hostile);
        assert_eq!(
            nodes,
            vec![
                link("https://ok.example", vec![text("x")]),
                text("\n            mo\n            "),
                link("//evil.example", vec![text("proto")]),
                text("\n            <>  <script>"),
            ]
        );
        assert_eq!(
            kinds(&nodes),
            [
                InlineKind::Link {
                    href: "https://ok.example".into()
                },
                InlineKind::Link {
                    href: "//evil.example".into()
                }
            ]
        );
    }

    #[test]
    fn nesting_is_repaired() {
        assert_eq!(
            parse_inline("<b><i>x</b>y</i>"),
            vec![
                element(
                    InlineKind::Bold,
                    vec![element(InlineKind::Italic, vec![text("x")])]
                ),
                text("y")
            ]
        );
        assert_eq!(
            parse_inline("<em>open"),
            vec![element(InlineKind::Emphasis, vec![text("open")])]
        );
        assert_eq!(parse_inline("</em>stray"), vec![text("stray")]);
        assert_eq!(parse_inline("<em></em>"), vec![]);
        assert_eq!(
            parse_inline(r#"<a href="/a">1<a href="/b">2</a>3"#),
            vec![link("/a", vec![text("12")]), text("3")]
        );
    }

    #[test]
    fn lone_angle_brackets_and_entities_are_text() {
        assert_eq!(
            parse_inline("3 < 4 and 5 > 2"),
            vec![text("3 < 4 and 5 > 2")]
        );
        assert_eq!(parse_inline("a<1"), vec![text("a<1")]);
        assert_eq!(
            parse_inline("&ldquo;big&rdquo; &amp; &#8220;basic&#x201D; &unknown; & &#xZZ;"),
            vec![text("“big” & “basic” &unknown; & &#xZZ;")]
        );
        assert_eq!(
            decode_entities("&#0;&#xD800;&#x110000;"),
            "\u{FFFD}\u{FFFD}\u{FFFD}"
        );
        assert_eq!(
            decode_entities("&éééééééééééééééééééééé;"),
            "&éééééééééééééééééééééé;"
        );
        assert_eq!(
            decode_entities("&😀😀😀😀😀😀😀😀😀😀"),
            "&😀😀😀😀😀😀😀😀😀😀"
        );
    }

    #[test]
    fn never_panics_on_arbitrary_fragments() {
        // A deterministic sweep over awkward combinations: multi-byte characters next to
        // markup, unterminated tags, attributes and references.
        let pieces = [
            "<",
            ">",
            "&",
            ";",
            "#",
            "x",
            "<a href=",
            "\"",
            "'",
            "</",
            "<!--",
            "-->",
            "<script>",
            "é",
            "پ",
            "😀",
            "&#",
            "&#x",
            "&amp",
            "<br",
            "/",
            "=",
            " ",
            "\t",
            "<em>",
            "</em>",
            "&#1234567890;",
            "<a href=\"https://e.x\">",
            "<?",
            "<!",
            "\u{0}",
        ];
        let mut seed = 0x2545_f491_u32;
        for _ in 0..20_000 {
            let mut input = String::new();
            for _ in 0..(seed % 12) {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                input.push_str(pieces[(seed as usize) % pieces.len()]);
            }
            let nodes = parse_inline(&input);
            let _ = plain_text(&nodes);
        }
    }

    #[test]
    fn unicode_text_is_untouched() {
        let persian = "پزشکیان و پوتین <em>پیمان</em> را امضا کردند";
        assert_eq!(
            plain_text(&parse_inline(persian)),
            "پزشکیان و پوتین پیمان را امضا کردند"
        );
    }
}
