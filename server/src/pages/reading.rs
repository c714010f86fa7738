//! The article first, from the server: the widget prerendered by `article_widget::prerender`
//! (the same components as in the browser), three ways:
//! - `GET /prerendered/{id}.html`: the HTML fragment (`<article-widget>` with its declarative
//!   shadow root), for a publisher's page to include server-side (SSI, PHP `include`, an edge
//!   include), with `ETag`, `Cache-Control` and 304;
//! - `GET /read/{id}`: a whole reading page for the article, with the loader (and `GET /`
//!   for the article named by `--front-page`, as the demo does);
//! - `comment-service render FILE.json`: the fragment on stdout, for static-site builds,
//!   without a running service (see `main.rs`).
//!
//! Query parameters: `lang`, `theme`, `comments=off`, `comments-order`, `replytocom`. Never an
//! address: where the article, its images and its comment form point comes from the service's
//! own configuration (a link on the publisher's domain must not be able to send its readers'
//! details elsewhere).
//!
//! Errors are pages (`HtmlError`), as a browser or an include expects: 404 "There is no such
//! article." for a missing or malformed id, 422 with the reason when the file is not an article.

use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use article_widget::domain::draft::{IdempotencyKey, ReplyTarget};
use article_widget::domain::form::FormState;
use article_widget::domain::wire::parse_comment_list;
use article_widget::prerender::PrerenderOptions;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::http::delivery::{content_tag, not_modified_since, with_validators};
use crate::http::error::HtmlError;
use crate::http::extract::{cookie, token_hash, AUTHOR_COOKIE};
use crate::http::AppState;
use crate::rendering::{article_text, options, render, thread, RenderError, PAGE_LOADER};

/// An empty form replying to `parent`, when the thread shown has it.
fn reply_form(thread: &str, parent: &str) -> Option<FormState> {
    let comment = parse_comment_list(thread)
        .ok()?
        .into_iter()
        .find(|comment| comment.id == parent)?;
    let mut form = FormState::restore(None, None, IdempotencyKey::from_random_bytes([0; 16]));
    form.reply(Some(ReplyTarget {
        id: comment.id,
        author: comment.author,
    }));
    Some(form)
}

/// A tag for this rendering: the article's bytes, its thread, the options, and this build (a
/// new release may render differently). A new approved comment changes it.
fn etag(article: &str, options: &PrerenderOptions, page: bool, reply_to: &str) -> String {
    content_tag(
        [
            article,
            reply_to,
            options.thread.as_deref().unwrap_or_default(),
            &options.src,
            // The share card's addresses (from `--public-url`, which a restart may change).
            options.page_url.as_deref().unwrap_or_default(),
            options.lang.as_deref().unwrap_or_default(),
            options.theme.as_str(),
            if options.comments { "on" } else { "off" },
            options.comments_order.as_str(),
            // The publisher's badge words (flags a restart may change).
            options.badge_moderator.as_deref().unwrap_or_default(),
            options.badge_author.as_deref().unwrap_or_default(),
            if page { "page" } else { "fragment" },
            env!("CARGO_PKG_VERSION"),
        ]
        .map(str::as_bytes),
    )
}

/// When this process started (forced by `app::router`).
pub static STARTED: LazyLock<SystemTime> = LazyLock::new(SystemTime::now);

/// When the rendering last changed: the article file, its public thread (`changed_at`, moved
/// by every publication and moderation), and this process (a new release may render
/// differently), whichever is latest.
async fn last_modified(state: &AppState, id: &str) -> SystemTime {
    let file = state
        .settings
        .articles
        .as_deref()
        .map(|folder| folder.join(format!("{id}.json")));
    let file = match file {
        Some(path) => tokio::fs::metadata(path)
            .await
            .ok()
            .and_then(|meta| meta.modified().ok()),
        None => None,
    };
    let thread = state
        .store
        .changed_at(id)
        .await
        .ok()
        .flatten()
        .map(|ms| UNIX_EPOCH + Duration::from_millis(ms.max(0) as u64));
    [Some(*STARTED), file, thread]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(UNIX_EPOCH)
}

async fn respond(
    state: AppState,
    id: String,
    query: HashMap<String, String>,
    headers: HeaderMap,
    page: bool,
) -> Response {
    let id = id.strip_suffix(".html").unwrap_or(&id).to_owned();
    // A reading page's error is a page; a fragment's, a paragraph (it is included in the
    // publisher's page, never a document of its own).
    let failed = |error: HtmlError| {
        if page {
            error.into_response()
        } else {
            error.fragment()
        }
    };
    let Some(text) = article_text(state.settings.articles.as_deref(), &id).await else {
        return failed(HtmlError::new(
            StatusCode::NOT_FOUND,
            "No such article",
            "There is no such article.",
        ));
    };
    let mut options = options(&state, &id, &query, page).await;
    // A browser that posted without JavaScript sees its own held comments: its page is its own.
    let viewer = cookie(&headers, AUTHOR_COOKIE).and_then(token_hash);
    // With `comments=off` the thread is neither shown nor carried.
    if options.comments {
        options.thread = thread(&state, &id, viewer.as_deref(), options.comments_order).await;
    }
    // Reply without JavaScript, as WordPress does it: `?replytocom=ID` puts the form under
    // that comment (a page of its own: the widget then renders instead of hydrating).
    let reply = query
        .get("replytocom")
        .and_then(|parent| reply_form(options.thread.as_deref()?, parent));
    let reply_to = reply
        .as_ref()
        .and_then(|form| form.reply_to().map(|target| target.id.clone()))
        .unwrap_or_default();
    options.form = reply;
    let tag = etag(&text, &options, page, &reply_to);
    let modified = last_modified(&state, &id).await;
    let cache = if viewer.is_some() {
        "private, no-cache"
    } else {
        "public, max-age=60, stale-while-revalidate=600"
    };
    if let Some(answer) = not_modified_since(&headers, &tag, modified, cache) {
        return answer;
    }
    let loader = page.then(|| PAGE_LOADER.to_owned());
    match render(text, options, loader).await {
        Ok(html) => with_validators(
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
            &tag,
            modified,
            cache,
        ),
        Err(RenderError::Article(reason)) => {
            tracing::error!(%id, %reason, "prerendering failed");
            failed(HtmlError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "This article cannot be shown",
                format!("This article cannot be shown: {reason}"),
            ))
        }
        Err(error @ RenderError::Renderer(_)) => {
            tracing::error!(%id, %error, "prerendering failed");
            failed(HtmlError::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "This article could not be shown. Please try again later.",
            ))
        }
    }
}

/// `GET /prerendered/{id}.html`
pub async fn fragment(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    respond(state, id, query, headers, false).await
}

/// `GET /` with `--front-page ID`: that article's reading page.
pub async fn front_page(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let id = state.settings.front_page.clone().unwrap_or_default();
    respond(state, id, query, headers, true).await
}

/// `GET /read/{id}`
pub async fn page(
    State(state): State<AppState>,
    UrlPath(id): UrlPath<String>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    respond(state, id, query, headers, true).await
}
