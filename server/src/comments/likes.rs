//! Likes over HTTP (issue 20): `POST /api/articles/{id}/comments/{comment}/likes` with
//! `{"liked": true}` or `{"liked": false}`, answered `{"likes": N, "liked": bool}`.
//!
//! The reader is the browser's author token (its digest, as comments store it), or, with the
//! publisher's sign-in token (`Authorization: Bearer`, verified as a post's is), their account,
//! so one account likes a comment once from any number of browsers: a like without either is
//! refused, and so is a like of a comment that token or account wrote. The body says the
//! state the reader wants rather than "toggle", so a retried or doubled request changes
//! nothing twice. Foreign origins are refused and bodies are tiny (the routes' layers), each
//! address has `LIKES_PER_WINDOW` a minute, and only approved comments of the article are
//! known (a held comment is as unknown as a made-up id).

use axum::body::to_bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::json;

use crate::clock::now_ms;
use crate::http::error::ApiError;
use crate::http::extract::{AuthorToken, ClientAddress};
use crate::http::origin::refuse_foreign_origins;
use crate::http::AppState;
use crate::store::{LikeLimit, LikeOutcome, Liker};

/// A like's body is `{"liked": true}`: anything much longer is not one.
pub const LIKE_BODY_LIMIT: usize = 1024;

/// Likes and unlikes a client address may send a minute (a reader liking every comment of
/// a long thread stays under it; a script flipping one comment does not).
pub const LIKES_PER_WINDOW: i64 = 60;
pub const LIKE_WINDOW_MS: i64 = 60_000;

/// The likes route: the same origin check as the comments API, and a small body limit.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/articles/{id}/comments/{comment}/likes", post(like))
        .layer(DefaultBodyLimit::max(LIKE_BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state,
            refuse_foreign_origins,
        ))
}

/// What the reader wants: to like the comment, or no longer.
#[derive(serde::Deserialize)]
struct LikeRequest {
    liked: bool,
}

/// A refusal in the API's shape: `{"error": "…"}` with its status.
fn refusal(status: StatusCode, message: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "error": message }).to_string(),
    )
        .into_response()
}

async fn like(
    State(state): State<AppState>,
    Path((article_id, comment_id)): Path<(String, String)>,
    AuthorToken(reader): AuthorToken,
    ClientAddress(address): ClientAddress,
    request: Request,
) -> Result<Response, ApiError> {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    let account = super::api::signed_in_account(&state, request.headers())?;
    if !is_json {
        return Ok(refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the like as application/json.",
        ));
    }
    let Ok(body) = to_bytes(request.into_body(), LIKE_BODY_LIMIT).await else {
        return Ok(refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "A like is {\"liked\": true} or {\"liked\": false}; this body is too long.",
        ));
    };
    let Ok(LikeRequest { liked }) = serde_json::from_slice(&body) else {
        return Ok(refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "A like is {\"liked\": true} or {\"liked\": false}.",
        ));
    };
    // A reader signed in by the publisher likes as their account (one like per account
    // whatever the browser); a refused token is refused here too, as a post's is.
    let account_key = account
        .as_ref()
        .map(|account| Liker::account_key(&account.id));
    let liker = match (&account_key, &account, &reader) {
        (Some(key), Some(account), _) => Liker {
            key,
            token: reader.as_deref(),
            account: Some(&account.id),
        },
        (_, _, Some(reader)) => Liker::browser(reader),
        _ => {
            return Ok(refusal(
                StatusCode::UNAUTHORIZED,
                "A like needs the browser's Comment-Author-Token: the widget sends it.",
            ))
        }
    };
    if !state.articles.comments_open(&article_id).await {
        return Err(ApiError::NoComments);
    }
    let limit = LikeLimit {
        subject: format!("like:{}", crate::http::client_address::client_group(address)),
        window_ms: LIKE_WINDOW_MS,
        turns: LIKES_PER_WINDOW,
    };
    let outcome = state
        .store
        .set_like_as(&article_id, &comment_id, liker, liked, now_ms(), &limit)
        .await?;
    Ok(match outcome {
        LikeOutcome::Counted { likes, liked } => (
            [
                (header::CONTENT_TYPE, "application/json"),
                (header::CACHE_CONTROL, "no-store"),
            ],
            json!({ "likes": likes, "liked": liked }).to_string(),
        )
            .into_response(),
        LikeOutcome::NoSuchComment => refusal(
            StatusCode::NOT_FOUND,
            "There is no published comment with this id on this article.",
        ),
        LikeOutcome::OwnComment => {
            refusal(StatusCode::FORBIDDEN, "You cannot like your own comment.")
        }
        LikeOutcome::TooMany(wait_ms) => {
            let seconds = (wait_ms + 999) / 1000;
            let mut response = refusal(
                StatusCode::TOO_MANY_REQUESTS,
                &format!("Too many likes from this address. Please wait {seconds} s."),
            );
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    })
}
