//! A comment's formatting: the HTML WordPress lets a visitor write in a comment, and bare web
//! addresses made links, read into a tree of blocks and inline nodes (never an HTML string),
//! which the thread renders node by node.
//!
//! Kept: `a[href]` (absolute http(s) or mailto, through [`safe_url`]), `abbr[title]`, `b`,
//! `blockquote`, `cite`, `code`, `del`, `em`, `i`, `q`, `s`, `strike`, `strong` (WordPress's
//! `$allowedtags`; other attributes dropped, `cite` too: a reader never sees it). Every other
//! tag, and every `<` that starts no allowed tag, is shown as the text it was: a reader who
//! types `<script>` or `a < b` sees exactly that. (WordPress's `wp_kses` instead deletes
//! disallowed tags and keeps what lies between them, so `<script>x</script>` shows `x`, and it
//! reads `a < b <div>` as `a <b>`: checked against WordPress 6.1's kses.php. Showing what was
//! typed loses nothing and is as safe, since no text ever becomes markup here.)
//!
//! Blank lines separate paragraphs; a single line break stays in the text. An element left
//! open is closed at the end of its paragraph; a `blockquote` may hold several paragraphs.
//! Bare `http://`, `https://` and `www.` addresses become links as WordPress's `make_clickable`
//! makes them (not inside a link or `code`; trailing `.,;:!?'` and an unpaired `)` left out).
//!
//! Entities: only `&amp; &lt; &gt; &quot; &#39; &apos; &nbsp;` and numeric references are
//! decoded; any other `&name;` stays as typed. So this reader needs no entity table
//! (`entities.rs` is the article's), and the comments can leave the article's code behind.
//!
//! Bounded: at most [`MAX_QUOTE_DEPTH`] quotes and [`MAX_INLINE_DEPTH`] inline elements nest
//! (deeper tags are ignored, their text kept), a tag is at most [`MAX_TAG_CHARS`] long, and
//! the reader makes one pass without recursion.

use super::url::{safe_url, UrlUse};

/// A block of a comment: a paragraph, or a quote of further blocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommentBlock {
    Paragraph(Vec<CommentInline>),
    Quote(Vec<CommentBlock>),
}

/// Inline content of a paragraph. Text never sits next to text (neighbours are merged) and is
/// never empty; an element always has children.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommentInline {
    Text(String),
    Element {
        kind: CommentElement,
        children: Vec<CommentInline>,
    },
}

/// The inline elements a comment may use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CommentElement {
    /// A link whose address passed [`safe_url`] and is absolute http(s) or mailto; written
    /// or made from a bare address.
    Link {
        href: String,
    },
    Abbreviation {
        title: Option<String>,
    },
    Bold,
    Cite,
    Code,
    Deleted,
    Emphasis,
    Italic,
    InlineQuote,
    /// `s` and the obsolete `strike`, which HTML renders alike.
    Strikethrough,
    Strong,
}

impl CommentElement {
    /// The HTML element that shows it.
    pub fn tag(&self) -> &'static str {
        match self {
            CommentElement::Link { .. } => "a",
            CommentElement::Abbreviation { .. } => "abbr",
            CommentElement::Bold => "b",
            CommentElement::Cite => "cite",
            CommentElement::Code => "code",
            CommentElement::Deleted => "del",
            CommentElement::Emphasis => "em",
            CommentElement::Italic => "i",
            CommentElement::InlineQuote => "q",
            CommentElement::Strikethrough => "s",
            CommentElement::Strong => "strong",
        }
    }
}

/// How many `blockquote`s may nest; a deeper one is read as part of the quote around it.
pub const MAX_QUOTE_DEPTH: usize = 8;
/// How many inline elements may nest inside one paragraph; deeper tags are ignored.
pub const MAX_INLINE_DEPTH: usize = 16;
/// The longest text read as one tag; a longer one is text. Keeps every `<` cheap to look at.
pub const MAX_TAG_CHARS: usize = 2048;

/// Reads a comment's text into its blocks. Never fails: what is not an allowed tag is text.
pub fn parse_comment(text: &str) -> Vec<CommentBlock> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut reader = Reader::default();
    let mut rest = text.as_str();
    while let Some(lt) = rest.find('<') {
        reader.text_run(&rest[..lt]);
        rest = &rest[lt..];
        match read_tag(rest) {
            Some((tag, after)) => {
                reader.tag(tag);
                rest = after;
            }
            None => {
                reader.text_run("<");
                rest = &rest[1..];
            }
        }
    }
    reader.text_run(rest);
    reader.finish()
}

/// Plain text written as a comment's text that reads back as exactly that text: `&` and `<`
/// as references, so nothing in it is taken for a tag or a reference. For text that was
/// already shown as text elsewhere (a WordPress comment's rendered HTML reduced to text).
pub fn escape_markup(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

/// The text a reader sees, for places that show no formatting (mail, feeds, webhooks):
/// paragraphs separated by a blank line, quoted lines marked `> `, and a written link's
/// address after its words (`words <https://…>`) unless the words are the address, so that
/// a moderator reading a mail sees where a link leads.
pub fn comment_plain_text(text: &str) -> String {
    let mut out = String::new();
    write_blocks(&parse_comment(text), 0, &mut out);
    out
}

/// How many links the thread shows for this text, written (`<a href>`) or made from bare
/// addresses: what the hold rule (`--hold-links`) counts.
pub fn count_links(text: &str) -> usize {
    fn in_inlines(nodes: &[CommentInline]) -> usize {
        nodes
            .iter()
            .map(|node| match node {
                CommentInline::Text(_) => 0,
                CommentInline::Element { kind, children } => {
                    usize::from(matches!(kind, CommentElement::Link { .. })) + in_inlines(children)
                }
            })
            .sum()
    }
    fn in_blocks(blocks: &[CommentBlock]) -> usize {
        blocks
            .iter()
            .map(|block| match block {
                CommentBlock::Paragraph(nodes) => in_inlines(nodes),
                CommentBlock::Quote(blocks) => in_blocks(blocks),
            })
            .sum()
    }
    in_blocks(&parse_comment(text))
}

/// The visible text of inline nodes.
pub fn inline_text(nodes: &[CommentInline]) -> String {
    fn collect(nodes: &[CommentInline], out: &mut String) {
        for node in nodes {
            match node {
                CommentInline::Text(text) => out.push_str(text),
                CommentInline::Element { children, .. } => collect(children, out),
            }
        }
    }
    let mut out = String::new();
    collect(nodes, &mut out);
    out
}

fn write_blocks(blocks: &[CommentBlock], quote_depth: usize, out: &mut String) {
    for block in blocks {
        match block {
            CommentBlock::Paragraph(nodes) => {
                if !out.is_empty() {
                    out.push_str("\n\n");
                }
                let mut paragraph = String::new();
                write_inlines(nodes, &mut paragraph);
                let marker = "> ".repeat(quote_depth);
                for (index, line) in paragraph.split('\n').enumerate() {
                    if index > 0 {
                        out.push('\n');
                    }
                    out.push_str(&marker);
                    out.push_str(line);
                }
            }
            CommentBlock::Quote(blocks) => write_blocks(blocks, quote_depth + 1, out),
        }
    }
}

fn write_inlines(nodes: &[CommentInline], out: &mut String) {
    for node in nodes {
        match node {
            CommentInline::Text(text) => out.push_str(text),
            CommentInline::Element {
                kind: CommentElement::Link { href },
                children,
            } => {
                // A link holds no link, so its words are all text.
                let words = inline_text(children);
                out.push_str(&words);
                let words = words.trim();
                let says_where = words == href
                    || Some(words) == href.strip_prefix("mailto:")
                    || Some(words) == href.strip_prefix("http://");
                if !says_where {
                    out.push_str(&format!(" <{href}>"));
                }
            }
            CommentInline::Element { children, .. } => write_inlines(children, out),
        }
    }
}

/// The tags a comment may use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagName {
    A,
    Abbr,
    B,
    Blockquote,
    Br,
    Cite,
    Code,
    Del,
    Em,
    I,
    Q,
    S,
    Strike,
    Strong,
}

const TAG_NAMES: [(&str, TagName); 14] = [
    ("a", TagName::A),
    ("abbr", TagName::Abbr),
    ("b", TagName::B),
    ("blockquote", TagName::Blockquote),
    // A line break, for those who type it (WordPress's form makes `<br>` of line breaks).
    ("br", TagName::Br),
    ("cite", TagName::Cite),
    ("code", TagName::Code),
    ("del", TagName::Del),
    ("em", TagName::Em),
    ("i", TagName::I),
    ("q", TagName::Q),
    ("s", TagName::S),
    ("strike", TagName::Strike),
    ("strong", TagName::Strong),
];

/// One allowed tag, read.
struct Tag {
    name: TagName,
    closing: bool,
    href: Option<String>,
    title: Option<String>,
}

/// Reads an allowed tag at the start of `text` (which begins with `<`), ended by `>` within
/// [`MAX_TAG_CHARS`]; `None` when it is anything else (then the `<` is text). Reads bytes:
/// every byte it stops at is ASCII, so every slice it takes falls between characters.
fn read_tag(text: &str) -> Option<(Tag, &str)> {
    let bytes = text.as_bytes();
    let limit = bytes.len().min(MAX_TAG_CHARS);
    let closing = bytes.get(1) == Some(&b'/');
    let mut at = 1 + usize::from(closing);
    let name_start = at;
    while at < limit && bytes[at].is_ascii_alphanumeric() {
        at += 1;
    }
    let name = TAG_NAMES
        .iter()
        .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(&bytes[name_start..at]))?
        .1;
    let mut tag = Tag {
        name,
        closing,
        href: None,
        title: None,
    };
    let separator = |byte: u8| byte.is_ascii_whitespace() || byte == b'/' || byte == b'>';
    if !(at < limit && separator(bytes[at])) {
        return None;
    }
    loop {
        while at < limit && (bytes[at].is_ascii_whitespace() || bytes[at] == b'/') {
            at += 1;
        }
        if at >= limit {
            return None;
        }
        if bytes[at] == b'>' {
            return Some((tag, &text[at + 1..]));
        }
        // An attribute: a name, then perhaps `=` and a value. A `<` where a name should be
        // means this was not a tag after all (and keeps a run of `<a <a <a` cheap).
        let attribute_start = at;
        while at < limit && !separator(bytes[at]) && !matches!(bytes[at], b'=' | b'<') {
            at += 1;
        }
        if at == attribute_start {
            return None;
        }
        let attribute = &bytes[attribute_start..at];
        while at < limit && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        if at >= limit || bytes[at] != b'=' {
            continue;
        }
        at += 1;
        while at < limit && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let value = match bytes.get(at) {
            Some(&quote @ (b'"' | b'\'')) if at < limit => {
                let end = at + 1 + bytes[at + 1..limit].iter().position(|&b| b == quote)?;
                let value = &text[at + 1..end];
                at = end + 1;
                value
            }
            _ => {
                let start = at;
                while at < limit && !bytes[at].is_ascii_whitespace() && bytes[at] != b'>' {
                    at += 1;
                }
                if at >= limit {
                    return None;
                }
                &text[start..at]
            }
        };
        if name == TagName::A && attribute.eq_ignore_ascii_case(b"href") {
            tag.href = Some(decode_references(value));
        } else if name == TagName::Abbr && attribute.eq_ignore_ascii_case(b"title") {
            tag.title = Some(decode_references(value));
        }
    }
}

/// The address a comment's link may have: what [`safe_url`] keeps, absolute http(s) or
/// mailto only. A relative address would lead somewhere different on every page that
/// shows the comment.
fn comment_link(raw: &str) -> Option<String> {
    let url = safe_url(raw, UrlUse::Link)?;
    let (scheme, rest) = url.split_once(':')?;
    let allowed = match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" => rest
            .strip_prefix("//")
            .is_some_and(|host| host.starts_with(|c: char| c.is_alphanumeric() || c == '[')),
        "mailto" => !rest.is_empty(),
        _ => false,
    };
    allowed.then_some(url)
}

#[derive(Default)]
struct Reader {
    /// Finished blocks at the top level.
    root: Vec<CommentBlock>,
    /// The open quotes, innermost last, each with its blocks so far.
    quotes: Vec<Vec<CommentBlock>>,
    /// `blockquote`s opened past [`MAX_QUOTE_DEPTH`], so that their ends close nothing.
    ignored_quotes: usize,
    /// The paragraph being read: its top-level nodes and its open elements (tag name, kind,
    /// children), innermost last.
    paragraph: Vec<CommentInline>,
    open: Vec<(TagName, CommentElement, Vec<CommentInline>)>,
    /// A blank line was read: the next text starts a new paragraph.
    paragraph_break: bool,
}

impl Reader {
    /// Text between tags: paragraphs at blank lines; lines trimmed; references decoded;
    /// bare addresses made links.
    fn text_run(&mut self, run: &str) {
        let lines: Vec<&str> = run.split('\n').collect();
        let last = lines.len() - 1;
        for (index, line) in lines.into_iter().enumerate() {
            let mut line = line;
            if index > 0 {
                line = line.trim_start();
            }
            if index < last {
                line = line.trim_end();
            }
            if index > 0 {
                if line.is_empty() && index < last {
                    self.paragraph_break = true;
                    continue;
                }
                if !self.take_paragraph_break() {
                    self.text("\n");
                }
            }
            if !line.is_empty() {
                self.take_paragraph_break();
                self.linked_text(&decode_references(line));
            }
        }
    }

    /// Ends the paragraph when a blank line came before; says whether it did.
    fn take_paragraph_break(&mut self) -> bool {
        let pending = std::mem::take(&mut self.paragraph_break);
        if pending {
            self.end_paragraph();
        }
        pending
    }

    fn tag(&mut self, tag: Tag) {
        self.take_paragraph_break();
        match (tag.name, tag.closing) {
            (TagName::Br, _) => self.text("\n"),
            (TagName::Blockquote, false) => {
                self.end_paragraph();
                if self.quotes.len() < MAX_QUOTE_DEPTH {
                    self.quotes.push(Vec::new());
                } else {
                    self.ignored_quotes += 1;
                }
            }
            (TagName::Blockquote, true) => {
                self.end_paragraph();
                if self.ignored_quotes > 0 {
                    self.ignored_quotes -= 1;
                } else if let Some(blocks) = self.quotes.pop() {
                    if !blocks.is_empty() {
                        self.blocks().push(CommentBlock::Quote(blocks));
                    }
                }
            }
            (name, false) => {
                let kind = match name {
                    // A link holds no link: the inner one's text stays in the outer.
                    TagName::A
                        if self.inside(|kind| matches!(kind, CommentElement::Link { .. })) =>
                    {
                        return
                    }
                    TagName::A => match tag.href.as_deref().and_then(comment_link) {
                        Some(href) => CommentElement::Link { href },
                        None => return,
                    },
                    TagName::Abbr => CommentElement::Abbreviation {
                        title: tag.title.filter(|title| !title.trim().is_empty()),
                    },
                    TagName::B => CommentElement::Bold,
                    TagName::Cite => CommentElement::Cite,
                    TagName::Code => CommentElement::Code,
                    TagName::Del => CommentElement::Deleted,
                    TagName::Em => CommentElement::Emphasis,
                    TagName::I => CommentElement::Italic,
                    TagName::Q => CommentElement::InlineQuote,
                    TagName::S | TagName::Strike => CommentElement::Strikethrough,
                    _ => CommentElement::Strong,
                };
                if self.open.len() < MAX_INLINE_DEPTH {
                    self.open.push((name, kind, Vec::new()));
                }
            }
            (name, true) => {
                if let Some(position) = self.open.iter().rposition(|(open, _, _)| *open == name) {
                    while self.open.len() > position {
                        self.close_innermost();
                    }
                }
            }
        }
    }

    fn inside(&self, test: impl Fn(&CommentElement) -> bool) -> bool {
        self.open.iter().any(|(_, kind, _)| test(kind))
    }

    fn current(&mut self) -> &mut Vec<CommentInline> {
        match self.open.last_mut() {
            Some((_, _, children)) => children,
            None => &mut self.paragraph,
        }
    }

    fn blocks(&mut self) -> &mut Vec<CommentBlock> {
        match self.quotes.last_mut() {
            Some(blocks) => blocks,
            None => &mut self.root,
        }
    }

    fn text(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let current = self.current();
        if let Some(CommentInline::Text(previous)) = current.last_mut() {
            previous.push_str(text);
        } else {
            current.push(CommentInline::Text(text.to_owned()));
        }
    }

    /// Text with its bare addresses made links, except inside a link or code.
    fn linked_text(&mut self, text: &str) {
        if self.inside(|kind| matches!(kind, CommentElement::Link { .. } | CommentElement::Code)) {
            self.text(text);
            return;
        }
        let mut rest = text;
        while let Some((start, end, href)) = find_address(rest) {
            self.text(&rest[..start]);
            self.current().push(CommentInline::Element {
                kind: CommentElement::Link { href },
                children: vec![CommentInline::Text(rest[start..end].to_owned())],
            });
            rest = &rest[end..];
        }
        self.text(rest);
    }

    fn close_innermost(&mut self) {
        if let Some((_, kind, children)) = self.open.pop() {
            if !children.is_empty() {
                let current = self.current();
                current.push(CommentInline::Element { kind, children });
            }
        }
    }

    fn end_paragraph(&mut self) {
        while !self.open.is_empty() {
            self.close_innermost();
        }
        let mut nodes = std::mem::take(&mut self.paragraph);
        if let Some(CommentInline::Text(first)) = nodes.first_mut() {
            let trimmed = first.trim_start().len();
            first.drain(..first.len() - trimmed);
        }
        if let Some(CommentInline::Text(last)) = nodes.last_mut() {
            last.truncate(last.trim_end().len());
        }
        nodes.retain(|node| !matches!(node, CommentInline::Text(text) if text.is_empty()));
        if !nodes.is_empty() {
            self.blocks().push(CommentBlock::Paragraph(nodes));
        }
    }

    fn finish(mut self) -> Vec<CommentBlock> {
        self.end_paragraph();
        while let Some(blocks) = self.quotes.pop() {
            if !blocks.is_empty() {
                self.blocks().push(CommentBlock::Quote(blocks));
            }
        }
        self.root
    }
}

/// A character a bare address may hold anywhere (WordPress's `[\w\x80-\xff#%~/@\[\]*(+=&$-]`,
/// with non-ASCII letters and digits only, so a closing `”` or `。` ends it).
fn address_character(c: char) -> bool {
    c.is_alphanumeric() || "_#%~/@[]*(+=&$-".contains(c)
}

/// Punctuation an address may hold only when more of it follows.
fn address_punctuation(c: char) -> bool {
    "'.,;:!?)".contains(c)
}

/// The first bare address in `text`: its byte range and the link's address. It starts with
/// `http://`, `https://` or `www.` (any case) at the start, or after a space, an opening
/// bracket or quote, or punctuation (WordPress's `[\s(<.,;:!?]`, without `.` so that
/// `a.www.example` stays a word).
fn find_address(text: &str) -> Option<(usize, usize, String)> {
    let mut from = 0;
    loop {
        // A closure, not a char array: 54 bytes less in the module (brotli).
        #[allow(clippy::manual_pattern_char_comparison)]
        let relative = text[from..].find(|c: char| matches!(c, 'h' | 'H' | 'w' | 'W'))?;
        let start = from + relative;
        from = start + 1;
        let preceded_well = text[..start]
            .chars()
            .next_back()
            .is_none_or(|c| c.is_whitespace() || "(<>,;:!?\"'[{“‘«".contains(c));
        if !preceded_well {
            continue;
        }
        let prefix_len = ["https://", "http://", "www."]
            .into_iter()
            .find(|prefix| starts_with_ignoring_case(&text[start..], prefix))
            .map_or(0, str::len);
        let body = &text[start + prefix_len..];
        // Checked first, so that a prefix followed by punctuation costs nothing to refuse.
        if prefix_len == 0 || !body.starts_with(|c: char| c.is_alphanumeric()) {
            continue;
        }
        // The longest run of address characters, then without its trailing punctuation.
        let run = body
            .find(|c: char| !(address_character(c) || address_punctuation(c)))
            .unwrap_or(body.len());
        let mut address = body[..run].trim_end_matches(address_punctuation);
        // A `)` right after the address belongs to it when the address opened one; then
        // unpaired `)` are cut off from the end, with what follows them (WordPress's rule,
        // in one pass from the end).
        if body[address.len()..].starts_with(')') && address.contains('(') {
            address = &body[..address.len() + 1];
        }
        let mut opens = address.matches('(').count();
        let mut closes = address.matches(')').count();
        let mut passed_opens = 0;
        let mut cut = address.len();
        for (index, c) in address.char_indices().rev() {
            if opens >= closes {
                break;
            }
            match c {
                '(' => passed_opens += 1,
                ')' => {
                    cut = index;
                    opens -= passed_opens;
                    passed_opens = 0;
                    closes -= 1;
                }
                _ => {}
            }
        }
        if cut < address.len() {
            address = address[..cut].trim_end_matches(address_punctuation);
        }
        if address.is_empty() {
            continue;
        }
        let end = start + prefix_len + address.len();
        let written = &text[start..end];
        let href = if prefix_len == 4 {
            format!("http://{written}")
        } else {
            written.to_owned()
        };
        if let Some(href) = comment_link(&href) {
            return Some((start, end, href));
        }
    }
}

fn starts_with_ignoring_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Decodes the few references a comment needs (see the module's notes); others stay as typed.
pub fn decode_references(text: &str) -> String {
    super::entities::decode_references_with(text, few_named)
}

/// The names a comment's text is decoded with: HTML's five and `nbsp`, not the article's table.
fn few_named(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> CommentInline {
        CommentInline::Text(s.to_owned())
    }

    fn element(kind: CommentElement, children: Vec<CommentInline>) -> CommentInline {
        CommentInline::Element { kind, children }
    }

    fn link(href: &str, label: &str) -> CommentInline {
        element(
            CommentElement::Link {
                href: href.to_owned(),
            },
            vec![text(label)],
        )
    }

    fn paragraph(nodes: Vec<CommentInline>) -> CommentBlock {
        CommentBlock::Paragraph(nodes)
    }

    /// The one paragraph a short text makes.
    fn inline(source: &str) -> Vec<CommentInline> {
        match parse_comment(source).as_slice() {
            [CommentBlock::Paragraph(nodes)] => nodes.clone(),
            other => panic!("{source:?} gave {other:?}"),
        }
    }

    #[test]
    fn plain_text_keeps_its_paragraphs_and_lines() {
        assert_eq!(
            parse_comment("one\r\n  two  \n\n\n three\r\rfour\n"),
            vec![
                paragraph(vec![text("one\ntwo")]),
                paragraph(vec![text("three")]),
                paragraph(vec![text("four")]),
            ]
        );
        assert_eq!(parse_comment(" \n\n "), vec![]);
        assert_eq!(parse_comment(""), vec![]);
    }

    #[test]
    fn each_allowed_tag_is_kept() {
        for (source, kind) in [
            ("<b>x</b>", CommentElement::Bold),
            ("<cite>x</cite>", CommentElement::Cite),
            ("<code>x</code>", CommentElement::Code),
            ("<del>x</del>", CommentElement::Deleted),
            ("<em>x</em>", CommentElement::Emphasis),
            ("<i>x</i>", CommentElement::Italic),
            (
                "<q cite=\"https://e.example\">x</q>",
                CommentElement::InlineQuote,
            ),
            ("<s>x</s>", CommentElement::Strikethrough),
            ("<STRIKE>x</strike>", CommentElement::Strikethrough),
            ("<strong class=\"big\">x</strong>", CommentElement::Strong),
            (
                "<abbr>x</abbr>",
                CommentElement::Abbreviation { title: None },
            ),
            (
                "<abbr title=\"HyperText &amp; Markup\">x</abbr>",
                CommentElement::Abbreviation {
                    title: Some("HyperText & Markup".into()),
                },
            ),
            (
                "<a href='https://example.com/?a=1&amp;b=2' onclick=x>x</a>",
                CommentElement::Link {
                    href: "https://example.com/?a=1&b=2".into(),
                },
            ),
            (
                "<a href=mailto:desk@example.com>x</a>",
                CommentElement::Link {
                    href: "mailto:desk@example.com".into(),
                },
            ),
        ] {
            assert_eq!(
                inline(source),
                vec![element(kind, vec![text("x")])],
                "{source}"
            );
        }
        assert_eq!(
            parse_comment("<blockquote cite=\"x\">quoted\n\nmore</blockquote>reply"),
            vec![
                CommentBlock::Quote(vec![
                    paragraph(vec![text("quoted")]),
                    paragraph(vec![text("more")])
                ]),
                paragraph(vec![text("reply")]),
            ]
        );
        assert_eq!(inline("a<br>b<BR/>c"), vec![text("a\nb\nc")]);
    }

    #[test]
    fn other_tags_are_shown_as_typed() {
        assert_eq!(
            inline("<script>alert(1)</script>"),
            vec![text("<script>alert(1)</script>")]
        );
        assert_eq!(inline("a < b and c > d"), vec![text("a < b and c > d")]);
        assert_eq!(inline("a<b"), vec![text("a<b")]);
        assert_eq!(
            inline(r#"<img src=x onerror="alert(1)"><div>x</div><!-- c -->"#),
            vec![text(
                r#"<img src=x onerror="alert(1)"><div>x</div><!-- c -->"#
            )]
        );
        assert_eq!(inline("<bx>y</bx>"), vec![text("<bx>y</bx>")]);
        // Unended tags are text, and take no text with them.
        assert_eq!(inline("x <b and y"), vec![text("x <b and y")]);
        assert_eq!(
            inline_text(&inline("<a href=\"https://e.example>t")),
            "<a href=\"https://e.example>t"
        );
        assert_eq!(
            inline("&lt;b&gt;not bold&lt;/b&gt;"),
            vec![text("<b>not bold</b>")]
        );
    }

    #[test]
    fn unsafe_or_relative_links_keep_only_their_text() {
        for href in [
            "javascript:alert(1)",
            " JaVaScRiPt:alert(1)",
            "java&#x09;script:alert(1)",
            "&#106;avascript:alert(1)",
            "javascript&#58;alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "/relative",
            "//host.example/x",
            "#top",
            "https://",
            "",
        ] {
            let source = format!("<a href=\"{href}\">t</a>");
            assert_eq!(inline(&source), vec![text("t")], "{source}");
        }
        assert_eq!(inline("<a>t</a>"), vec![text("t")]);
        assert_eq!(
            inline("<a href=https://a.example>1<a href=https://b.example>2</a>3"),
            vec![link("https://a.example", "12"), text("3")]
        );
    }

    #[test]
    fn bare_addresses_become_links() {
        assert_eq!(
            inline("see https://example.com/a?b=c&amp;d=e#f."),
            vec![
                text("see "),
                link(
                    "https://example.com/a?b=c&d=e#f",
                    "https://example.com/a?b=c&d=e#f"
                ),
                text(".")
            ]
        );
        assert_eq!(
            inline("(HTTP://e.example/x), www.e.example!"),
            vec![
                text("("),
                link("HTTP://e.example/x", "HTTP://e.example/x"),
                text("), "),
                link("http://www.e.example", "www.e.example"),
                text("!")
            ]
        );
        let wiki = "https://en.wikipedia.org/wiki/Rust_(programming_language)";
        assert_eq!(
            inline(&format!("{wiki}. and ({wiki})")),
            vec![
                link(wiki, wiki),
                text(". and ("),
                link(wiki, wiki),
                text(")")
            ]
        );
        for punctuation in [".", ",", ";", ":", "!", "?", "'", ")", "...", "?!"] {
            assert_eq!(
                inline(&format!("https://e.example/p{punctuation}")),
                vec![
                    link("https://e.example/p", "https://e.example/p"),
                    text(punctuation)
                ],
                "{punctuation}"
            );
        }
        assert_eq!(
            inline("https://e.example/a.b,c"),
            vec![link("https://e.example/a.b,c", "https://e.example/a.b,c")]
        );
        assert_eq!(
            inline("“https://e.example/ü”"),
            vec![
                text("“"),
                link("https://e.example/ü", "https://e.example/ü"),
                text("”")
            ]
        );
        assert_eq!(
            inline("line\nhttps://e.example"),
            vec![
                text("line\n"),
                link("https://e.example", "https://e.example")
            ]
        );
        for not_a_link in [
            "xhttps://e.example",
            "https://",
            "www.",
            "a.www.e.example",
            "https:// e",
        ] {
            assert_eq!(inline(not_a_link), vec![text(not_a_link)], "{not_a_link}");
        }
    }

    #[test]
    fn no_links_are_made_inside_links_or_code() {
        assert_eq!(
            inline("<a href=\"https://a.example\">https://b.example</a>"),
            vec![link("https://a.example", "https://b.example")]
        );
        assert_eq!(
            inline("<code>curl https://e.example</code>"),
            vec![element(
                CommentElement::Code,
                vec![text("curl https://e.example")]
            )]
        );
        assert_eq!(
            inline("<b>https://e.example</b>"),
            vec![element(
                CommentElement::Bold,
                vec![link("https://e.example", "https://e.example")]
            )]
        );
    }

    #[test]
    fn open_elements_close_at_the_paragraphs_end() {
        assert_eq!(
            parse_comment("<b>bold\n\nplain</b> text"),
            vec![
                paragraph(vec![element(CommentElement::Bold, vec![text("bold")])]),
                paragraph(vec![text("plain text")]),
            ]
        );
        assert_eq!(
            inline("<b><i>x</b>y</i>"),
            vec![
                element(
                    CommentElement::Bold,
                    vec![element(CommentElement::Italic, vec![text("x")])]
                ),
                text("y")
            ]
        );
        assert_eq!(inline("</em>stray</blockquote>"), vec![text("stray")]);
        assert_eq!(parse_comment("<em></em><blockquote></blockquote>"), vec![]);
        assert_eq!(
            parse_comment("<blockquote>never closed"),
            vec![CommentBlock::Quote(vec![paragraph(vec![text(
                "never closed"
            )])])]
        );
    }

    #[test]
    fn nesting_is_capped() {
        let deep = format!("{}x{}", "<b>".repeat(100), "</b>".repeat(100));
        let mut depth = 0;
        let mut nodes = inline(&deep);
        while let [CommentInline::Element { children, .. }] = nodes.as_slice() {
            depth += 1;
            nodes = children.clone();
        }
        assert_eq!(depth, MAX_INLINE_DEPTH);
        assert_eq!(nodes, vec![text("x")]);

        let quotes = format!(
            "{}x{}",
            "<blockquote>".repeat(100),
            "</blockquote>".repeat(100)
        );
        let mut depth = 0;
        let mut blocks = parse_comment(&quotes);
        while let [CommentBlock::Quote(inner)] = blocks.as_slice() {
            depth += 1;
            blocks = inner.clone();
        }
        assert_eq!(depth, MAX_QUOTE_DEPTH);
        assert_eq!(blocks, vec![paragraph(vec![text("x")])]);
    }

    #[test]
    fn only_a_few_references_are_decoded() {
        assert_eq!(
            decode_references(
                "&amp; &lt; &gt; &quot; &#39; &apos; &nbsp; &#x41; &#66; &hellip; & &#; &#xZZ;"
            ),
            "& < > \" ' ' \u{a0} A B &hellip; & &#; &#xZZ;"
        );
        assert_eq!(
            decode_references("&#0;&#xD800;&#x110000;&#99999999999;"),
            "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"
        );
    }

    #[test]
    fn plain_text_and_link_count() {
        assert_eq!(
            comment_plain_text(
                "<blockquote>they said\nthis</blockquote>I <b>disagree</b>: <a href=\"https://e.example\">see</a>\n\n<script>"
            ),
            "> they said\n> this\n\nI disagree: see <https://e.example>\n\n<script>"
        );
        assert_eq!(
            comment_plain_text(
                "www.e.example <a href=\"mailto:a@e.example\">a@e.example</a> <b><a href=\"https://e.example\">x</a></b>"
            ),
            "www.e.example a@e.example x <https://e.example>"
        );
        assert_eq!(count_links("see https://a.example and http://b.example"), 2);
        assert_eq!(count_links("www.a.example (www.b.example)"), 2);
        assert_eq!(
            count_links("<a href=\"https://a.example\">https://a.example</a> <a href=\"javascript:x\">y</a>"),
            1
        );
        assert_eq!(count_links("<code>https://a.example</code>"), 0);
    }

    #[test]
    fn long_runs_of_unended_tags_stay_cheap() {
        let started = std::time::Instant::now();
        for piece in [
            "<a ",
            "<a href=\"",
            "<b",
            "<a x=\"<a y='",
            "<",
            "www.",
            "https://x(",
            "&#",
        ] {
            let text = piece.repeat(65_525 / piece.len());
            let _ = parse_comment(&text);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
    }
}
