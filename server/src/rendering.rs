//! The widget rendered on the server, shared by the reading pages (`pages`) and the plain
//! form's refusal (`comments::form_post`): the renderer's threads, the options a reading page
//! or fragment is rendered with, the thread a viewer sees, and the article's text.
//!
//! Yew's server renderer is not `Send`: it runs on a small pool of threads of its own, each
//! with one single-threaded runtime made once (`tokio_util`'s `LocalPoolHandle`), never on
//! the service's workers and never with a new runtime per render. File reads go through
//! `tokio::fs` (the blocking pool).

use std::collections::HashMap;
use std::path::Path;
use std::sync::LazyLock;

use article_widget::domain::article::valid_article_id;
use article_widget::domain::form::FormState;
use article_widget::domain::thread::ThreadOrder;
use article_widget::domain::wire::comment_page_body;
use article_widget::host_contract::{comments_enabled, Theme};
use article_widget::prerender::{render_fragment, render_page, PrerenderOptions};
use tokio_util::task::LocalPoolHandle;

use crate::http::paging::next_page;
use crate::http::AppState;
use crate::store::PageRequest;

/// Threads on a prerendered page's first page of comments (the widget's page size).
pub const PRERENDERED_PAGE: usize = 50;

/// The loader a whole reading page includes (a path on this service).
pub const PAGE_LOADER: &str = "/article-widget.js";

/// The renderer's threads: as many as there are cores (rendering is CPU work), each running
/// one runtime for its whole life.
static RENDERERS: LazyLock<LocalPoolHandle> = LazyLock::new(|| {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    LocalPoolHandle::new(threads)
});

/// Why an article was not rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The article cannot be shown (not valid, or missing what it must have): the reason.
    #[error("{0}")]
    Article(String),
    /// The renderer itself failed (a panic while rendering): the service's fault, not the
    /// article's.
    #[error("the renderer stopped: {0}")]
    Renderer(String),
}

/// Renders an article: a whole reading page with `page_loader`, else the fragment. On the
/// renderer's threads (see the module's comment).
pub async fn render(
    article_json: String,
    options: PrerenderOptions,
    page_loader: Option<String>,
) -> Result<String, RenderError> {
    let rendered = RENDERERS
        .spawn_pinned(move || async move {
            match page_loader {
                Some(loader) => render_page(&article_json, &options, &loader).await,
                None => render_fragment(&article_json, &options).await,
            }
            .map_err(|error| RenderError::Article(error.to_string()))
        })
        .await;
    rendered.map_err(|error| RenderError::Renderer(error.to_string()))?
}

/// Options from the query; the article's address never comes from it. A reading page is
/// served by this service, so the address is a path on it; a fragment is included in the
/// publisher's pages on another host, so it names this service absolutely, by `--public-url`.
/// The site's copy (`/static/articles/{id}.json`, as the demo has it) when there is one, so
/// the article's relative image links resolve, else the articles folder (`/articles/…`).
pub async fn options(
    state: &AppState,
    id: &str,
    query: &HashMap<String, String>,
    page: bool,
) -> PrerenderOptions {
    let in_site = match state.settings.site.as_deref() {
        Some(site) => tokio::fs::metadata(site.join(format!("static/articles/{id}.json")))
            .await
            .is_ok_and(|meta| meta.is_file()),
        None => false,
    };
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
        // The share card's canonical address and base: `--public-url`, never the request's
        // Host header (a client's word, which a cache could then serve to everyone).
        page_url: page.then(|| format!("{}/read/{id}", state.settings.public_url)),
        badge_moderator: state.settings.badge_words.moderator.clone(),
        badge_author: state.settings.badge_words.author.clone(),
    }
}

/// The thread a viewer sees, as the API would list it: approved comments, and the viewer's
/// own held ones when `viewer` (a token hash) is given. `None` when the article takes no
/// comments (or the database does not answer: the widget then loads the thread itself).
pub async fn thread(
    state: &AppState,
    id: &str,
    viewer: Option<&str>,
    order: ThreadOrder,
) -> Option<String> {
    if !state.articles.comments_open(id).await {
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
            &crate::http::public_page_comments(
                &page,
                viewer,
                crate::http::EditWindow {
                    now: crate::clock::now_ms(),
                    window_ms: state.settings.edit_window_ms,
                },
            ),
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
    let text = article_text(state.settings.articles.as_deref(), id).await?;
    let mut options = options(state, id, &HashMap::new(), true).await;
    options.thread = thread(state, id, None, options.comments_order).await;
    options.form = Some(form);
    render(text, options, Some(PAGE_LOADER.to_owned()))
        .await
        .ok()
}

/// The article's JSON text, when the id is well-formed and the file is there.
pub async fn article_text(folder: Option<&Path>, id: &str) -> Option<String> {
    if !valid_article_id(id) {
        return None;
    }
    tokio::fs::read_to_string(folder?.join(format!("{id}.json")))
        .await
        .ok()
}
