//! The comments API over HTTP, exactly as the README's contract says, plus the files that
//! make the demo one process: the article JSON and the built widget.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use article_widget::domain::comment_rules::validate;
use article_widget::domain::date::Timestamp;
use article_widget::domain::wire::{field_errors_body, problems_body, CommentRequest};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::services::ServeDir;

use crate::articles::ArticleGate;
use crate::config::{Moderation, Settings};
use crate::store::{Claim, Store, StoredAnswer, StoredComment, TooSoon};

/// The largest body accepted: a comment of 65,525 four-byte characters, with room to spare.
pub const BODY_LIMIT: usize = 320 * 1024;
/// A form submitted sooner than this after it was shown is a bot's.
pub const MIN_FORM_AGE_MS: i64 = 3_000;
/// A claim on an idempotency key whose request never answered is released after this long.
const STALE_CLAIM_MS: i64 = 60_000;

pub const AUTHOR_TOKEN_HEADER: &str = "comment-author-token";

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub articles: Arc<ArticleGate>,
}

pub fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let api = Router::new()
        .route("/api/articles/{id}/comments", get(list).post(post))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refuse_foreign_origins,
        ));
    let mut app = api.with_state(state);
    if let Some(articles) = &settings.articles {
        app = app.nest_service("/articles", ServeDir::new(articles));
    }
    if let Some(site) = &settings.site {
        app = app.fallback_service(ServeDir::new(site));
    }
    // CORS for the configured origins on everything: the API, and the widget's script, module
    // and articles, which a publisher's pages on another host load in CORS mode.
    app.layer(cors(&settings.allowed_origins))
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("idempotency-key"),
            HeaderName::from_static(AUTHOR_TOKEN_HEADER),
        ])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// Browsers send `Origin` on cross-origin requests (and on same-origin POSTs). One from a
/// page that is neither this service nor a configured origin is refused outright, so that
/// CORS is not the only guard (a simple cross-site POST would otherwise still be processed).
async fn refuse_foreign_origins(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(origin) = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let same_origin = origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
        let configured = state
            .settings
            .allowed_origins
            .iter()
            .any(|allowed| allowed == origin);
        if !same_origin && !configured {
            return error_response(
                StatusCode::FORBIDDEN,
                "This site may not use these comments.",
            );
        }
    }
    next.run(request).await
}

fn error_response(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "error": message }).to_string(),
    )
        .into_response()
}

fn json_answer(answer: &StoredAnswer, retry_after: Option<i64>) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        answer.body.clone(),
    )
        .into_response();
    if let Some(seconds) = retry_after {
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

fn database_error(error: crate::store::StoreError) -> Response {
    eprintln!("comment-service: {error}");
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "The comments are unavailable right now. Please try again.",
    )
}

fn token_hash(headers: &HeaderMap) -> Option<String> {
    let token = headers.get(AUTHOR_TOKEN_HEADER)?.to_str().ok()?.trim();
    if token.len() < 16 || token.len() > 200 {
        return None;
    }
    Some(hex(&Sha256::digest(token.as_bytes())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The public form of a comment: never the email, address or token.
pub fn public_comment(comment: &StoredComment) -> Value {
    json!({
        "id": comment.id,
        "parent": comment.parent_id,
        "author": comment.author,
        "website": comment.website,
        "content": comment.content,
        "published": Timestamp::from_millis(comment.created_at).to_rfc3339(),
        "status": comment.status,
    })
}

async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !state.articles.comments_open(&id) {
        return error_response(
            StatusCode::NOT_FOUND,
            "There are no comments for this article.",
        );
    }
    match state
        .store
        .visible_comments(&id, token_hash(&headers).as_deref())
        .await
    {
        Ok(comments) => {
            let body =
                json!({ "comments": comments.iter().map(public_comment).collect::<Vec<_>>() });
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                body.to_string(),
            )
                .into_response()
        }
        Err(error) => database_error(error),
    }
}

fn client_address(settings: &Settings, peer: SocketAddr, headers: &HeaderMap) -> IpAddr {
    if settings.trust_forwarded_for {
        let forwarded = headers
            .get("x-forwarded-for")
            .and_then(|h| h.to_str().ok())
            .and_then(|list| list.split(',').next())
            .and_then(|first| first.trim().parse().ok());
        if let Some(address) = forwarded {
            return address;
        }
    }
    peer.ip()
}

fn random_id() -> String {
    let mut bytes = [0u8; 12];
    if getrandom::fill(&mut bytes).is_err() {
        bytes = now_ms().to_le_bytes().repeat(2)[..12]
            .try_into()
            .unwrap_or([7; 12]);
    }
    hex(&bytes)
}

fn refusal(field: &str, message: &str) -> StoredAnswer {
    StoredAnswer {
        status: 422,
        body: field_errors_body([(field, message.to_owned())]),
    }
}

async fn post(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"))
        });
    if !is_json {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the comment as application/json.",
        );
    }
    let Some(key) = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 200)
        .map(str::to_owned)
    else {
        return error_response(
            StatusCode::BAD_REQUEST,
            "An Idempotency-Key header is required.",
        );
    };
    if !state.articles.comments_open(&id) {
        return error_response(
            StatusCode::NOT_FOUND,
            "Comments are closed for this article.",
        );
    }
    let store = &state.store;
    let now = now_ms();

    // The key first: a repeated key gets the first answer, whatever else has changed.
    let mut waited = 0;
    loop {
        match store.claim(&key, &id, now_ms(), STALE_CLAIM_MS).await {
            Ok(Claim::Claimed) => break,
            Ok(Claim::Answered(answer)) => return json_answer(&answer, None),
            Ok(Claim::InProgress) if waited < 10_000 => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                waited += 50;
            }
            Ok(Claim::InProgress) => {
                return error_response(
                    StatusCode::CONFLICT,
                    "This comment is still being posted. Please retry in a moment.",
                )
            }
            Err(error) => return database_error(error),
        }
    }

    let outcome = accept(
        &state,
        &id,
        &key,
        &body,
        now,
        client_address(&state.settings, peer, &headers),
        token_hash(&headers),
    )
    .await;
    match outcome {
        Ok(Accepted::Answer(answer)) => json_answer(&answer, None),
        Ok(Accepted::Refused(answer)) => match store.record_answer(&key, &answer).await {
            Ok(()) => json_answer(&answer, None),
            Err(error) => database_error(error),
        },
        Ok(Accepted::TooSoon(wait_ms)) => {
            // Not recorded: the same key may succeed once the wait is over.
            let _ = store.release(&key).await;
            let seconds = (wait_ms + 999) / 1000;
            let answer = StoredAnswer {
                status: 429,
                body: json!({ "error": format!("Please wait {seconds} seconds before commenting again.") }).to_string(),
            };
            json_answer(&answer, Some(seconds))
        }
        Err(error) => {
            let _ = store.release(&key).await;
            database_error(error)
        }
    }
}

enum Accepted {
    /// Stored, with the answer the key will repeat.
    Answer(StoredAnswer),
    /// Not stored, for a reason that will not change (the key repeats this answer).
    Refused(StoredAnswer),
    /// Flood control: milliseconds to wait.
    TooSoon(i64),
}

async fn accept(
    state: &AppState,
    article_id: &str,
    key: &str,
    body: &str,
    now: i64,
    address: IpAddr,
    author_token: Option<String>,
) -> Result<Accepted, crate::store::StoreError> {
    let generic = "Your comment could not be accepted. Please try again in a moment.";
    let Some(request) = CommentRequest::parse(body) else {
        return Ok(Accepted::Refused(refusal(
            "form",
            "The comment could not be read.",
        )));
    };

    // Spam checks, with one generic message that tells a bot nothing.
    let honeypot_filled = !request.honeypot.trim().is_empty();
    // A reader's clock may run ahead of ours: only a plausible age under 3 s is refused.
    let too_fast = match request.rendered_at.map(|at| now - at) {
        None => true,
        Some(age) => (-120_000..MIN_FORM_AGE_MS).contains(&age),
    };
    if honeypot_filled || too_fast {
        return Ok(Accepted::Refused(refusal("form", generic)));
    }

    let valid = match validate(&request.input) {
        Ok(valid) => valid,
        Err(problems) => {
            return Ok(Accepted::Refused(StoredAnswer {
                status: 422,
                body: problems_body(&problems),
            }));
        }
    };

    let store = &state.store;
    let parent = request.parent;
    if let Some(parent_id) = &parent {
        let exists = store
            .comment(parent_id)
            .await?
            .is_some_and(|p| p.article_id == article_id && p.status != "rejected");
        if !exists {
            return Ok(Accepted::Refused(refusal(
                "parent",
                "The comment you replied to is no longer there.",
            )));
        }
    }

    let email = valid.email.to_lowercase();
    let status = match state.settings.moderation {
        Moderation::ApproveAll => "approved",
        Moderation::HoldAll => "pending",
        Moderation::Auto if store.has_approved(&email).await? => "approved",
        Moderation::Auto => "pending",
    };
    let comment = StoredComment {
        id: random_id(),
        article_id: article_id.to_owned(),
        parent_id: parent,
        author: valid.author,
        email: email.clone(),
        website: valid.website,
        content: valid.content,
        status: status.to_owned(),
        created_at: now,
        client_address: address.to_string(),
        author_token,
    };
    let subjects = [format!("email:{email}"), format!("address:{address}")];
    let stored = store
        .insert_comment(
            &comment,
            key,
            &subjects,
            state.settings.flood_window_ms,
            |c| StoredAnswer {
                status: 201,
                body: json!({ "comment": public_comment(c) }).to_string(),
            },
        )
        .await?;
    Ok(match stored {
        Ok(answer) => Accepted::Answer(answer),
        Err(TooSoon(ms)) => Accepted::TooSoon(ms),
    })
}
