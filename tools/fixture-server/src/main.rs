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
//! - `GET|POST /api/{mode}/articles/{id}/comments`   the comments API: the real comment
//!   service's router (`comment_service::app`) over an in-memory SQLite database, as article
//!   `{mode}-{id}`, behind a fault-injecting handler that behaves per `mode`: `ok` (approved),
//!   `pending` (held for moderation), `slow` (stored at once, answered after 3 s), `flaky`
//!   (500 on a key's first post, before the service sees it), `error` (500), `ratelimit`
//!   (429), `invalid` (422 with field errors), `malformed` (unreadable bodies), `listerror`
//!   (the list answers 500), `whole` (ignores the paging parameters and answers the whole
//!   thread, as a server of the contract's first version does). Only the faults are written here; storing, idempotency, the
//!   rules and the answers are the service's own.
//! - `GET /posts/{mode}/{id}`               how many POSTs that thread received
//! - `GET /host-page?widget=URL&article=URL` a publisher's page on this origin that embeds
//!   the widget script from another one (cross-origin embedding)

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use article_widget::domain::wire::IDEMPOTENCY_KEY_HEADER;
use axum::extract::{Path, Query, Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::Router;
use comment_service::app::router as service_router;
use comment_service::http::AppState as ServiceState;
use comment_service::articles::ArticleGate;
use comment_service::config::{Moderation, Settings};
use comment_service::store::Store;
use serde_json::json;
use tower::ServiceExt;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

#[derive(Clone)]
struct AppState {
    /// Keys whose first post was refused (`flaky`) or answered late (`slow`).
    seen_flaky: Arc<Mutex<HashSet<String>>>,
    seen_slow: Arc<Mutex<HashSet<String>>>,
    root: PathBuf,
    /// Per "mode/article": how many POSTs arrived.
    posts: Arc<Mutex<HashMap<String, usize>>>,
    /// The real service, approving every comment.
    service: Router,
    /// The real service on the same store, holding every comment for moderation.
    holding_service: Router,
}

/// The comment service's settings for browser tests: every article open, no flood control,
/// and no minimum form age (a test types faster than a person; the service's own HTTP tests
/// cover both rules).
fn settings(moderation: Moderation) -> Settings {
    Settings {
        articles: None,
        site: None,
        allowed_origins: Vec::new(),
        moderation,
        hold_links: 0,
        flood_window_ms: 0,
        edit_window_ms: 15 * 60_000,
        proxy_trust: Default::default(),
        min_form_age_ms: 0,
        front_page: None,
        public_url: String::new(),
        data_rights: Default::default(),
        badge_words: Default::default(),
    }
}

#[tokio::main]
async fn main() {
    // The service's warnings and errors (a database error behind a 503, say) on stderr.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    let address: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8790".into())
        .parse()
        .expect("an address such as 127.0.0.1:8790");
    let root = std::env::current_dir().expect("a working directory");
    // A named, shared in-memory database: the `Any` driver opens each pooled connection from
    // the URL again, and a plain `sqlite::memory:` would give each its own empty database.
    let store = Store::open("sqlite:file:aw-fixture?mode=memory&cache=shared")
        .await
        .expect("an in-memory SQLite database");
    let service = |moderation| {
        service_router(ServiceState {
            store: store.clone(),
            settings: Arc::new(settings(moderation)),
            articles: Arc::new(ArticleGate::new(None)),
            spam: None,
            sign_in: None,
        })
    };
    let state = AppState {
        seen_flaky: Arc::default(),
        seen_slow: Arc::default(),
        root: root.clone(),
        posts: Arc::default(),
        service: service(Moderation::ApproveAll),
        holding_service: service(Moderation::HoldAll),
    };
    let dist = std::env::args().nth(2).map(PathBuf::from);
    let mut app = Router::new()
        .nest_service("/static", ServeDir::new(root.join("static")))
        .route("/status/{code}", get(status))
        .route("/slow/{ms}", get(slow))
        .route("/flaky/{key}", get(flaky))
        .route("/bad/{case}", get(bad))
        .route("/article/{mode}/{id}", get(article))
        .route("/api/{mode}/articles/{id}/comments", any(comments))
        .route("/api/{mode}/articles/{id}/events", get(no_live_updates))
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
    if first_time(&state.seen_flaky, &key) {
        (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response()
    } else {
        json(StatusCode::OK, sample(&state))
    }
}

async fn bad(Path(case): Path<String>) -> Response {
    let body = match case.as_str() {
        // Valid JSON nested 5,000 deep (issue 17 §2): the widget refuses it past 127 levels.
        "deep" => {
            let (open, close) = ("[".repeat(5_000), "]".repeat(5_000));
            return json(
                StatusCode::OK,
                format!(
                    r#"{{"id": "deep", "headline": "Deep", "published": "2025-01-17", "body": {open}1{close}}}"#
                ),
            );
        }
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

/// The comments API of test article `{mode}-{id}`: the fault `mode` names, else the real
/// service's answer.
/// The widget opens the live updates' stream beside any comments URL of our service's shape;
/// these comments have none: 204 tells the browser's `EventSource` to stop, without retrying.
async fn no_live_updates() -> StatusCode {
    StatusCode::NO_CONTENT
}

async fn comments(
    State(state): State<AppState>,
    Path((mode, id)): Path<(String, String)>,
    request: Request,
) -> Response {
    let is_post = request.method() == Method::POST;
    let key = idempotency_key(&request);
    if is_post {
        if let Ok(mut posts) = state.posts.lock() {
            *posts.entry(format!("{mode}/{id}")).or_default() += 1;
        }
    }
    if let Some(fault) = fault(&state, &mode, is_post, &request) {
        return fault;
    }
    // The real service, as if the browser had called it directly: its own path, and no
    // Origin (CORS for the test page's origin is this server's business, above). A new
    // request, so nothing this router put in the extensions (its path parameters) goes along.
    // Its query goes along (pages), except for `whole`: a server of the contract's first
    // version, which answers the whole thread whatever is asked.
    let query = match request.uri().query() {
        Some(query) if mode != "whole" => format!("?{query}"),
        _ => String::new(),
    };
    let Ok(uri) = format!("/api/articles/{mode}-{id}/comments{query}").parse::<Uri>() else {
        return (StatusCode::BAD_REQUEST, "bad id").into_response();
    };
    let (parts, body) = request.into_parts();
    let mut forwarded = Request::new(body);
    *forwarded.method_mut() = parts.method;
    *forwarded.uri_mut() = uri;
    *forwarded.headers_mut() = parts.headers;
    forwarded.headers_mut().remove(header::ORIGIN);
    let service = if mode == "pending" {
        state.holding_service.clone()
    } else {
        state.service.clone()
    };
    let response = match service.oneshot(forwarded).await {
        Ok(response) => response,
        Err(never) => match never {},
    };
    if is_post && mode == "slow" && first_time(&state.seen_slow, &key) {
        // Stored already; the answer is late, as from an overloaded server. A retry with the
        // same key gets the stored answer at once.
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
    response
}

/// The failure a mode injects, if any, before the service sees the request.
fn fault(state: &AppState, mode: &str, is_post: bool, request: &Request) -> Option<Response> {
    Some(match (mode, is_post) {
        ("listerror", false) => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        ("malformed", false) => json(StatusCode::OK, "not json".into()),
        ("malformed", true) => json(StatusCode::CREATED, "<html>".into()),
        ("error", true) => (StatusCode::INTERNAL_SERVER_ERROR, "boom").into_response(),
        ("ratelimit", true) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "30")],
            "slow down",
        )
            .into_response(),
        ("invalid", true) => json(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"errors": {"email": ["This email address cannot comment here."], "other": ["Comments from this network are held."]}}).to_string(),
        ),
        ("flaky", true) => {
            if !first_time(&state.seen_flaky, &idempotency_key(request)) {
                return None;
            }
            (StatusCode::INTERNAL_SERVER_ERROR, "try again").into_response()
        }
        _ => return None,
    })
}

fn idempotency_key(request: &Request) -> String {
    request
        .headers()
        .get(IDEMPOTENCY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

/// True the first time `key` is seen in `seen`.
fn first_time(seen: &Mutex<HashSet<String>>, key: &str) -> bool {
    seen.lock()
        .map(|mut seen| seen.insert(key.to_owned()))
        .unwrap_or(false)
}

async fn post_count(
    State(state): State<AppState>,
    Path((mode, id)): Path<(String, String)>,
) -> Response {
    let count = state
        .posts
        .lock()
        .map(|posts| posts.get(&format!("{mode}/{id}")).copied().unwrap_or(0))
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
