//! schema.org `NewsArticle` for an article, as JSON-LD: the fields Google documents for
//! Article rich results (`headline`, `image`, `datePublished`, `dateModified`, `author` with
//! `name` and `url`), plus `description`, `inLanguage` and `mainEntityOfPage`. Prerendered
//! pages put it in the light DOM, where crawlers read structured data.

use serde_json::{json, Map, Value};

use super::article::Article;

/// The JSON-LD object of an article.
pub fn news_article(article: &Article) -> Value {
    let mut object = Map::new();
    object.insert("@context".into(), json!("https://schema.org"));
    object.insert("@type".into(), json!("NewsArticle"));
    object.insert("headline".into(), json!(article.headline));
    if let Some(standfirst) = &article.standfirst {
        object.insert("description".into(), json!(standfirst));
    }
    if let Some(image) = &article.image {
        object.insert("image".into(), json!([image.src]));
    }
    object.insert(
        "datePublished".into(),
        json!(article.published.to_rfc3339()),
    );
    object.insert(
        "dateModified".into(),
        json!(article.updated.unwrap_or(article.published).to_rfc3339()),
    );
    if !article.authors.is_empty() {
        let authors: Vec<Value> = article
            .authors
            .iter()
            .map(|author| {
                let mut person = Map::new();
                person.insert("@type".into(), json!("Person"));
                person.insert("name".into(), json!(author.name));
                if let Some(url) = &author.url {
                    person.insert("url".into(), json!(url));
                }
                Value::Object(person)
            })
            .collect();
        object.insert("author".into(), Value::Array(authors));
    }
    if let Some(language) = &article.language {
        object.insert("inLanguage".into(), json!(language));
    }
    if let Some(url) = &article.url {
        object.insert("mainEntityOfPage".into(), json!(url));
        object.insert("url".into(), json!(url));
    }
    Value::Object(object)
}

/// The text of a `<script type="application/ld+json">` (or any JSON data block): JSON in which
/// `<`, `>` and `&` are escaped as `\u003c`, `\u003e` and `\u0026`, so no article text can
/// close the script element or open a comment, whatever it contains.
pub fn script_safe_json(value: &Value) -> String {
    escape_for_script(&value.to_string())
}

/// The same escaping for JSON text that is already serialised.
pub fn escape_for_script(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn article() -> Article {
        Article::parse(
            r#"{"id": "a", "url": "https://news.example/a", "language": "en",
                "headline": "Treaty </script><script>alert(1)</script>",
                "standfirst": "What it says.",
                "authors": [{"name": "Ann", "url": "https://news.example/ann"}, "Bob"],
                "published": "2025-01-17T19:13:00Z", "updated": "2025-01-18T08:00:00Z",
                "image": {"src": "https://news.example/a.jpg", "alt": "A"},
                "body": "Text."}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_documented_fields_are_there() {
        let value = news_article(&article());
        assert_eq!(value["@type"], "NewsArticle");
        assert_eq!(value["image"], json!(["https://news.example/a.jpg"]));
        assert_eq!(value["datePublished"], "2025-01-17T19:13:00Z");
        assert_eq!(value["dateModified"], "2025-01-18T08:00:00Z");
        assert_eq!(
            value["author"],
            json!([{"@type": "Person", "name": "Ann", "url": "https://news.example/ann"},
                   {"@type": "Person", "name": "Bob"}])
        );
        assert_eq!(value["mainEntityOfPage"], "https://news.example/a");
        assert_eq!(value["inLanguage"], "en");
    }

    #[test]
    fn no_text_can_close_the_script_element() {
        let text = script_safe_json(&news_article(&article()));
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            back["headline"], "Treaty </script><script>alert(1)</script>",
            "the same data once parsed"
        );
    }
}
