//! HTTP for the widget: one request helper with a time limit, and the three calls built on
//! it (load an article, list comments, post a comment). Every failure becomes a value.

use std::time::Duration;

use futures::future::{select, Either};
use gloo_net::http::{Method, RequestBuilder};

use crate::domain::article::{Article, CommentsApi};
use crate::domain::comment::Comment;
use crate::domain::date::Timestamp;
use crate::domain::errors::{ListError, LoadError, NoAnswer};
use crate::domain::form::Submission;
use crate::domain::wire::{
    interpret_answer, parse_comment_page, request_body, CommentList, PostError,
    AUTHOR_TOKEN_HEADER, IDEMPOTENCY_KEY_HEADER,
};
use crate::domain::wordpress;

/// How long a reader waits before the widget gives up and offers Retry.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// An answer, whatever its status.
pub struct Answer {
    pub status: u16,
    pub retry_after: Option<String>,
    /// WordPress's `X-WP-TotalPages`: how many pages a collection has.
    pub pages: Option<u32>,
    pub body: String,
}

/// Aborts the requests it was handed to when told to (the widget unmounting, or a newer
/// request superseding them).
pub struct Abort(Option<web_sys::AbortController>);

impl Abort {
    pub fn new() -> Abort {
        #[cfg(target_arch = "wasm32")]
        return Abort(web_sys::AbortController::new().ok());
        #[cfg(not(target_arch = "wasm32"))]
        Abort(None)
    }

    pub fn signal(&self) -> Option<web_sys::AbortSignal> {
        self.0.as_ref().map(|c| c.signal())
    }

    pub fn abort(&self) {
        if let Some(controller) = &self.0 {
            controller.abort();
        }
    }
}

impl Default for Abort {
    fn default() -> Self {
        Abort::new()
    }
}

/// Sends one request and waits at most `timeout` for the whole answer; aborts it after that,
/// or as soon as `cancel` fires.
pub async fn send(
    method: Method,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
    timeout: Duration,
    cancel: Option<&web_sys::AbortSignal>,
) -> Result<Answer, NoAnswer> {
    let controller = web_sys::AbortController::new().ok();
    let signal = controller.as_ref().map(|c| c.signal());
    // Forward an outside cancellation to this request's controller.
    let _forward = match (cancel, &controller) {
        (Some(cancel), Some(controller)) => {
            let controller = controller.clone();
            Some(gloo_events::EventListener::once(
                cancel,
                "abort",
                move |_| controller.abort(),
            ))
        }
        _ => None,
    };
    let mut builder = RequestBuilder::new(url)
        .method(method)
        .abort_signal(signal.as_ref());
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    let request = match body {
        Some(body) => builder.body(body),
        None => builder.build(),
    }
    .map_err(|_| NoAnswer::Network)?;
    let exchange = async {
        let response = request.send().await.map_err(|_| NoAnswer::Network)?;
        let status = response.status();
        let headers = response.headers();
        let retry_after = headers.get("retry-after");
        let pages = headers
            .get("x-wp-totalpages")
            .and_then(|pages| pages.trim().parse().ok());
        let body = response.text().await.map_err(|_| NoAnswer::Network)?;
        Ok(Answer {
            status,
            retry_after,
            pages,
            body,
        })
    };
    let timer = gloo_timers::future::sleep(timeout);
    futures::pin_mut!(exchange);
    match select(exchange, timer).await {
        Either::Left((result, _)) => result,
        Either::Right(_) => {
            if let Some(controller) = controller {
                controller.abort();
            }
            Err(NoAnswer::Timeout(timeout.as_secs() as u32))
        }
    }
}

/// Fetches and parses an article, resolving its relative URLs against the article's own
/// address, and reports what the parser dropped to the developer console.
pub async fn load_article(
    src: &str,
    timeout: Duration,
    cancel: Option<&web_sys::AbortSignal>,
) -> Result<Article, LoadError> {
    if src.trim().is_empty() {
        return Err(LoadError::NoSource);
    }
    let address = super::dom::absolute_url(src, None).ok_or(LoadError::NoSource)?;
    let answer = send(
        Method::GET,
        &address,
        &[("Accept", "application/json")],
        None,
        timeout,
        cancel,
    )
    .await?;
    if let Some(error) = LoadError::from_status(answer.status) {
        return Err(error);
    }
    Ok(article_from_text(&answer.body, &address)?)
}

/// An article from its JSON text and the absolute address it came from: parsed, its relative
/// URLs resolved against that address, and what the parser dropped reported to the developer
/// console. The same for a fetched article and one a prerendered page carries.
pub fn article_from_text(
    text: &str,
    address: &str,
) -> Result<Article, crate::domain::article::ArticleError> {
    let mut article = Article::parse(text)?;
    article.resolve_urls(&|url: &str| super::dom::absolute_url(url, Some(address)));
    for notice in &article.notices {
        super::dom::console_warn(&format!("article-widget: {address}: {notice}"));
    }
    Ok(article)
}

/// Lists comments. Ours: the page at `address` (a page of the thread at `url`). WordPress:
/// every comment of the post at `url`, oldest first, page after page as `X-WP-TotalPages`
/// says (one after the other: joined futures would cost the module more than they save the
/// reader), at most 100 pages (10,000 comments), answered as a server without paging
/// answers (the section pages it itself).
pub async fn list_comments(
    api: CommentsApi,
    url: &str,
    address: &str,
    timeout: Duration,
    cancel: Option<&web_sys::AbortSignal>,
) -> Result<CommentList, ListError> {
    list_comments_as(api, url, address, None, timeout, cancel).await
}

/// `list_comments` for a reader signed in by the publisher (`account`: their token, which
/// the caller has let through `token_may_go_to`): our service then marks what the account
/// likes and wrote, in whichever browser.
pub async fn list_comments_as(
    api: CommentsApi,
    url: &str,
    address: &str,
    account: Option<&str>,
    timeout: Duration,
    cancel: Option<&web_sys::AbortSignal>,
) -> Result<CommentList, ListError> {
    // Our service shows this browser its held comments by its token; WordPress has no use
    // for one (so none is made for it).
    let token = (api == CommentsApi::Service)
        .then(super::dom::author_token)
        .flatten();
    let mut headers = vec![("Accept", "application/json")];
    if let Some(token) = &token {
        headers.push((AUTHOR_TOKEN_HEADER, token.as_str()));
    }
    let bearer = account
        .filter(|_| api == CommentsApi::Service)
        .map(|account| format!("Bearer {account}"));
    if let Some(bearer) = &bearer {
        headers.push(("Authorization", bearer.as_str()));
    }
    let mut comments = Vec::new();
    let mut page = 1;
    loop {
        let address = match api {
            CommentsApi::Service => address.to_owned(),
            CommentsApi::WordPress { .. } => wordpress::comments_page_url(url, page),
        };
        let answer = send(Method::GET, &address, &headers, None, timeout, cancel)
            .await
            .map_err(ListError::NoAnswer)?;
        if !(200..300).contains(&answer.status) {
            return Err(ListError::Status(answer.status));
        }
        if api == CommentsApi::Service {
            return parse_comment_page(&answer.body).map_err(|_| ListError::Malformed);
        }
        let post_author = match api {
            CommentsApi::WordPress { author, .. } => author,
            CommentsApi::Service => 0,
        };
        comments.extend(
            wordpress::parse_comments(&answer.body, post_author).ok_or(ListError::Malformed)?,
        );
        if page >= answer.pages.unwrap_or(1).min(100) {
            return Ok(CommentList {
                comments,
                total: None,
                next: None,
            });
        }
        page += 1;
    }
}

/// POSTs a comment to the API that takes it: ours with its idempotency key (and the author
/// token); WordPress's without (its CORS does not allow the header; its duplicate check
/// answers a repeat, see `wordpress::interpret_answer`).
pub async fn post_comment(
    api: CommentsApi,
    url: &str,
    outgoing: &Submission,
    rendered_at_ms: f64,
    timeout: Duration,
    cancel: Option<&web_sys::AbortSignal>,
) -> Result<Comment, PostError> {
    let token = (api == CommentsApi::Service)
        .then(super::dom::author_token)
        .flatten();
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
    ];
    let parent = outgoing.parent.as_deref();
    // A reader signed in by the publisher: their token, in a header and never in a URL.
    let bearer = outgoing
        .account_token
        .as_ref()
        .map(|token| format!("Bearer {token}"));
    let body = match api {
        CommentsApi::Service => {
            headers.push((IDEMPOTENCY_KEY_HEADER, outgoing.key.as_str()));
            if let Some(token) = &token {
                headers.push((AUTHOR_TOKEN_HEADER, token.as_str()));
            }
            if let Some(bearer) = &bearer {
                headers.push(("Authorization", bearer.as_str()));
            }
            request_body(
                &outgoing.comment,
                parent,
                &outgoing.honeypot,
                rendered_at_ms,
                outgoing.notify,
            )
        }
        CommentsApi::WordPress { post, .. } => {
            wordpress::request_body(&outgoing.comment, parent, post)
        }
    };
    match send(Method::POST, url, &headers, Some(body), timeout, cancel).await {
        Ok(answer) => match api {
            CommentsApi::Service => {
                interpret_answer(answer.status, answer.retry_after.as_deref(), &answer.body)
            }
            CommentsApi::WordPress { .. } => {
                let sent = wordpress::sent_comment(
                    outgoing,
                    Timestamp::from_millis(super::dom::now_ms() as i64),
                );
                wordpress::interpret_answer(answer.status, &answer.body, sent)
            }
        },
        Err(NoAnswer::Network) => Err(PostError::Network),
        Err(NoAnswer::Timeout(seconds)) => Err(PostError::Timeout(seconds)),
    }
}

/// Asks our service for a like (`liked`) or its undo, with the author token that says who
/// likes; the count and state after it, or `None` when there was no answer or a refusal
/// (the caller shows the state before the press again: nothing is lost).
pub async fn send_like(
    url: &str,
    before: crate::domain::comment::Likes,
    liked: bool,
    account: Option<&str>,
    timeout: Duration,
) -> Option<crate::domain::comment::Likes> {
    use crate::domain::likes::{like_body, read_like_answer};
    let token = super::dom::author_token()?;
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
        (AUTHOR_TOKEN_HEADER, token.as_str()),
    ];
    // Signed in by the publisher: the like is the account's, from any browser.
    let bearer = account.map(|account| format!("Bearer {account}"));
    if let Some(bearer) = &bearer {
        headers.push(("Authorization", bearer.as_str()));
    }
    let answer = send(
        Method::POST,
        url,
        &headers,
        Some(like_body(liked)),
        timeout,
        None,
    )
    .await
    .ok()?;
    read_like_answer(answer.status, &answer.body, before)
}
