//! `GET /api/comment-counts?articles=a,b,c&lang=fr`: how many approved comments each article
//! has, and the words for it in the page's language, for index pages and article lists (the
//! loader's `<comment-count>` elements: one request for all of a page's counts, and no
//! WebAssembly). Cached like the thread: a validator over the answer, a short public
//! lifetime, 304.
//!
//! `{"counts": {"a": {"count": 12, "text": "12 Responses"}, "b": {"count": 0, "text": "No
//! comments yet"}}}`, in the order asked; at most 100 articles a request.

use std::collections::{HashMap, HashSet};

use article_widget::domain::article::valid_article_id;
use article_widget::i18n::Language;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map};

use crate::http::delivery::{content_tag, not_modified, with_validator};
use crate::http::error::ApiError;
use crate::http::AppState;

/// The most articles one request may ask about.
pub const MAX_ARTICLES: usize = 100;

pub async fn counts(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    // In the order asked, each once; counted as they come, so a long list is refused without
    // reading all of it (a set, not a scan of the list so far: linear in what is read).
    let mut seen = HashSet::new();
    let mut ids: Vec<String> = Vec::new();
    for id in query
        .get("articles")
        .map(String::as_str)
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|id| valid_article_id(id))
    {
        if seen.insert(id) {
            if ids.len() == MAX_ARTICLES {
                return Err(ApiError::TooManyArticles);
            }
            ids.push(id.to_owned());
        }
    }
    let found: HashMap<String, i64> = state
        .store
        .approved_counts(&ids)
        .await?
        .into_iter()
        .collect();
    let texts = Language::choose([query.get("lang").map(String::as_str)]).texts();
    let mut counts = Map::new();
    for id in ids {
        let count = found.get(&id).copied().unwrap_or(0).max(0) as usize;
        let text = if count == 0 {
            texts.no_comments.to_owned()
        } else {
            texts.responses(count)
        };
        counts.insert(id, json!({ "count": count, "text": text }));
    }
    let body = json!({ "counts": counts }).to_string();
    let tag = content_tag([body.as_bytes()]);
    const CACHE: &str = "public, max-age=30, stale-while-revalidate=300";
    let response = not_modified(&headers, &tag, CACHE).unwrap_or_else(|| {
        let answer = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
        with_validator(answer, &tag, CACHE)
    });
    Ok(response)
}
