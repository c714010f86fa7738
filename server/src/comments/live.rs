//! Live updates (issue 20): `GET /api/articles/{id}/events`, a `text/event-stream` of the
//! article's public changes while a page is open. Events (`event:` name, `data:` JSON):
//! - `ready` (`{}`): the stream is open (after what it missed, if it came back); its id is
//!   where a stream that comes back resumes;
//! - `approved` and `edited` (`{"comment": {…}}`, the comment as the list gives it);
//! - `deleted` (`{"id": "…"}`), `likes` (`{"id": "…", "count": N}`);
//! - `resync` (`{}`): changes may have been missed: read the first page again.
//!
//! Each has an id (`EPOCH-SEQ`, see `store::live`): a stream opened with `Last-Event-ID` (the
//! browser's own reconnection) or `?last_event_id=` (the widget's, after it closed the stream
//! for a hidden tab) gets what it missed, or `resync`. Public data only: a held comment is
//! never sent. The API's origin rule; caps on streams per service (503) and per client address
//! (429), each with `Retry-After`; a comment line every 15 s keeps proxies from closing an idle
//! stream, and `X-Accel-Buffering: no` tells nginx not to buffer it.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use article_widget::domain::wire::posted_comment_body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::http::error::ApiError;
use crate::http::extract::ClientAddress;
use crate::http::origin::refuse_foreign_origins;
use crate::http::{public_comment, AppState};
use crate::store::{LiveEvent, LiveKind, Store, StreamSlot, StreamsFull};

/// How often an idle stream gets a comment line (proxies close idle connections).
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);
/// What a refused stream is told to wait, in seconds.
const RETRY_AFTER_SECONDS: u64 = 30;
/// The longest `Last-Event-ID` read (ours are 8 hex digits, a dash and a number).
const MAX_EVENT_ID: usize = 40;

pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/articles/{id}/events", get(events))
        .layer(middleware::from_fn_with_state(
            state,
            refuse_foreign_origins,
        ))
}

#[derive(serde::Deserialize)]
struct Resume {
    last_event_id: Option<String>,
}

async fn events(
    State(state): State<AppState>,
    Path(article_id): Path<String>,
    ClientAddress(address): ClientAddress,
    Query(resume): Query<Resume>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if !state.articles.comments_open(&article_id).await {
        return Err(ApiError::NoComments);
    }
    // Counted by client (an IPv6 /64 is one), so one host cannot hold every place.
    let slot = match state
        .store
        .open_live_stream(&crate::http::client_address::client_group(address))
    {
        Ok(slot) => slot,
        Err(full) => return Ok(refused(full)),
    };
    // The browser's own header first (its reconnection), else the widget's parameter.
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
        .or(resume.last_event_id)
        .filter(|id| !id.is_empty() && id.len() <= MAX_EVENT_ID);
    let subscription = state
        .store
        .subscribe_live(&article_id, last_event_id.as_deref());
    let mut backlog: VecDeque<Event> = VecDeque::new();
    match subscription.missed {
        Some(missed) => {
            // What it missed first, then `ready` with the newest id: the id a browser keeps.
            for event in &missed {
                backlog.extend(replayed(&state.store, event).await);
            }
            backlog.push_back(
                Event::default()
                    .event("ready")
                    .id(state.store.live_event_id(subscription.last_seq))
                    .data("{}"),
            );
        }
        None => backlog.push_back(resync(&state.store, subscription.last_seq)),
    }
    let stream = Stream {
        store: state.store.clone(),
        article_id,
        receiver: subscription.receiver,
        backlog,
        ends_at: tokio::time::Instant::now() + STREAM_LIFETIME,
        _slot: slot,
    };
    let events = futures_util::stream::unfold(stream, next_event);
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// A refusal beyond a cap, in the API's shape, with when to come back.
fn refused(full: StreamsFull) -> Response {
    let (status, message) = match full {
        StreamsFull::Service => (
            StatusCode::SERVICE_UNAVAILABLE,
            "Live updates are busy right now. The page still works; try again later.",
        ),
        StreamsFull::Address => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many live updates are open from this address. Close a page and try again.",
        ),
    };
    (
        status,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS)),
        ],
        json!({ "error": message }).to_string(),
    )
        .into_response()
}

/// One open stream: its place (given back when the client goes), what it still has to send,
/// and what it hears.
struct Stream {
    store: Store,
    article_id: String,
    receiver: tokio::sync::broadcast::Receiver<Arc<LiveEvent>>,
    backlog: VecDeque<Event>,
    /// When it ends, whatever it is doing: a place is never held for ever (the browser comes
    /// back by itself, with `Last-Event-ID`, and gets what it missed).
    ends_at: tokio::time::Instant,
    _slot: StreamSlot,
}

/// How long one stream lasts before the service ends it (the browser reconnects at once).
const STREAM_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// The stream's next event: its backlog, then what it hears for its article; it ends when the
/// service stops.
async fn next_event(mut stream: Stream) -> Option<(Result<Event, Infallible>, Stream)> {
    if let Some(event) = stream.backlog.pop_front() {
        return Some((Ok(event), stream));
    }
    loop {
        let heard = tokio::select! {
            heard = stream.receiver.recv() => heard,
            () = stream.store.live_ended() => return None,
            () = tokio::time::sleep_until(stream.ends_at) => return None,
        };
        let event = match heard {
            Ok(event) => {
                let ours = event
                    .change
                    .as_ref()
                    .is_none_or(|change| change.article_id == stream.article_id);
                if !ours {
                    continue;
                }
                match sse_event(&stream.store, &event) {
                    Some(event) => event,
                    None => continue,
                }
            }
            // Too slow to keep up: what it missed is gone from the channel.
            Err(RecvError::Lagged(_)) => resync(&stream.store, 0),
            Err(RecvError::Closed) => return None,
        };
        return Some((Ok(event), stream));
    }
}

fn resync(store: &Store, seq: u64) -> Event {
    let event = Event::default().event("resync").data("{}");
    // Without an id the browser keeps the last one it had; a lagging stream has no better.
    if seq > 0 {
        event.id(store.live_event_id(seq))
    } else {
        event
    }
}

/// A missed event as its comment is now, not as it was: an approved or edited comment is read
/// again and sent as it now is, or as `deleted` when it is no longer public, so nothing deleted,
/// rejected, erased or edited away comes back out of the kept events.
async fn replayed(store: &Store, event: &LiveEvent) -> Option<Event> {
    let change = match &event.change {
        Some(change) if matches!(change.kind, LiveKind::Approved | LiveKind::Edited) => change,
        _ => return sse_event(store, event),
    };
    let now = store.comment(&change.comment_id).await.ok().flatten().filter(|stored| {
        stored.status == crate::store::ModerationStatus::Approved
            && stored.article_id == change.article_id
    });
    let (name, data) = match now {
        Some(stored) => {
            let mut comment = public_comment(&stored);
            comment.likes.count = event.likes.clamp(0, i64::from(u32::MAX)) as u32;
            (change.kind.name(), posted_comment_body(&comment))
        }
        None => (
            LiveKind::Deleted.name(),
            json!({ "id": change.comment_id }).to_string(),
        ),
    };
    Some(
        Event::default()
            .event(name)
            .id(store.live_event_id(event.seq))
            .data(data),
    )
}

/// The event as streams send it (its data built once for all of them).
fn sse_event(store: &Store, event: &LiveEvent) -> Option<Event> {
    let Some(change) = &event.change else {
        return Some(resync(store, event.seq));
    };
    let data = event.data.get_or_init(|| match change.kind {
        LiveKind::Approved | LiveKind::Edited => match &event.comment {
            Some(stored) => {
                let mut comment = public_comment(stored);
                comment.likes.count = event.likes.clamp(0, i64::from(u32::MAX)) as u32;
                posted_comment_body(&comment)
            }
            None => String::new(),
        },
        LiveKind::Deleted => json!({ "id": change.comment_id }).to_string(),
        LiveKind::Likes => {
            json!({ "id": change.comment_id, "count": event.likes.max(0) }).to_string()
        }
    });
    (!data.is_empty()).then(|| {
        Event::default()
            .event(change.kind.name())
            .id(store.live_event_id(event.seq))
            .data(data.as_str())
    })
}
