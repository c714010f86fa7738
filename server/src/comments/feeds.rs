//! Atom feeds of approved comments (RFC 4287): `GET /feeds/{article}.atom` for one article's
//! and `GET /feeds/comments.atom` for the whole site's, the 50 newest, each entry linking to
//! the comment on its reading page. Authors by name only (never an email); the text as text.
//! A validator over the feed, a five-minute public lifetime, 304.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use article_widget::domain::date::Timestamp;

use crate::http::delivery::{content_tag, not_modified, with_validator};
use crate::http::error::ApiError;
use crate::clock::now_ms;
use crate::http::AppState;
use crate::markup::escape as xml;
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
        if !state.articles.comments_open(id) {
            return Err(ApiError::NoComments);
        }
    }
    let comments = state
        .store
        .search_comments(Some(ModerationStatus::Approved), article, None, ENTRIES)
        .await?;
    let base = &state.settings.public_url;
    let title_of = |id: &str| state.articles.headline(id).unwrap_or_else(|| id.to_owned());
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
    let mut body = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\">\
         <title>{}</title><id>{}</id><link rel=\"self\" href=\"{}\"/>\
         <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/><updated>{}</updated>",
        xml(&title),
        xml(&self_link),
        xml(&self_link),
        xml(&page),
        date(updated)
    );
    for comment in &comments {
        body.push_str(&entry(base, comment, &title_of(&comment.article_id)));
    }
    body.push_str("</feed>\n");
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

fn entry(base: &str, comment: &StoredComment, headline: &str) -> String {
    let link = format!("{base}/read/{}#comment-{}", comment.article_id, comment.id);
    let author = if comment.author.is_empty() {
        "Anonymous"
    } else {
        &comment.author
    };
    format!(
        "<entry><id>{}</id><title>{}</title><link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\
         <author><name>{}</name></author><published>{}</published><updated>{}</updated>\
         <content type=\"text\">{}</content></entry>",
        xml(&link),
        xml(&format!("{author} on “{headline}”")),
        xml(&link),
        xml(author),
        date(comment.created_at),
        date(comment.created_at),
        xml(&comment.content)
    )
}
