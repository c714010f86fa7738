//! schema.org `NewsArticle` / `Article` (JSON-LD) as an article: the object itself, one in
//! a list or an `@graph`, or the first in an HTML page's `<script type="application/ld+json">`.

use serde_json::Value;

use super::article::{valid_article_id, Article, ArticleError, Author, Block, CommentsApi, Image};
use super::blocks::find_element;
use super::date::Timestamp;
use super::inline::{attribute, Inline};
use super::language::valid_language_tag;
use super::text::split_paragraphs;
use super::url::{safe_url, UrlUse};

/// True for an object that speaks JSON-LD (`@context`, `@type` or `@graph`), or a list of them.
pub fn is_json_ld(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.iter().any(is_json_ld),
        _ => ["@context", "@type", "@graph"]
            .iter()
            .any(|key| value.get(key).is_some()),
    }
}

fn is_article(value: &Value) -> bool {
    let kind = |name: &str| name.ends_with("Article") || name == "BlogPosting" || name == "Report";
    match value.get("@type") {
        Some(Value::String(name)) => kind(name),
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).any(kind),
        _ => false,
    }
}

/// The first article in a JSON-LD value (itself, a list, an `@graph`).
pub fn find_article(value: &Value) -> Option<&Value> {
    if is_article(value) {
        return Some(value);
    }
    match value {
        Value::Array(items) => items.iter().find_map(find_article),
        Value::Object(object) => object.get("@graph").and_then(find_article),
        _ => None,
    }
}

/// The contents of an HTML page's JSON-LD scripts, in order.
pub fn json_ld_scripts(html: &str) -> Vec<&str> {
    let mut scripts = Vec::new();
    let mut rest = html;
    while let Some(found) = find_element(rest, &|name, attributes| {
        name == "script"
            && attribute(attributes, "type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"))
    }) {
        scripts.push(found.inner);
        rest = found.rest;
    }
    scripts
}

fn text(value: &Value, key: &str) -> Option<String> {
    let found = match value.get(key)? {
        Value::Array(items) => items.first()?,
        other => other,
    };
    found
        .as_str()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// A URL given as text, as `{"@id"|"url": …}` or as a list of either.
fn url(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(url) => safe_url(url, UrlUse::Link),
        Value::Array(items) => url(items.first()),
        object => url(object.get("url")).or_else(|| url(object.get("@id"))),
    }
}

/// An `Article`-like object as an article: `headline` (else `name`), `datePublished`,
/// `dateModified`, `url` (else `mainEntityOfPage`, else `@id`), `articleBody` as plain text,
/// `description`, `articleSection` as the kicker, `inLanguage`, `author` and `image` in each
/// of their shapes. The id is made from the URL's last segment (`valid_article_id`).
pub fn article_from_json_ld(object: &Value) -> Result<Article, ArticleError> {
    let headline = text(object, "headline")
        .or_else(|| text(object, "name"))
        .ok_or(ArticleError::Missing("headline"))?;
    let date = |key: &str| text(object, key).and_then(|d| Timestamp::parse(&d).ok());
    let published = date("datePublished").ok_or(ArticleError::Missing("published"))?;
    let address = url(object.get("url"))
        .or_else(|| url(object.get("mainEntityOfPage")))
        .or_else(|| url(object.get("@id")));
    let authors = match object.get("author") {
        Some(Value::Array(items)) => items.iter().filter_map(author).collect(),
        Some(one) => author(one).into_iter().collect(),
        None => Vec::new(),
    };
    Ok(Article {
        id: id_from(address.as_deref().unwrap_or(&headline)),
        url: address,
        language: text(object, "inLanguage").filter(|tag| valid_language_tag(tag).is_some()),
        kicker: text(object, "articleSection"),
        standfirst: text(object, "description"),
        headline,
        authors,
        updated: date("dateModified").filter(|updated| *updated > published),
        published,
        image: image(object.get("image")),
        body: text(object, "articleBody")
            .map(|body| {
                split_paragraphs(&body)
                    .into_iter()
                    .map(|p| Block::Paragraph(vec![Inline::Text(p)]))
                    .collect()
            })
            .unwrap_or_default(),
        related: Vec::new(),
        comments_url: None,
        comments_api: CommentsApi::Service,
        notices: Vec::new(),
    })
}

fn author(value: &Value) -> Option<Author> {
    match value {
        Value::String(name) => Some(Author {
            name: name.trim().to_owned(),
            url: None,
        }),
        _ => Some(Author {
            name: text(value, "name")?,
            url: url(value.get("url")),
        }),
    }
    .filter(|author| !author.name.is_empty())
}

fn image(value: Option<&Value>) -> Option<Image> {
    let dimension = |object: &Value, key: &str| {
        let n = match object.get(key)? {
            Value::Number(n) => n.as_u64()?,
            Value::String(s) => s.trim().trim_end_matches("px").parse().ok()?,
            other => other.get("value")?.as_u64()?,
        };
        (1..=100_000).contains(&n).then_some(n as u32)
    };
    match value? {
        Value::String(src) => Some(Image {
            src: safe_url(src, UrlUse::Image)?,
            alt: String::new(),
            caption: None,
            credit: None,
            width: None,
            height: None,
            srcset: Vec::new(),
            sizes: None,
        }),
        Value::Array(items) => items.iter().find_map(|item| image(Some(item))),
        object => Some(Image {
            src: safe_url(
                &text(object, "url").or_else(|| text(object, "contentUrl"))?,
                UrlUse::Image,
            )?,
            alt: text(object, "description").unwrap_or_default(),
            caption: text(object, "caption"),
            credit: text(object, "creditText"),
            width: dimension(object, "width"),
            height: dimension(object, "height"),
            srcset: Vec::new(),
            sizes: None,
        }),
    }
}

/// An article id (`a-z`, `0-9`, `-`) from a URL's last path segment or a headline.
fn id_from(source: &str) -> String {
    let path = source.split(['?', '#']).next().unwrap_or_default();
    let segment = path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default();
    let mut id = String::new();
    for c in segment.chars().map(|c| c.to_ascii_lowercase()) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') && !id.is_empty() {
            id.push('-');
        }
    }
    let id: String = id.trim_end_matches('-').chars().take(200).collect();
    if valid_article_id(&id) {
        id
    } else {
        "article".to_owned()
    }
}
