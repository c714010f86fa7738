//! The article: the public JSON contract (see README, "The article format"), parsed into a
//! model the components can render without further checks.
//!
//! Required fields missing or wrong give an [`ArticleError`] that names the field. Optional
//! fields that are wrong are dropped and noted in [`Article::notices`]; unknown fields are
//! ignored; unknown block types are skipped and counted. Every URL has passed [`safe_url`].

use std::fmt;

use serde_json::{Map, Value};

use super::date::Timestamp;
use super::inline::{parse_inline, plain_text, Inline, InlineKind};
use super::language::{direction_of, valid_language_tag, Direction};
use super::text::split_paragraphs;
use super::url::{safe_url, UrlUse};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Article {
    pub id: String,
    pub url: Option<String>,
    pub language: Option<String>,
    pub kicker: Option<String>,
    pub headline: String,
    pub standfirst: Option<String>,
    pub authors: Vec<Author>,
    pub published: Timestamp,
    pub updated: Option<Timestamp>,
    pub image: Option<Image>,
    pub body: Vec<Block>,
    pub related: Vec<RelatedLink>,
    /// The comments endpoint; `None` when comments are closed or absent.
    pub comments_url: Option<String>,
    /// Which API the comments endpoint speaks.
    pub comments_api: CommentsApi,
    /// What was dropped or skipped while parsing, for the developer console.
    pub notices: Vec<String>,
}

/// The API behind an article's comments URL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CommentsApi {
    /// Ours (the README's contract; the comment service).
    #[default]
    Service,
    /// WordPress's REST API (`/wp/v2/comments`), for the post with this id, written by the
    /// user with this id (0: not known), whose comments get the author's badge, as WordPress
    /// marks them `bypostauthor`.
    WordPress { post: u64, author: u64 },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    pub url: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Image {
    pub src: String,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Candidates as `(url, descriptor)`, e.g. `("a-800.jpg", "800w")`.
    pub srcset: Vec<(String, String)>,
    pub sizes: Option<String>,
}

impl Image {
    /// The `srcset` attribute value, rebuilt from checked candidates.
    pub fn srcset_attribute(&self) -> Option<String> {
        if self.srcset.is_empty() {
            return None;
        }
        let parts: Vec<String> = self
            .srcset
            .iter()
            .map(|(url, descriptor)| {
                if descriptor.is_empty() {
                    url.clone()
                } else {
                    format!("{url} {descriptor}")
                }
            })
            .collect();
        Some(parts.join(", "))
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    Paragraph(Vec<Inline>),
    Heading(String),
    Quote {
        text: Vec<Inline>,
        cite: Option<String>,
    },
    List {
        ordered: bool,
        items: Vec<Vec<Inline>>,
    },
    Image(Image),
}

impl Block {
    /// What a reader reads of the block: its text (a list's items on lines of their own, an
    /// image's caption).
    pub fn text(&self) -> String {
        match self {
            Block::Paragraph(text) | Block::Quote { text, .. } => plain_text(text),
            Block::Heading(text) => text.clone(),
            Block::List { items, .. } => {
                let mut text = String::new();
                for item in items {
                    text.push_str(&plain_text(item));
                    text.push('\n');
                }
                text
            }
            Block::Image(image) => image.caption.clone().unwrap_or_default(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelatedLink {
    pub title: String,
    pub url: String,
    pub image: Option<Image>,
    pub published: Option<Timestamp>,
}

/// Why an article cannot be shown. The messages are written for a reader, and name what a
/// publisher must fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArticleError {
    Syntax {
        line: usize,
        column: usize,
        detail: String,
    },
    NotAnObject,
    /// An HTML page without a schema.org article in its JSON-LD.
    NoStructuredData,
    Missing(&'static str),
    Invalid {
        field: &'static str,
        reason: String,
    },
}

impl fmt::Display for ArticleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArticleError::Syntax {
                line,
                column,
                detail,
            } => write!(
                f,
                "The article is not valid JSON: {detail} at line {line}, column {column}."
            ),
            ArticleError::NotAnObject => f.write_str("The article is not a JSON object."),
            ArticleError::NoStructuredData => {
                f.write_str("The page has no schema.org article (JSON-LD) to show.")
            }
            ArticleError::Missing(field) => write!(f, "The article has no {}.", describe(field)),
            ArticleError::Invalid { field, reason } => {
                write!(
                    f,
                    "The article's {} is not valid: {reason}.",
                    describe(field)
                )
            }
        }
    }
}

impl std::error::Error for ArticleError {}

fn describe(field: &str) -> &str {
    match field {
        "id" => "identifier (id)",
        "headline" => "headline",
        "published" => "publication date (published)",
        "body" => "body",
        other => other,
    }
}

/// Average adult silent reading speed for non-fiction, words per minute.
const WORDS_PER_MINUTE: usize = 230;

impl Article {
    /// An article in our own format (the public contract); the other formats are told apart
    /// and read in `reading.rs` (`Article::parse`, `Article::from_value`).
    pub(super) fn from_own_format(value: &Value) -> Result<Article, ArticleError> {
        let object = value.as_object().ok_or(ArticleError::NotAnObject)?;
        let mut notices = Vec::new();
        let mut fields = Fields {
            object,
            notices: &mut notices,
            path: String::new(),
        };

        let id = fields.required_str("id")?;
        if !valid_article_id(&id) {
            return Err(ArticleError::Invalid {
                field: "id",
                reason: format!("“{id}” may contain only a–z, 0–9 and “-” (at most 200)"),
            });
        }
        let headline = fields.required_str("headline")?;
        let published_text = fields.required_str("published")?;
        let published =
            Timestamp::parse(&published_text).map_err(|error| ArticleError::Invalid {
                field: "published",
                reason: format!("“{published_text}”: {error}"),
            })?;

        let url = fields.optional_url("url", UrlUse::Link);
        let language = fields.optional_str("language").and_then(|tag| {
            let valid = valid_language_tag(&tag).map(str::to_owned);
            if valid.is_none() {
                fields.note(format!("language “{tag}” is not a language tag; ignored"));
            }
            valid
        });
        let kicker = fields.optional_str("kicker");
        let standfirst = fields.optional_str("standfirst");
        let authors = fields.authors();
        let updated = fields.optional_date("updated");
        let image = fields.optional_image("image");
        let body = fields.body();
        let related = fields.related();
        let comments_url = fields.comments();

        Ok(Article {
            id,
            url,
            language,
            kicker,
            headline,
            standfirst,
            authors,
            published,
            updated,
            image,
            body,
            related,
            comments_url,
            comments_api: CommentsApi::Service,
            notices,
        })
    }

    /// The writing direction of the article's language; `None` without a language (then the
    /// host page's applies).
    pub fn direction(&self) -> Option<Direction> {
        self.language.as_deref().map(direction_of)
    }

    /// Words in the standfirst and body.
    pub fn word_count(&self) -> usize {
        let standfirst = self.standfirst.as_deref().map(count_words).unwrap_or(0);
        standfirst
            + self
                .body
                .iter()
                .map(|block| count_words(&block.text()))
                .sum::<usize>()
    }

    /// Whole minutes to read, at least one.
    pub fn reading_minutes(&self) -> usize {
        self.word_count().div_ceil(WORDS_PER_MINUTE).max(1)
    }

    /// Rewrites every URL in the article with `resolve` (which turns a relative URL into an
    /// absolute one against the address the article came from). A URL that `resolve` refuses,
    /// or that is no longer safe afterwards, is dropped as it would have been while parsing.
    pub fn resolve_urls(&mut self, resolve: &dyn Fn(&str) -> Option<String>) {
        let link = |url: &str| resolve(url).and_then(|u| safe_url(&u, UrlUse::Link));
        self.url = self.url.as_deref().and_then(link);
        self.comments_url = self.comments_url.as_deref().and_then(link);
        for author in &mut self.authors {
            author.url = author.url.as_deref().and_then(link);
        }
        if let Some(image) = &mut self.image {
            if !resolve_image(image, resolve) {
                self.image = None;
            }
        }
        self.related.retain_mut(|item| match link(&item.url) {
            Some(url) => {
                item.url = url;
                if let Some(image) = &mut item.image {
                    if !resolve_image(image, resolve) {
                        item.image = None;
                    }
                }
                true
            }
            None => false,
        });
        self.body.retain_mut(|block| match block {
            Block::Paragraph(text) | Block::Quote { text, .. } => {
                resolve_inline(text, &link);
                true
            }
            Block::List { items, .. } => {
                items
                    .iter_mut()
                    .for_each(|item| resolve_inline(item, &link));
                true
            }
            Block::Image(image) => resolve_image(image, resolve),
            Block::Heading(_) => true,
        });
    }
}

/// Resolves an image's URLs; false when its `src` cannot be used.
fn resolve_image(image: &mut Image, resolve: &dyn Fn(&str) -> Option<String>) -> bool {
    let usable = |url: &str| resolve(url).and_then(|u| safe_url(&u, UrlUse::Image));
    image.srcset.retain_mut(|(url, _)| match usable(url) {
        Some(resolved) => {
            *url = resolved;
            true
        }
        None => false,
    });
    match usable(&image.src) {
        Some(src) => {
            image.src = src;
            true
        }
        None => false,
    }
}

/// Resolves the links of an inline tree; a link that cannot be resolved goes, its text stays
/// where it was. Rebuilt in one pass (splicing in place cost the square of a paragraph's
/// links); recursion only as deep as the tree, which `inline::MAX_NESTING` bounds.
fn resolve_inline(nodes: &mut Vec<Inline>, link: &dyn Fn(&str) -> Option<String>) {
    for node in std::mem::take(nodes) {
        match node {
            Inline::Element { kind, mut children } => {
                resolve_inline(&mut children, link);
                match kind {
                    InlineKind::Link { href } => match link(&href) {
                        Some(href) => nodes.push(Inline::Element {
                            kind: InlineKind::Link { href },
                            children,
                        }),
                        None => nodes.extend(children),
                    },
                    kind => nodes.push(Inline::Element { kind, children }),
                }
            }
            other => nodes.push(other),
        }
    }
}

fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

/// serde_json's message without its trailing " at line L column C".
/// Reads fields of one JSON object, noting what it has to drop.
struct Fields<'a> {
    object: &'a Map<String, Value>,
    notices: &'a mut Vec<String>,
    /// Where this object sits, for notices: "", "image.", "related[2].".
    path: String,
}

impl<'a> Fields<'a> {
    fn child<'b>(&'b mut self, object: &'b Map<String, Value>, path: String) -> Fields<'b> {
        Fields {
            object,
            notices: self.notices,
            path,
        }
    }

    fn note(&mut self, message: String) {
        self.notices.push(message);
    }

    fn wrong_type(&mut self, key: &str, wanted: &str) {
        let message = format!("{}{key} is not {wanted}; ignored", self.path);
        self.note(message);
    }

    fn required_str(&mut self, key: &'static str) -> Result<String, ArticleError> {
        match self.object.get(key) {
            None | Some(Value::Null) => Err(ArticleError::Missing(key)),
            Some(Value::String(text)) if text.trim().is_empty() => Err(ArticleError::Missing(key)),
            Some(Value::String(text)) => Ok(text.trim().to_owned()),
            Some(other) => Err(ArticleError::Invalid {
                field: key,
                reason: format!("expected text, found {}", kind_of(other)),
            }),
        }
    }

    /// A non-empty trimmed string, or `None` (noting a wrong type).
    fn optional_str(&mut self, key: &str) -> Option<String> {
        match self.object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => {
                let trimmed = text.trim();
                (!trimmed.is_empty()).then(|| trimmed.to_owned())
            }
            Some(_) => {
                self.wrong_type(key, "text");
                None
            }
        }
    }

    fn optional_url(&mut self, key: &str, usage: UrlUse) -> Option<String> {
        let raw = self.optional_str(key)?;
        let safe = safe_url(&raw, usage);
        if safe.is_none() {
            let message = format!("{}{key} “{raw}” is not an allowed URL; dropped", self.path);
            self.note(message);
        }
        safe
    }

    fn optional_date(&mut self, key: &str) -> Option<Timestamp> {
        let raw = self.optional_str(key)?;
        match Timestamp::parse(&raw) {
            Ok(date) => Some(date),
            Err(error) => {
                let message = format!("{}{key} “{raw}”: {error}; ignored", self.path);
                self.note(message);
                None
            }
        }
    }

    fn optional_dimension(&mut self, key: &str) -> Option<u32> {
        match self.object.get(key) {
            None | Some(Value::Null) => None,
            Some(value) => match value.as_u64().filter(|&n| (1..=100_000).contains(&n)) {
                Some(n) => Some(n as u32),
                None => {
                    self.wrong_type(key, "a whole number of pixels");
                    None
                }
            },
        }
    }

    fn optional_image(&mut self, key: &str) -> Option<Image> {
        let path = format!("{}{key}", self.path);
        match self.object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Object(object)) => self.child(object, format!("{path}.")).image(),
            Some(_) => {
                self.note(format!("{path} is not an object; ignored"));
                None
            }
        }
    }

    /// This object read as an image; `None` (noted) without a usable `src`.
    fn image(&mut self) -> Option<Image> {
        let Some(src) = self.optional_url("src", UrlUse::Image) else {
            let message = format!("{}src is missing or not allowed; image dropped", self.path);
            self.note(message);
            return None;
        };
        let srcset = self
            .optional_str("srcset")
            .map(|set| parse_srcset(&set))
            .unwrap_or_default();
        Some(Image {
            src,
            alt: self.optional_str("alt").unwrap_or_default(),
            caption: self.optional_str("caption"),
            credit: self.optional_str("credit"),
            width: self.optional_dimension("width"),
            height: self.optional_dimension("height"),
            srcset,
            sizes: self.optional_str("sizes"),
        })
    }

    fn authors(&mut self) -> Vec<Author> {
        let Some(list) = self.optional_array("authors") else {
            return Vec::new();
        };
        let mut authors = Vec::new();
        for (index, item) in list.iter().enumerate() {
            match item {
                Value::String(name) if !name.trim().is_empty() => authors.push(Author {
                    name: name.trim().to_owned(),
                    url: None,
                }),
                Value::Object(object) => {
                    let mut author = self.child(object, format!("authors[{index}]."));
                    match author.optional_str("name") {
                        Some(name) => {
                            let url = author.optional_url("url", UrlUse::Link);
                            authors.push(Author { name, url });
                        }
                        None => author.note(format!("authors[{index}] has no name; skipped")),
                    }
                }
                _ => self.note(format!("authors[{index}] is not an author; skipped")),
            }
        }
        authors
    }

    fn optional_array(&mut self, key: &str) -> Option<&'a Vec<Value>> {
        match self.object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(items),
            Some(_) => {
                self.wrong_type(key, "a list");
                None
            }
        }
    }

    fn body(&mut self) -> Vec<Block> {
        match self.object.get("body") {
            None | Some(Value::Null) => Vec::new(),
            // One plain string: blank lines split paragraphs.
            Some(Value::String(text)) => split_paragraphs(text)
                .into_iter()
                .map(|paragraph| Block::Paragraph(parse_inline(&paragraph)))
                .collect(),
            Some(Value::Array(items)) => {
                let mut blocks = Vec::new();
                let mut unknown = 0;
                for (index, item) in items.iter().enumerate() {
                    match self.block(index, item) {
                        BlockRead::Block(block) => blocks.push(block),
                        BlockRead::Unknown => unknown += 1,
                        BlockRead::Dropped => {}
                    }
                }
                if unknown > 0 {
                    self.note(format!("{unknown} body block(s) of unknown type skipped"));
                }
                blocks
            }
            Some(_) => {
                self.wrong_type("body", "a list of blocks or text");
                Vec::new()
            }
        }
    }

    fn block(&mut self, index: usize, item: &Value) -> BlockRead {
        let Value::Object(object) = item else {
            self.note(format!("body[{index}] is not a block; skipped"));
            return BlockRead::Dropped;
        };
        let mut block = self.child(object, format!("body[{index}]."));
        let Some(kind) = block.optional_str("type") else {
            return BlockRead::Unknown;
        };
        let read = match kind.as_str() {
            "paragraph" => block
                .optional_str("text")
                .map(|t| Block::Paragraph(parse_inline(&t))),
            "heading" => block.optional_str("text").map(Block::Heading),
            "quote" => block.optional_str("text").map(|t| Block::Quote {
                text: parse_inline(&t),
                cite: block.optional_str("cite"),
            }),
            "list" => {
                let ordered = matches!(object.get("ordered"), Some(Value::Bool(true)));
                let items: Vec<Vec<Inline>> = block
                    .optional_array("items")
                    .map(|items| {
                        items
                            .iter()
                            .filter_map(Value::as_str)
                            .filter(|s| !s.trim().is_empty())
                            .map(|s| parse_inline(s.trim()))
                            .collect()
                    })
                    .unwrap_or_default();
                (!items.is_empty()).then_some(Block::List { ordered, items })
            }
            "image" => block.image().map(Block::Image),
            _ => return BlockRead::Unknown,
        };
        match read {
            Some(read) => BlockRead::Block(read),
            None => {
                block.note(format!("body[{index}] ({kind}) has no content; skipped"));
                BlockRead::Dropped
            }
        }
    }

    fn related(&mut self) -> Vec<RelatedLink> {
        let Some(list) = self.optional_array("related") else {
            return Vec::new();
        };
        let mut related = Vec::new();
        for (index, item) in list.iter().enumerate() {
            let Value::Object(object) = item else {
                self.note(format!("related[{index}] is not an object; skipped"));
                continue;
            };
            let mut link = self.child(object, format!("related[{index}]."));
            let (Some(title), Some(url)) = (
                link.optional_str("title"),
                link.optional_url("url", UrlUse::Link),
            ) else {
                link.note(format!(
                    "related[{index}] needs a title and an allowed url; skipped"
                ));
                continue;
            };
            let image = link.optional_image("image");
            let published = link.optional_date("published");
            related.push(RelatedLink {
                title,
                url,
                image,
                published,
            });
        }
        related
    }

    fn comments(&mut self) -> Option<String> {
        let object = match self.object.get("comments") {
            None | Some(Value::Null) => return None,
            Some(Value::Object(object)) => object,
            Some(_) => {
                self.wrong_type("comments", "an object");
                return None;
            }
        };
        let mut comments = self.child(object, "comments.".to_owned());
        let enabled = !matches!(object.get("enabled"), Some(Value::Bool(false)));
        if !enabled {
            return None;
        }
        comments.optional_url("url", UrlUse::Link)
    }
}

/// A `srcset` value as checked candidates `(url, descriptor)`; unusable URLs are dropped.
pub(super) fn parse_srcset(set: &str) -> Vec<(String, String)> {
    set.split(',')
        .filter_map(|candidate| {
            let mut words = candidate.split_whitespace();
            let url = safe_url(words.next()?, UrlUse::Image)?;
            Some((url, words.collect::<Vec<_>>().join(" ")))
        })
        .collect()
}

/// The one rule for article ids (the widget's parser and the service's routes use it): a–z,
/// 0–9 and “-”, 1 to 200 characters, so an id is also safe as a file name and in element ids.
pub fn valid_article_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

enum BlockRead {
    Block(Block),
    Unknown,
    Dropped,
}

fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}
