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

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use article_widget::domain::article::valid_article_id;
use article_widget::host_contract::{comments_enabled, Theme};
use article_widget::prerender::{render_fragment, render_page, PrerenderOptions};
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use article_widget::domain::draft::{IdempotencyKey, ReplyTarget};
use article_widget::domain::form::FormState;
use article_widget::domain::wire::{comment_page_body, parse_comment_list};

use crate::http::extract::{cookie, token_hash, AUTHOR_COOKIE};
use crate::http::paging::next_page;
use crate::http::{public_comment, AppState};
use crate::store::PageRequest;
use article_widget::domain::thread::ThreadOrder;

/// Threads on a prerendered page's first page of comments (the widget's page size).
pub const PRERENDERED_PAGE: usize = 50;
use crate::delivery::{content_tag, not_modified_since, with_validators};

/// Renders on a thread of its own: Yew's server renderer is not `Send`, so it runs on a
/// single-threaded runtime there instead of on the service's workers.
pub async fn render_on_own_thread(
    article_json: String,
    options: PrerenderOptions,
    page_loader: Option<String>,
) -> Result<String, String> {
    let rendered = tokio::task::spawn_blocking(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| error.to_string())?;
        runtime.block_on(async {
            match page_loader {
                Some(loader) => render_page(&article_json, &options, &loader).await,
                None => render_fragment(&article_json, &options).await,
            }
            .map_err(|error| error.to_string())
        })
    })
    .await;
    rendered.map_err(|error| error.to_string())?
}

/// Options from the query; the article's address never comes from it. A reading page is
/// served by this service, so the address is a path on it; a fragment is included in the
/// publisher's pages on another host, so it names this service absolutely, by `--public-url`.
/// The site's copy (`/static/articles/{id}.json`, as the demo has it) when there is one, so
/// the article's relative image links resolve, else the articles folder (`/articles/…`).
fn options(
    state: &AppState,
    id: &str,
    query: &HashMap<String, String>,
    page: bool,
) -> PrerenderOptions {
    let in_site = state
        .settings
        .site
        .as_deref()
        .is_some_and(|site| site.join(format!("static/articles/{id}.json")).is_file());
    let path = if in_site {
        format!("/static/articles/{id}.json")
    } else {
        format!("/articles/{id}.json")
    };
    let src = if page {
        path
    } else {
        format!("{}{path}", state.settings.public_url)
    };
    PrerenderOptions {
        src,
        lang: query.get("lang").cloned().filter(|l| !l.trim().is_empty()),
        theme: Theme::from_attribute(query.get("theme").map(String::as_str)),
        comments: comments_enabled(query.get("comments").map(String::as_str)),
        comments_order: ThreadOrder::from_attribute(
            query.get("comments-order").map(String::as_str),
        ),
        thread: None,
        form: None,
    }
}

/// The thread a viewer sees, as the API would list it: approved comments, and the viewer's
/// own held ones when `viewer` (a token hash) is given. `None` when the article takes no
/// comments (or the database does not answer: the widget then loads the thread itself).
async fn thread(
    state: &AppState,
    id: &str,
    viewer: Option<&str>,
    order: ThreadOrder,
) -> Option<String> {
    if !state.articles.comments_open(id) {
        return None;
    }
    // The first page, as the widget asks for it (it loads the others on demand).
    let request = PageRequest {
        per_page: PRERENDERED_PAGE,
        order,
        after: None,
    };
    match state.store.comment_page(id, viewer, &request, None).await {
        Ok(page) => Some(comment_page_body(
            &page.comments.iter().map(public_comment).collect::<Vec<_>>(),
            page.total.max(0) as usize,
            page.next
                .as_ref()
                .map(|next| next_page(&request, next))
                .as_deref(),
        )),
        Err(error) => {
            tracing::error!(%error, "the thread for a prerendered page");
            None
        }
    }
}

/// The reading page again for a form that was refused: the reader's text and the errors.
pub async fn reading_page_with_form(state: &AppState, id: &str, form: FormState) -> Option<String> {
    let text = article_text(state.settings.articles.as_deref(), id)?;
    let mut options = options(state, id, &HashMap::new(), true);
    options.thread = thread(state, id, None, options.comments_order).await;
    options.form = Some(form);
    render_on_own_thread(text, options, Some("/article-widget.js".to_owned()))
        .await
        .ok()
}

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

/// The article's JSON text, when the id is well-formed and the file is there.
fn article_text(folder: Option<&Path>, id: &str) -> Option<String> {
    if !valid_article_id(id) {
        return None;
    }
    std::fs::read_to_string(folder?.join(format!("{id}.json"))).ok()
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
            options.lang.as_deref().unwrap_or_default(),
            options.theme.as_str(),
            if options.comments { "on" } else { "off" },
            options.comments_order.as_str(),
            if page { "page" } else { "fragment" },
            env!("CARGO_PKG_VERSION"),
        ]
        .map(str::as_bytes),
    )
}

/// When this process started (forced by `api::router`).
pub static STARTED: LazyLock<SystemTime> = LazyLock::new(SystemTime::now);

/// When the rendering last changed: the article file, its public thread (`changed_at`, moved
/// by every publication and moderation), and this process (a new release may render
/// differently), whichever is latest.
async fn last_modified(state: &AppState, id: &str) -> SystemTime {
    let file = state
        .settings
        .articles
        .as_deref()
        .and_then(|folder| std::fs::metadata(folder.join(format!("{id}.json"))).ok())
        .and_then(|meta| meta.modified().ok());
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
    let Some(text) = article_text(state.settings.articles.as_deref(), &id) else {
        return (StatusCode::NOT_FOUND, "There is no such article.").into_response();
    };
    let mut options = options(&state, &id, &query, page);
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
    let loader = page.then(|| "/article-widget.js".to_owned());
    match render_on_own_thread(text, options, loader).await {
        Ok(html) => with_validators(
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
            &tag,
            modified,
            cache,
        ),
        Err(error) => {
            tracing::error!(%id, %error, "prerendering failed");
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("This article cannot be shown: {error}"),
            )
                .into_response()
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
