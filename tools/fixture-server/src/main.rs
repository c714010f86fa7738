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

use std::collections::HashSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::cors::CorsLayer;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

#[derive(Clone, Default)]
struct AppState {
    seen_flaky: Arc<Mutex<HashSet<String>>>,
    root: PathBuf,
}

#[tokio::main]
async fn main() {
    let address: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8790".into())
        .parse()
        .expect("an address such as 127.0.0.1:8790");
    let root = std::env::current_dir().expect("a working directory");
    let state = AppState { root: root.clone(), ..AppState::default() };
    let dist = std::env::args().nth(2).map(PathBuf::from);
    let mut app = Router::new()
        .nest_service("/static", ServeDir::new(root.join("static")))
        .route("/status/{code}", get(status))
        .route("/slow/{ms}", get(slow))
        .route("/flaky/{key}", get(flaky))
        .route("/bad/{case}", get(bad))
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
    let listener = tokio::net::TcpListener::bind(address).await.expect("the address is free");
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
    std::fs::read_to_string(state.root.join("static/articles/russia-iran-treaty.json")).unwrap_or_default()
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
    let first_time = state.seen_flaky.lock().map(|mut seen| seen.insert(key)).unwrap_or(false);
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
                "body": [{"type": "paragraph", "text": "Text."}]}"#
        }
        _ => return (StatusCode::NOT_FOUND, "no such case").into_response(),
    };
    json(StatusCode::OK, body.to_owned())
}
