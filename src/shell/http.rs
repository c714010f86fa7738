//! Fetching an article: one request, a time limit, and every failure mapped to a [`LoadError`].

use std::time::Duration;

use futures::future::{select, Either};
use gloo_net::http::Request;

use crate::domain::article::Article;
use crate::domain::load_error::LoadError;

/// How long a reader waits before the widget gives up and offers Retry.
pub const FETCH_TIMEOUT: Duration = Duration::from_secs(15);

/// GETs `url` and returns the body text of a 2xx answer.
pub async fn fetch_text(url: &str, timeout: Duration) -> Result<String, LoadError> {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    let request = Request::get(url)
        .abort_signal(signal.as_ref())
        .header("Accept", "application/json")
        .build()
        .map_err(|_| LoadError::Network)?;
    let response = async {
        let response = request.send().await.map_err(|_| LoadError::Network)?;
        if let Some(error) = LoadError::from_status(response.status()) {
            return Err(error);
        }
        response.text().await.map_err(|_| LoadError::Network)
    };
    let timer = gloo_timers::future::sleep(timeout);
    futures::pin_mut!(response);
    match select(response, timer).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => {
            if let Some(controller) = controller {
                controller.abort();
            }
            Err(LoadError::Timeout(timeout.as_secs() as u32))
        }
    }
}

/// Fetches and parses an article, resolving its relative URLs against the article's own
/// address, and reports what the parser dropped to the developer console.
pub async fn load_article(src: &str) -> Result<Article, LoadError> {
    if src.trim().is_empty() {
        return Err(LoadError::NoSource);
    }
    let address = super::dom::absolute_url(src, None).ok_or(LoadError::NoSource)?;
    let text = fetch_text(&address, FETCH_TIMEOUT).await?;
    let mut article = Article::parse(&text)?;
    article.resolve_urls(&|url: &str| super::dom::absolute_url(url, Some(&address)));
    for notice in &article.notices {
        super::dom::console_warn(&format!("article-widget: {address}: {notice}"));
    }
    Ok(article)
}
