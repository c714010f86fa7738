//! Block-level HTML read through an allowlist, the sibling of `inline.rs`: what WordPress
//! serves as `content.rendered` (block-editor or classic HTML, possibly written by an editor
//! whom WordPress does not sanitise) becomes the article's blocks.
//!
//! `p` and loose text → paragraph (the inline allowlist inside); `h1`–`h6` → heading;
//! `blockquote` (its `cite` or `.wp-block-quote__citation` → the citation) → quote; `ul`/`ol`
//! with `li` → list; `figure` with an `img` (its `srcset`, `sizes`, `width`, `height`) and
//! `figcaption` → image, and `img` alone; `figure.wp-block-embed` → a paragraph linking to what
//! it embeds; other containers (`div`, tables, …) are read for what they hold. Scripts,
//! styles, frames, forms, SVG, MathML, templates and media players are dropped with their
//! content. Attributes other than those named never leave here, and nothing here produces
//! HTML: the result is the same model the article JSON gives.

use super::article::{parse_srcset, Block, Image};
use super::inline::{
    attribute, parse_inline, parse_markup, skip_raw_text, Inline, InlineKind, Markup,
};
use super::url::{is_external, safe_url, UrlUse};

/// Elements whose content is not markup (a `</p>` inside a script is not an end tag).
const RAW_TEXT: &[&str] = &[
    "script", "style", "textarea", "title", "xmp", "iframe", "noscript", "noembed", "noframes",
];
/// Elements dropped with everything inside (besides the raw-text ones).
const DROPPED: &[&str] = &[
    "template", "object", "svg", "math", "form", "select", "button", "canvas", "video", "audio",
    "map", "head", "dialog", "datalist",
];
/// Elements that belong to the paragraph around them (the inline reader decides which of
/// them survive).
const INLINE: &[&str] = &[
    "a", "em", "strong", "i", "b", "code", "br", "span", "small", "sub", "sup", "mark", "abbr",
    "time", "u", "s", "q", "kbd", "del", "ins", "font", "bdi", "bdo", "wbr", "data", "var", "samp",
    "dfn", "cite", "label",
];
/// Elements without content or end tag.
const VOID: &[&str] = &[
    "area", "base", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
    "track",
];

/// How many structured elements (headings, lists, quotes, figures) are read inside one
/// another (real articles nest three: a quote holding a list holding a list). Each level
/// reads its part of the HTML again, so the whole costs a few passes per level, and the
/// reader's recursion is this deep at most. Deeper ones are read as
/// plain containers (their text flows on as paragraphs). Containers (`div`, `p`, tables, …)
/// never count: they are read in one pass, without recursion, however deep they nest.
pub const MAX_STRUCTURE_DEPTH: usize = 6;

/// How many different container names the reader keeps count of (real HTML uses a dozen or
/// two: `div`, `p`, `section`, tables…). A name past them is read like an unknown element in a
/// browser, as inline: its end tag does not end the paragraph. The bound keeps each tag's
/// look-up short (the reader linear) without a hash table of its own in the module.
const MAX_CONTAINER_NAMES: usize = 64;

/// Reads block-level HTML into blocks. Never fails: what it does not understand becomes text
/// or is dropped.
pub fn parse_blocks(html: &str) -> Vec<Block> {
    parse_blocks_at(html, 0)
}

/// [`parse_blocks`] for HTML that sits `depth` structured elements deep.
fn parse_blocks_at(html: &str, depth: usize) -> Vec<Block> {
    let mut reader = Reader {
        depth,
        ..Reader::default()
    };
    reader.read(html);
    reader.flush();
    reader.blocks
}

/// The text of some HTML as a reader sees it: white space collapsed, line breaks kept,
/// paragraphs separated by a blank line. For comments, titles, captions and names.
pub fn html_text(html: &str) -> String {
    html_text_at(html, 0)
}

/// [`html_line`] for HTML `depth` structured elements deep.
fn html_line_at(html: &str, depth: usize) -> Option<String> {
    Some(html_text_at(html, depth).replace('\n', " ")).filter(|text| !text.is_empty())
}

fn html_text_at(html: &str, depth: usize) -> String {
    let mut paragraphs: Vec<String> = Vec::new();
    for block in parse_blocks_at(html, depth) {
        let text = match block {
            Block::Paragraph(nodes) | Block::Quote { text: nodes, .. } => lines(&nodes),
            Block::Heading(text) => text,
            Block::List { items, .. } => items
                .iter()
                .map(|i| lines(i))
                .collect::<Vec<_>>()
                .join("\n"),
            Block::Image(_) => continue,
        };
        if !text.is_empty() {
            paragraphs.push(text);
        }
    }
    paragraphs.join("\n\n")
}

/// [`html_text`] on one line (a title, a caption, a name); `None` when it has no text.
pub fn html_line(html: &str) -> Option<String> {
    html_line_at(html, 0)
}

/// Inline nodes as text: runs of white space as one space, `br` as a line break, each line
/// trimmed.
fn lines(nodes: &[Inline]) -> String {
    fn walk(nodes: &[Inline], out: &mut String) {
        for node in nodes {
            match node {
                Inline::Text(text) => {
                    for (index, word) in text.split(|c: char| c.is_whitespace()).enumerate() {
                        if index > 0 && !out.ends_with([' ', '\n']) {
                            out.push(' ');
                        }
                        out.push_str(word);
                    }
                }
                Inline::LineBreak => out.push('\n'),
                Inline::Element { children, .. } => walk(children, out),
            }
        }
    }
    let mut out = String::new();
    walk(nodes, &mut out);
    out.split('\n')
        .map(str::trim)
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_owned()
}

#[derive(Default)]
struct Reader {
    blocks: Vec<Block>,
    /// Inline HTML gathered for the paragraph under way.
    loose: String,
    /// How many structured elements enclose what this reader reads.
    depth: usize,
    /// The containers read through and not yet closed, how many of each name (at most
    /// [`MAX_CONTAINER_NAMES`] names): their end tags end the paragraph under way (a stray
    /// end tag does not, as in a browser).
    open_containers: Vec<(String, usize)>,
}

impl Reader {
    /// One pass over the HTML: containers are read through where they stand (no recursion);
    /// only structured elements are cut out and read apart, one level deeper.
    fn read(&mut self, html: &str) {
        let mut rest = html;
        while let Some(lt) = rest.find('<') {
            self.loose.push_str(&rest[..lt]);
            let tag = &rest[lt..];
            rest = match parse_markup(tag) {
                Markup::Comment(after) => after,
                Markup::Text => {
                    self.loose.push_str("&lt;");
                    &tag[1..]
                }
                Markup::End { name, after } => {
                    if INLINE.contains(&name.as_str()) {
                        self.loose.push_str(&tag[..tag.len() - after.len()]);
                    } else if let Some(open) = self.open_count(&name).filter(|open| **open > 0) {
                        *open -= 1;
                        self.flush();
                    }
                    after
                }
                Markup::Start {
                    name,
                    attributes,
                    after,
                } => {
                    if INLINE.contains(&name.as_str()) {
                        self.loose.push_str(&tag[..tag.len() - after.len()]);
                        after
                    } else {
                        self.element(&name, &attributes, after)
                    }
                }
            };
        }
        self.loose.push_str(rest);
    }

    /// A block-level (or unknown) element whose start tag ends where `after` begins; returns
    /// the HTML after its end.
    fn element<'a>(
        &mut self,
        name: &str,
        attributes: &[(String, String)],
        after: &'a str,
    ) -> &'a str {
        if RAW_TEXT.contains(&name) {
            return skip_raw_text(after, name);
        }
        if VOID.contains(&name) {
            if name == "img" || name == "hr" {
                self.flush();
            }
            if let Some(image) = (name == "img").then(|| image(attributes, None)).flatten() {
                self.blocks.push(Block::Image(image));
            }
            return after;
        }
        if DROPPED.contains(&name) {
            return split_element(after, name).1;
        }
        self.flush();
        let structured = matches!(
            name,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "ul" | "ol" | "blockquote" | "figure"
        );
        if !structured || self.depth >= MAX_STRUCTURE_DEPTH {
            // A container: what it holds is read on from here; its end tag ends the paragraph.
            let counted = self.open_count(name).map(|open| *open += 1).is_some();
            if !counted && self.open_containers.len() < MAX_CONTAINER_NAMES {
                self.open_containers.push((name.to_owned(), 1));
            }
            return after;
        }
        let (inner, rest) = split_element(after, name);
        let deeper = self.depth + 1;
        match name {
            "ul" | "ol" => self.list(name == "ol", inner),
            "blockquote" => self.quote(inner),
            "figure" => self.figure(attribute(attributes, "class").unwrap_or_default(), inner),
            _ => {
                if let Some(text) = html_line_at(inner, deeper) {
                    self.blocks.push(Block::Heading(text));
                }
            }
        }
        rest
    }

    /// How many containers called `name` are open; `None` when the name is not tracked.
    fn open_count(&mut self, name: &str) -> Option<&mut usize> {
        self.open_containers
            .iter_mut()
            .find(|(open, _)| open == name)
            .map(|(_, count)| count)
    }

    /// Ends the paragraph under way, if it has any text.
    fn flush(&mut self) {
        let nodes = trimmed(parse_inline(&std::mem::take(&mut self.loose)));
        if !nodes.is_empty() {
            self.blocks.push(Block::Paragraph(nodes));
        }
    }

    fn list(&mut self, ordered: bool, html: &str) {
        let mut items = Vec::new();
        let mut rest = html;
        while let Some(found) = find_element(rest, &|name, _| name == "li") {
            let item = flattened(parse_blocks_at(found.inner, self.depth + 1));
            if !item.is_empty() {
                items.push(item);
            }
            rest = found.rest;
        }
        if !items.is_empty() {
            self.blocks.push(Block::List { ordered, items });
        }
    }

    fn quote(&mut self, html: &str) {
        let citation = (mentions(html, "<cite") || html.contains("wp-block-quote__citation"))
            .then(|| {
                find_element(html, &|name, attributes| {
                    name == "cite"
                        || attribute(attributes, "class")
                            .is_some_and(|class| class.contains("wp-block-quote__citation"))
                })
            })
            .flatten();
        let deeper = self.depth + 1;
        let (body, cite) = match citation {
            Some(found) => (found.outside(), html_line_at(found.inner, deeper)),
            None => (html.to_owned(), None),
        };
        let text = flattened(parse_blocks_at(&body, deeper));
        if !text.is_empty() {
            self.blocks.push(Block::Quote { text, cite });
        }
    }

    fn figure(&mut self, class: &str, html: &str) {
        let deeper = self.depth + 1;
        let figcaption = mentions(html, "<figcaption")
            .then(|| find_element(html, &|name, _| name == "figcaption"))
            .flatten();
        let caption = figcaption
            .as_ref()
            .and_then(|found| html_line_at(found.inner, deeper));
        if class.contains("wp-block-embed") {
            // The address of what is embedded: the wrapper's text (as WordPress writes it when
            // it could not fetch the embed), else its link, else its frame. Read flat (as if
            // at the deepest level): an address has no structure, and the caption may lie
            // inside the wrapper, which would read that part twice at every level.
            let wrapper = find_element(html, &|_, attributes| {
                attribute(attributes, "class")
                    .is_some_and(|c| c.contains("wp-block-embed__wrapper"))
            })
            .map(|found| html_text_at(found.inner, MAX_STRUCTURE_DEPTH));
            let linked = |element: &str, key: &str| {
                find_element(html, &|name, _| name == element)
                    .and_then(|found| attribute(&found.attributes, key).map(str::to_owned))
            };
            // Only an absolute address: the wrapper of a quoted post (a tweet) holds its text,
            // which must not become a relative link.
            let url = [wrapper, linked("a", "href"), linked("iframe", "src")]
                .into_iter()
                .flatten()
                .filter_map(|url| safe_url(&url, UrlUse::Image))
                .find(|url| is_external(url) && !url.contains(' '));
            if let Some(url) = url {
                let label = caption.unwrap_or_else(|| url.clone());
                self.blocks.push(Block::Paragraph(vec![Inline::Element {
                    kind: InlineKind::Link { href: url },
                    children: vec![Inline::Text(label)],
                }]));
            }
            return;
        }
        let picture = mentions(html, "<img")
            .then(|| find_element(html, &|name, _| name == "img"))
            .flatten()
            .and_then(|found| image(&found.attributes, caption.clone()));
        match picture {
            Some(picture) => self.blocks.push(Block::Image(picture)),
            // Any other figure (a table, a pull quote): what it holds, then its caption.
            None => {
                let held = match &figcaption {
                    Some(found) => parse_blocks_at(&found.outside(), deeper),
                    None => parse_blocks_at(html, deeper),
                };
                self.blocks.extend(held);
                if let Some(caption) = caption {
                    self.blocks
                        .push(Block::Paragraph(vec![Inline::Text(caption)]));
                }
            }
        }
    }
}

/// Whether `needle` (ASCII, lower case) occurs in `html` in any case: a quick look before a
/// full search, which parses every tag on the way (the reader's cost at each level).
fn mentions(html: &str, needle: &str) -> bool {
    html.as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// An `img` element's allowlisted attributes as an image; `None` without a usable `src`.
fn image(attributes: &[(String, String)], caption: Option<String>) -> Option<Image> {
    let src = safe_url(attribute(attributes, "src")?, UrlUse::Image)?;
    let dimension = |key: &str| {
        attribute(attributes, key)
            .and_then(|value| value.trim().parse::<u32>().ok())
            .filter(|n| (1..=100_000).contains(n))
    };
    Some(Image {
        src,
        alt: attribute(attributes, "alt")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        caption,
        credit: None,
        width: dimension("width"),
        height: dimension("height"),
        srcset: attribute(attributes, "srcset")
            .map(parse_srcset)
            .unwrap_or_default(),
        sizes: attribute(attributes, "sizes")
            .map(str::trim)
            .filter(|sizes| !sizes.is_empty())
            .map(str::to_owned),
    })
}

/// Blocks as the inline content of one block (a list item, a quote): paragraphs separated by
/// line breaks; images dropped.
fn flattened(blocks: Vec<Block>) -> Vec<Inline> {
    let mut out = Vec::new();
    let push = |nodes: Vec<Inline>, out: &mut Vec<Inline>| {
        if !out.is_empty() {
            out.push(Inline::LineBreak);
        }
        out.extend(nodes);
    };
    for block in blocks {
        match block {
            Block::Paragraph(nodes) | Block::Quote { text: nodes, .. } => push(nodes, &mut out),
            Block::Heading(text) => push(vec![Inline::Text(text)], &mut out),
            Block::List { items, .. } => items.into_iter().for_each(|item| push(item, &mut out)),
            Block::Image(_) => {}
        }
    }
    out
}

/// Inline nodes without white space at either end; empty when they hold no text.
fn trimmed(mut nodes: Vec<Inline>) -> Vec<Inline> {
    if let Some(Inline::Text(first)) = nodes.first_mut() {
        *first = first.trim_start().to_owned();
    }
    if let Some(Inline::Text(last)) = nodes.last_mut() {
        *last = last.trim_end().to_owned();
    }
    nodes.retain(|node| !matches!(node, Inline::Text(text) if text.is_empty()));
    let has_text = |nodes: &[Inline]| !lines(nodes).is_empty();
    if has_text(&nodes) {
        nodes
    } else {
        Vec::new()
    }
}

/// A tag's attributes: lower-case names and decoded values.
pub(super) type Attributes = [(String, String)];

/// An element found in some HTML: the HTML before its start tag, its attributes, its content
/// and the HTML after its end.
pub(super) struct Found<'a> {
    pub before: &'a str,
    pub attributes: Vec<(String, String)>,
    pub inner: &'a str,
    pub rest: &'a str,
}

impl Found<'_> {
    /// The HTML around the element, without it.
    fn outside(&self) -> String {
        format!("{}{}", self.before, self.rest)
    }
}

/// The first element (at any depth, outside raw text) that `wanted` accepts (a `dyn`: one
/// copy of this loop in the module, not one per caller).
pub(super) fn find_element<'a>(
    html: &'a str,
    wanted: &dyn Fn(&str, &Attributes) -> bool,
) -> Option<Found<'a>> {
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let tag = &rest[lt..];
        rest = match parse_markup(tag) {
            Markup::Start {
                name,
                attributes,
                after,
            } => {
                if wanted(&name, &attributes) {
                    let (inner, rest) = if VOID.contains(&name.as_str()) {
                        ("", after)
                    } else {
                        split_element(after, &name)
                    };
                    return Some(Found {
                        before: &html[..html.len() - tag.len()],
                        attributes,
                        inner,
                        rest,
                    });
                }
                if RAW_TEXT.contains(&name.as_str()) {
                    skip_raw_text(after, &name)
                } else {
                    after
                }
            }
            Markup::End { after, .. } | Markup::Comment(after) => after,
            Markup::Text => &tag[1..],
        };
    }
    None
}

/// Splits the HTML after an element's start tag at its matching end tag: (content, after).
/// Without an end tag the element runs to the end.
fn split_element<'a>(html: &'a str, element: &str) -> (&'a str, &'a str) {
    let mut depth = 0;
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let tag = &rest[lt..];
        rest = match parse_markup(tag) {
            Markup::Start { name, after, .. } => {
                if RAW_TEXT.contains(&name.as_str()) && name != element {
                    skip_raw_text(after, &name)
                } else {
                    depth += usize::from(name == element);
                    after
                }
            }
            Markup::End { name, after } => {
                if name == element {
                    if depth == 0 {
                        return (&html[..html.len() - tag.len()], after);
                    }
                    depth -= 1;
                }
                after
            }
            Markup::Comment(after) => after,
            Markup::Text => &tag[1..],
        };
    }
    (html, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paragraphs(html: &str) -> Vec<String> {
        parse_blocks(html)
            .iter()
            .map(|block| match block {
                Block::Paragraph(nodes) => lines(nodes),
                _ => String::new(),
            })
            .collect()
    }

    /// A container's end tag ends the paragraph for the first `MAX_CONTAINER_NAMES` names; a
    /// name past them is read as an unknown element, inline, and a stray end tag never splits.
    #[test]
    fn container_end_tags_end_paragraphs_for_the_names_counted() {
        assert_eq!(paragraphs("<div>a</div>b"), ["a", "b"]);
        assert_eq!(paragraphs("a</div>b"), ["ab"]);
        let many: String = (0..100).map(|n| format!("<x-{n}></x-{n}>")).collect();
        assert_eq!(
            paragraphs(&format!("<div>{many}<x-past>a</x-past>b</div>c")),
            ["ab", "c"]
        );
    }
}
