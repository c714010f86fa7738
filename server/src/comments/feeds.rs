//! Atom feeds of approved comments (RFC 4287): `GET /feeds/{article}.atom` for one article's
//! and `GET /feeds/comments.atom` for the whole site's, the 50 newest, each entry linking to
//! the comment on its reading page. Authors by name only (never an email); the text as the
//! thread shows it, without its tags (`comment_plain_text`).
//! A validator over the feed, a five-minute public lifetime, 304.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, PreEscaped};

use article_widget::domain::comment_markup::comment_plain_text;
use article_widget::domain::date::Timestamp;

use crate::clock::now_ms;
use crate::http::delivery::{content_tag, not_modified, with_validator};
use crate::http::error::ApiError;
use crate::http::AppState;
use crate::markup::xml_text;
use crate::store::{ModerationStatus, StoredComment};

const ENTRIES: i64 = 50;
const CACHE: &str = "public, max-age=300, stale-while-revalidate=3600";

pub fn routes() -> Router<AppState> {
    Router::new().route("/feeds/{file}", get(feed))
}

fn date(ms: i64) -> String {
    Timestamp::from_millis(ms).to_rfc3339()
}

async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Some(name) = file.strip_suffix(".atom") else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let article = (name != "comments").then_some(name);
    if let Some(id) = article {
        if !state.articles.comments_open(id).await {
            return Err(ApiError::NoComments);
        }
    }
    let comments = state
        .store
        .search_comments(Some(ModerationStatus::Approved), article, None, ENTRIES)
        .await?;
    // A comment its author deleted while it had replies stays as a tombstone without text
    // (`store::edits`); a feed has nothing to say of it. (No comment is stored without text:
    // the rules want 3 characters at least.)
    let comments: Vec<_> = comments
        .into_iter()
        .filter(|c| !c.content.is_empty())
        .collect();
    let base = &state.settings.public_url;
    // Each article's headline, read before the template (which cannot wait).
    let mut titles = std::collections::HashMap::new();
    for id in comments
        .iter()
        .map(|c| c.article_id.as_str())
        .chain(article)
    {
        if !titles.contains_key(id) {
            titles.insert(id.to_owned(), state.articles.title(id).await);
        }
    }
    let title_of = |id: &str| titles.get(id).cloned().unwrap_or_else(|| id.to_owned());
    let (title, self_link, page) = match article {
        Some(id) => (
            format!("Comments on “{}”", title_of(id)),
            format!("{base}/feeds/{id}.atom"),
            format!("{base}/read/{id}"),
        ),
        None => (
            "Comments".to_owned(),
            format!("{base}/feeds/comments.atom"),
            format!("{base}/"),
        ),
    };
    let updated = comments.first().map_or_else(now_ms, |c| c.created_at);
    let body = atom(
        base, &title, &self_link, &page, updated, &comments, &title_of,
    )
    .into_string();
    let tag = content_tag([body.as_bytes()]);
    if let Some(answer) = not_modified(&headers, &tag, CACHE) {
        return Ok(answer);
    }
    Ok(with_validator(
        (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            body,
        )
            .into_response(),
        &tag,
        CACHE,
    ))
}

/// The feed as Atom: a maud template, so every splice is escaped (`&`, `<`, `>`, `"`: all
/// that XML text and double-quoted attributes need), and every text passed through
/// `xml_text` (a character XML forbids cannot be escaped, only left out). Elements without
/// content are written `<link …></link>`: maud's void `link` (`<link …>`) is HTML, not XML.
fn atom(
    base: &str,
    title: &str,
    self_link: &str,
    page: &str,
    updated: i64,
    comments: &[StoredComment],
    headline_of: &dyn Fn(&str) -> String,
) -> Markup {
    html! {
        // Our own constant: the XML declaration.
        (PreEscaped("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"))
        feed xmlns="http://www.w3.org/2005/Atom" {
            title { (xml_text(title)) }
            id { (xml_text(self_link)) }
            link rel="self" href=(xml_text(self_link)) {}
            link rel="alternate" type="text/html" href=(xml_text(page)) {}
            updated { (date(updated)) }
            @for comment in comments {
                (entry(base, comment, &headline_of(&comment.article_id)))
            }
        }
        "\n"
    }
}

fn entry(base: &str, comment: &StoredComment, headline: &str) -> Markup {
    let link = format!("{base}/read/{}#comment-{}", comment.article_id, comment.id);
    let author = if comment.author.is_empty() {
        "Anonymous"
    } else {
        &comment.author
    };
    let title = format!("{author} on “{headline}”");
    html! {
        entry {
            id { (xml_text(&link)) }
            title { (xml_text(&title)) }
            link rel="alternate" type="text/html" href=(xml_text(&link)) {}
            author { name { (xml_text(author)) } }
            published { (date(comment.created_at)) }
            updated { (date(comment.created_at)) }
            content type="text" { (xml_text(&comment_plain_text(&comment.content))) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::ModerationStatus;

    fn comment(author: &str, content: &str) -> StoredComment {
        StoredComment {
            id: "c1".into(),
            article_id: "a".into(),
            parent_id: None,
            author: author.into(),
            email: "secret@example.com".into(),
            website: None,
            content: content.into(),
            status: ModerationStatus::Approved,
            created_at: 1_700_000_000_000,
            client_address: "127.0.0.1".into(),
            author_token: None,
            account: None,
            badges: None,
            notify: false,
        }
    }

    /// Every text of the feed, read back by an XML parser, with the `href`s.
    fn read_back(xml: &str) -> (Vec<String>, Vec<String>) {
        use quick_xml::events::Event;
        let mut reader = quick_xml::Reader::from_str(xml);
        let (mut texts, mut links) = (Vec::new(), Vec::new());
        loop {
            match reader.read_event().expect("well-formed XML") {
                Event::Start(e) | Event::Empty(e) => {
                    for attribute in e.attributes() {
                        let attribute = attribute.expect("a well-formed attribute");
                        if attribute.key.as_ref() == b"href" {
                            links.push(attribute.unescape_value().unwrap().into_owned());
                        }
                    }
                }
                Event::Text(text) => texts.push(text.unescape().unwrap().into_owned()),
                Event::Eof => break,
                _ => {}
            }
        }
        (texts, links)
    }

    #[test]
    fn hostile_text_stays_text_and_the_feed_stays_well_formed() {
        let hostile = "<b>&amp;</b> <script>x</script> \"quoted\" ]]> \u{1}\u{FFFF}end";
        let comments = [comment("Ann <script>", hostile)];
        let xml = atom(
            "https://news.example",
            "Comments on “<i>x</i>”",
            "https://news.example/feeds/a.atom",
            "https://news.example/read/a?x=1&y=2",
            1_700_000_000_000,
            &comments,
            &|id: &str| format!("Title of {id} & co"),
        )
        .into_string();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed "));
        let (texts, links) = read_back(&xml);
        // The text as the thread shows it: formatting gone, foreign tags as typed.
        assert!(
            texts.contains(&"& <script>x</script> \"quoted\" ]]> end".to_owned()),
            "{texts:?}"
        );
        assert!(texts.contains(&"Ann <script>".to_owned()), "{texts:?}");
        assert!(
            texts.contains(&"Ann <script> on “Title of a & co”".to_owned()),
            "{texts:?}"
        );
        assert!(
            links.contains(&"https://news.example/read/a?x=1&y=2".to_owned()),
            "{links:?}"
        );
        assert!(
            links.contains(&"https://news.example/read/a#comment-c1".to_owned()),
            "{links:?}"
        );
        assert!(!xml.contains("secret@example.com"), "never an email");
    }
}
