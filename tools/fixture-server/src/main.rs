//! Test-only HTTP server for the browser suite. It serves the repository's `static/` folder
//! (the sample articles and images) and a route for each way loading can go wrong, all with
//! permissive CORS because the test page lives on another port.
//!
//! Usage: `fixture-server [ADDRESS] [DIST]` from the repository root. ADDRESS defaults to
//! 127.0.0.1:8790 (port 0 picks a free one); the first line printed names the address. With
//! DIST (Trunk's output folder), `/` also serves the built demo page.
//! Routes:
//! - `GET /static/…`                        the samples, as files
//! - `GET /status/{code}`                   answers with that HTTP status
//! - `GET /slow/{ms}`                       the breaking-news sample after a delay
//! - `GET /flaky/{key}`                     500 the first time for each key, then the sample
//! - `GET /bad/{case}`                      malformed or incomplete article JSON (see `bad`)
//! - `GET /article/{mode}/{id}`             an article whose comments live at the route below
//! - `GET|POST /api/{mode}/articles/{id}/comments`   the comments API, behaving per `mode`:
//!   `ok` (approved), `pending`, `slow` (stores at once, answers after 3 s), `flaky` (500 on a
//!   key's first post), `error` (500), `ratelimit` (429), `invalid` (422 with field errors),
//!   `malformed` (unreadable bodies), `listerror` (the list answers 500)
//! - `GET /posts/{mode}/{id}`               how many POSTs that thread received
//! - `GET /host-page?widget=URL&article=URL` a publisher's page on this origin that embeds
//!   the widget script from another one (cross-origin embedding)

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use article_widget::domain::comment_rules::validate;
use article_widget::domain::wire::{problems_body, CommentRequest};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

#[derive(Clone, Default)]
struct AppState {
    seen_flaky: Arc<Mutex<HashSet<String>>>,
    root: PathBuf,
    comments: Arc<Mutex<Comments>>,
}

#[derive(Default)]
struct Comments {
    /// Per "mode/article": the stored comments, oldest first.
    threads: HashMap<String, Vec<Value>>,
    /// Per "mode/article": how many POSTs arrived.
    posts: HashMap<String, usize>,
    /// Per idempotency key: the first answer.
    answers: HashMap<String, (StatusCode, String)>,
    next_id: u64,
}

#[tokio::main]
async fn main() {
    let address: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8790".into())
        .parse()
        .expect("an address such as 127.0.0.1:8790");
    let root = std::env::current_dir().expect("a working directory");
    let state = AppState {
        root: root.clone(),
        ..AppState::default()
    };
    let dist = std::env::args().nth(2).map(PathBuf::from);
    let mut app = Router::new()
        .nest_service("/static", ServeDir::new(root.join("static")))
        .route("/status/{code}", get(status))
        .route("/slow/{ms}", get(slow))
        .route("/flaky/{key}", get(flaky))
        .route("/bad/{case}", get(bad))
        .route("/article/{mode}/{id}", get(article))
        .route(
            "/api/{mode}/articles/{id}/comments",
            get(list_comments).post(post_comment),
        )
        .route("/posts/{mode}/{id}", get(post_count))
        .route("/host-page", get(host_page))
        .with_state(state);
    if let Some(dist) = dist {
        app = app.fallback_service(ServeDir::new(dist));
    }
    let app = app
        .layer(CorsLayer::permissive())
        // The test runner's page is cross-origin isolated (COEP require-corp): without this,
        // Chromium blocks our images there, as it would on any such publisher page.
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("cross-origin"),
        ));
    let listener = tokio::net::TcpListener::bind(address)
        .await
        .expect("the address is free");
    let address = listener.local_addr().expect("a bound address");
    println!("http://{address}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .expect("the server runs");
}

fn json(status: StatusCode, body: String) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

fn sample(state: &AppState) -> String {
    std::fs::read_to_string(state.root.join("static/articles/russia-iran-treaty.json"))
        .unwrap_or_default()
}

async fn status(Path(code): Path<u16>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
    (status, format!("status {code}")).into_response()
}

async fn slow(State(state): State<AppState>, Path(ms): Path<u64>) -> Response {
    tokio::time::sleep(Duration::from_millis(ms.min(60_000))).await;
    json(StatusCode::OK, sample(&state))
}

async fn flaky(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let first_time = state
        .seen_flaky
        .lock()
        .map(|mut seen| seen.insert(key))
        .unwrap_or(false);
    if first_time {
        (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response()
    } else {
        json(StatusCode::OK, sample(&state))
    }
}

async fn bad(Path(case): Path<String>) -> Response {
    let body = match case.as_str() {
        "truncated" => r#"{"id": "x", "headline": "Cut off"#,
        "syntax" => "{\n  \"id\": \"x\"\n  \"headline\": \"No comma\"\n}",
        "html" => "<!doctype html><title>Not JSON</title>",
        "no-headline" => r#"{"id": "x", "published": "2025-01-17 19:13:00"}"#,
        "bad-date" => r#"{"id": "x", "headline": "H", "published": "last Friday"}"#,
        "broken-image" => {
            r#"{"id": "broken-image", "headline": "An image that does not load", "published": "2025-01-17",
                "image": {"src": "/static/images/does-not-exist.jpg", "alt": "Missing", "caption": "The caption stays.", "width": 800, "height": 450},
                "body": [{"type": "paragraph", "text": "Text."}, {"type": "image", "src": "/static/images/also-missing.jpg", "alt": "Gone", "width": 400, "height": 300}],
                "related": [{"title": "Another story", "url": "/elsewhere", "image": {"src": "/static/images/missing-thumb.jpg", "alt": ""}}]}"#
        }
        _ => return (StatusCode::NOT_FOUND, "no such case").into_response(),
    };
    json(StatusCode::OK, body.to_owned())
}

async fn article(Path((mode, id)): Path<(String, String)>) -> Response {
    json(
        StatusCode::OK,
        json!({
            "id": id,
            "headline": format!("Comments test ({mode})"),
            "published": "2025-01-17T19:13:00Z",
            "body": "A short article to comment on.",
            "comments": {"enabled": true, "url": format!("/api/{mode}/articles/{id}/comments")}
        })
        .to_string(),
    )
}

async fn list_comments(
    State(state): State<AppState>,
    Path((mode, id)): Path<(String, String)>,
) -> Response {
    match mode.as_str() {
        "listerror" => return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        "malformed" => return json(StatusCode::OK, "not json".into()),
        _ => {}
    }
    let comments = state.comments.lock().map(|c| {
        c.threads
            .get(&format!("{mode}/{id}"))
            .cloned()
            .unwrap_or_default()
    });
    json(
        StatusCode::OK,
        json!({"comments": comments.unwrap_or_default()}).to_string(),
    )
}

async fn post_comment(
    State(state): State<AppState>,
    Path((mode, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Ok(mut comments) = state.comments.lock() {
        *comments.posts.entry(format!("{mode}/{id}")).or_default() += 1;
    }
    if let Some((status, body)) = state
        .comments
        .lock()
        .ok()
        .and_then(|c| c.answers.get(&key).cloned())
    {
        return json(status, body);
    }
    match mode.as_str() {
        "error" => return (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        "ratelimit" => return (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "30")], "slow down").into_response(),
        "malformed" => return json(StatusCode::CREATED, "<html>".into()),
        "invalid" => {
            return json(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({"errors": {"email": ["This email address cannot comment here."], "other": ["Comments from this network are held."]}}).to_string(),
            )
        }
        "flaky" => {
            let first = state.seen_flaky.lock().map(|mut seen| seen.insert(key.clone())).unwrap_or(false);
            if first {
                return (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response();
            }
        }
        _ => {}
    }
    let request = CommentRequest::parse(&body).unwrap_or_default();
    let (status, answer) = match validate(&request.input) {
        Err(problems) => (StatusCode::UNPROCESSABLE_ENTITY, problems_body(&problems)),
        Ok(valid) => {
            let Ok(mut comments) = state.comments.lock() else {
                return (StatusCode::INTERNAL_SERVER_ERROR, "lock").into_response();
            };
            comments.next_id += 1;
            let comment = json!({
                "id": comments.next_id.to_string(),
                "parent": request.parent,
                "author": valid.author,
                "website": valid.website,
                "content": valid.content,
                "published": now_rfc3339(),
                "status": if mode == "pending" { "pending" } else { "approved" },
            });
            comments
                .threads
                .entry(format!("{mode}/{id}"))
                .or_default()
                .push(comment.clone());
            let answer = (StatusCode::CREATED, json!({"comment": comment}).to_string());
            comments.answers.insert(key, answer.clone());
            answer
        }
    };
    if mode == "slow" {
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    json(status, answer)
}

fn now_rfc3339() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default();
    article_widget::domain::date::Timestamp::from_millis(millis).to_rfc3339()
}

async fn post_count(
    State(state): State<AppState>,
    Path((mode, id)): Path<(String, String)>,
) -> Response {
    let count = state
        .comments
        .lock()
        .map(|c| c.posts.get(&format!("{mode}/{id}")).copied().unwrap_or(0))
        .unwrap_or(0);
    json(StatusCode::OK, count.to_string())
}

fn escape_attribute(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

async fn host_page(Query(query): Query<HashMap<String, String>>) -> Response {
    let widget = escape_attribute(query.get("widget").map(String::as_str).unwrap_or_default());
    let article = escape_attribute(query.get("article").map(String::as_str).unwrap_or_default());
    let html = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Publisher page</title>\
         <script type=\"module\" src=\"{widget}\"></script></head>\
         <body><h1>A publisher on another origin</h1><article-widget src=\"{article}\"></article-widget></body></html>"
    );
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}
