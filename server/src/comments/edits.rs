//! Edit and delete your own comment over HTTP (issue 20), within `--edit-minutes` of posting:
//! - `POST /api/articles/{id}/comments/{comment}/edit` with `{"content": "…"}`, answered
//!   `{"comment": {…}}` (the comment as its author now sees it, `edited` with its time);
//! - `POST /api/articles/{id}/comments/{comment}/delete` with `{}`, answered
//!   `{"deleted": "tombstone"}` (it had replies: "This comment was deleted." holds their
//!   place) or `{"deleted": "removed"}`.
//!
//! POST rather than PATCH and DELETE, so the API's CORS (GET and POST) and its origin check
//! serve them as they are. The author is the browser's author token (its digest, as comments
//! store it) or the account of a `Authorization: Bearer` token the publisher signed (`sso`).
//! The new text passes the rules a new comment passes (`comment_rules`, the moderators'
//! blocks) and the rules that hold one (`--hold-links`, hold-all): an approved comment whose
//! edit they hold goes back to moderation; a held one stays held. Refusals are `{"error":
//! "…", "reason": "…"}` in words (401 nobody, 403 not yours or the window closed, 404
//! unknown, 413, 415, 422 the text, 429); the widget keeps what was typed on any of them.
//! Each address has `CHANGES_PER_WINDOW` a minute.

use axum::body::to_bytes;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use serde_json::json;

use article_widget::domain::comment::{Comment, Edits};
use article_widget::domain::comment_rules::{check_field, Field};
use article_widget::domain::date::Timestamp;
use article_widget::domain::wire::{posted_comment_body, problems_body};

use crate::clock::now_ms;
use crate::config::Moderation;
use crate::http::error::ApiError;
use crate::http::extract::{AuthorToken, ClientAddress, BODY_LIMIT};
use crate::http::origin::refuse_foreign_origins;
use crate::http::{public_comment, AppState};
use crate::store::{AuthorChange, ChangeOutcome, Editor, LikeLimit, StoredComment};

/// Edits and deletions a client address may send a minute (an author mending a typo a few
/// times stays far under it; a script probing ids does not).
pub const CHANGES_PER_WINDOW: i64 = 30;
pub const CHANGE_WINDOW_MS: i64 = 60_000;

/// A deletion's body is `{}`: anything much longer is not one.
const DELETE_BODY_LIMIT: usize = 1024;

/// The routes: the comments API's origin check, and body limits (an edit carries a comment,
/// so it has the API's).
pub fn routes(state: AppState) -> Router<AppState> {
    let edit = Router::new()
        .route("/api/articles/{id}/comments/{comment}/edit", post(edit))
        .layer(DefaultBodyLimit::max(BODY_LIMIT));
    let delete = Router::new()
        .route("/api/articles/{id}/comments/{comment}/delete", post(delete))
        .layer(DefaultBodyLimit::max(DELETE_BODY_LIMIT));
    edit.merge(delete).layer(middleware::from_fn_with_state(
        state,
        refuse_foreign_origins,
    ))
}

/// A refusal in the API's shape: `{"error": "…", "reason": "…"}` with its status (the
/// reason is for the widget, which says it in the reader's language).
fn refusal(status: StatusCode, reason: &str, message: &str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json!({ "error": message, "reason": reason }).to_string(),
    )
        .into_response()
}

fn answer(body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// The body as JSON, within `limit` bytes, or the refusal that says why not.
async fn json_body(request: Request, limit: usize) -> Result<serde_json::Value, Response> {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if !is_json {
        // (Also what keeps a plain cross-site form from reaching here with a cookie.)
        return Err(refusal(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unreadable",
            "Send the change as application/json.",
        ));
    }
    let Ok(body) = to_bytes(request.into_body(), limit).await else {
        return Err(refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "This change is too long to be a comment.",
        ));
    };
    serde_json::from_slice(&body).map_err(|_| {
        refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable",
            "An edit is {\"content\": \"…\"}; a deletion is {}.",
        )
    })
}

/// Who asks, from the request: the author token's digest and the signed-in account.
struct Asking {
    token: Option<String>,
    account: Option<String>,
}

fn asking(
    state: &AppState,
    token: Option<String>,
    headers: &axum::http::HeaderMap,
) -> Result<Asking, Response> {
    let account = match crate::comments::api::signed_in_account(state, headers) {
        Ok(account) => account.map(|account| account.id),
        Err(error) => return Err(error.into_response()),
    };
    if token.is_none() && account.is_none() {
        return Err(refusal(
            StatusCode::UNAUTHORIZED,
            "nobody",
            "Only the browser that wrote a comment (its Comment-Author-Token), or the \
             account it was written under, may change it.",
        ));
    }
    Ok(Asking { token, account })
}

async fn edit(
    state: State<AppState>,
    Path((article_id, comment_id)): Path<(String, String)>,
    AuthorToken(token): AuthorToken,
    ClientAddress(address): ClientAddress,
    request: Request,
) -> Result<Response, ApiError> {
    let headers = request.headers().clone();
    let body = match json_body(request, BODY_LIMIT).await {
        Ok(body) => body,
        Err(refused) => return Ok(refused),
    };
    let Some(content) = body.get("content").and_then(|c| c.as_str()) else {
        return Ok(refusal(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unreadable",
            "An edit is {\"content\": \"…\"}.",
        ));
    };
    // The rules a new comment's text passes, in the same words.
    if let Err(problem) = check_field(Field::Content, content) {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            [(header::CONTENT_TYPE, "application/json")],
            problems_body(&[(Field::Content, problem)]),
        )
            .into_response());
    }
    let content = content.trim().to_owned();
    let asking = match asking(&state, token, &headers) {
        Ok(asking) => asking,
        Err(refused) => return Ok(refused),
    };
    if !state.articles.comments_open(&article_id).await {
        return Err(ApiError::Closed);
    }
    let store = &state.store;
    // Blocked by a moderator since: refused as a new comment would be.
    if let Some(stored) = store.comment(&comment_id).await? {
        if stored.article_id == article_id
            && store
                .is_blocked(&stored.email.to_lowercase(), &address.to_string())
                .await?
        {
            return Ok(refusal(
                StatusCode::FORBIDDEN,
                "refused",
                "Your change could not be accepted.",
            ));
        }
    }
    let links = crate::comments::holds::too_many_links(&content, state.settings.hold_links);
    let hold = match state.settings.moderation {
        Moderation::ApproveAll => false,
        Moderation::HoldAll => true,
        Moderation::Auto => links,
    };
    let change = AuthorChange::Edit { content, hold };
    let outcome = change_own(&state, &article_id, &comment_id, &asking, &change, &address).await?;
    let ChangeOutcome::Edited { .. } = outcome else {
        return Ok(refused(outcome, &state));
    };
    // The comment as its author now sees it.
    let Some(stored) = store.comment(&comment_id).await? else {
        // Deleted by a moderator in the meantime.
        return Ok(refused(ChangeOutcome::NoSuchComment, &state));
    };
    Ok(answer(posted_comment_body(&as_edited(
        &state, &stored, outcome,
    ))))
}

async fn delete(
    state: State<AppState>,
    Path((article_id, comment_id)): Path<(String, String)>,
    AuthorToken(token): AuthorToken,
    ClientAddress(address): ClientAddress,
    request: Request,
) -> Result<Response, ApiError> {
    let headers = request.headers().clone();
    if let Err(refused) = json_body(request, DELETE_BODY_LIMIT).await {
        return Ok(refused);
    }
    let asking = match asking(&state, token, &headers) {
        Ok(asking) => asking,
        Err(refused) => return Ok(refused),
    };
    if !state.articles.comments_open(&article_id).await {
        return Err(ApiError::Closed);
    }
    let outcome = change_own(
        &state,
        &article_id,
        &comment_id,
        &asking,
        &AuthorChange::Delete,
        &address,
    )
    .await?;
    Ok(match outcome {
        ChangeOutcome::Tombstoned => answer(json!({ "deleted": "tombstone" }).to_string()),
        ChangeOutcome::Removed => answer(json!({ "deleted": "removed" }).to_string()),
        other => refused(other, &state),
    })
}

async fn change_own(
    state: &AppState,
    article_id: &str,
    comment_id: &str,
    asking: &Asking,
    change: &AuthorChange,
    address: &std::net::IpAddr,
) -> Result<ChangeOutcome, ApiError> {
    let limit = LikeLimit {
        subject: format!(
            "change:{}",
            crate::http::client_address::client_group(*address)
        ),
        window_ms: CHANGE_WINDOW_MS,
        turns: CHANGES_PER_WINDOW,
    };
    let editor = Editor {
        token: asking.token.as_deref(),
        account: asking.account.as_deref(),
    };
    Ok(state
        .store
        .change_own_comment(
            article_id,
            comment_id,
            editor,
            change,
            now_ms(),
            state.settings.edit_window_ms,
            &limit,
        )
        .await?)
}

/// The edited comment for its author: its new text and status, when it was edited, and the
/// window (still open: it closes at the same time as before).
fn as_edited(state: &AppState, stored: &StoredComment, outcome: ChangeOutcome) -> Comment {
    let mut comment = public_comment(stored);
    let edited_at = match outcome {
        ChangeOutcome::Edited { edited_at, .. } => Some(Timestamp::from_millis(edited_at)),
        _ => None,
    };
    comment.edits = Edits {
        edited: edited_at,
        deleted: false,
        editable_until: Some(Timestamp::from_millis(
            stored
                .created_at
                .saturating_add(state.settings.edit_window_ms),
        )),
    };
    // Held again: the author's list shows it as awaiting moderation.
    if let ChangeOutcome::Edited { status, .. } = outcome {
        comment.status = status.public();
    }
    comment
}

/// What a refused change says, in words.
fn refused(outcome: ChangeOutcome, state: &AppState) -> Response {
    match outcome {
        ChangeOutcome::NoSuchComment => refusal(
            StatusCode::NOT_FOUND,
            "unknown",
            "There is no comment with this id on this article (it may have been deleted).",
        ),
        ChangeOutcome::NotYours => refusal(
            StatusCode::FORBIDDEN,
            "not_yours",
            "You can only edit or delete your own comments.",
        ),
        ChangeOutcome::WindowOver(_) => {
            let minutes = state.settings.edit_window_ms / 60_000;
            let unit = if minutes == 1 { "minute" } else { "minutes" };
            refusal(
                StatusCode::FORBIDDEN,
                "window_over",
                &format!(
                    "This comment can no longer be changed: its author may edit or delete it \
                     for {minutes} {unit} after posting."
                ),
            )
        }
        ChangeOutcome::TooMany(wait_ms) => {
            let seconds = (wait_ms + 999) / 1000;
            let mut response = refusal(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many",
                &format!("Too many changes from this address. Please wait {seconds} s."),
            );
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
        // Not refusals (the handlers answer these themselves).
        ChangeOutcome::Edited { .. } | ChangeOutcome::Tombstoned | ChangeOutcome::Removed => {
            answer(json!({ "changed": true }).to_string())
        }
    }
}
