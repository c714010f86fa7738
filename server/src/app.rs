//! The service's router: every area's routes, assembled, with the layers they share (CORS
//! for the public ones, compression, `Vary`, one log line per request), and `/healthz`.

use std::sync::LazyLock;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use crate::http::delivery;
use crate::http::origin::cors;
use crate::http::AppState;
use crate::{comments, mail, metrics, moderation, pages, rights};

pub fn router(state: AppState) -> Router {
    // A new release may render pages differently: they are modified as of now.
    LazyLock::force(&pages::reading::STARTED);
    let settings = state.settings.clone();
    let mut public = comments::routes(state.clone())
        .merge(pages::routes(settings.front_page.is_some()))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .with_state(state.clone());
    // Files: precompressed variants, validators, cache lifetimes (see `delivery`).
    let files = |folder: &std::path::Path| {
        Router::new()
            .fallback_service(delivery::serve_files(folder))
            .layer(middleware::from_fn(delivery::file_caching))
    };
    if let Some(articles) = &settings.articles {
        public = public.nest("/articles", files(articles));
    }
    if let Some(site) = &settings.site {
        public = public.fallback_service(files(site));
    }
    // CORS for the configured origins on what a publisher's pages on another host use: the
    // API, and the widget's script, module and articles, loaded in CORS mode.
    let public = public.layer(cors(&settings.allowed_origins));
    // The moderation area, the mail links' pages and the readers' data pages: their own
    // forms, behind their own tokens, never for another origin's scripts: no CORS headers.
    let own = moderation::routes()
        .merge(mail::routes())
        .merge(rights::routes())
        .with_state(state);
    let app = public
        .merge(own)
        .layer(middleware::from_fn(delivery::vary_on_encoding))
        .layer(delivery::compression())
        // One log line per request: method, path, status, latency. The path only, never the
        // query: the mailed links (`/my-data/open`, `/unsubscribe`, `/notifications/confirm`)
        // carry their tokens there, and whoever reads the log must not be able to use them.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|request: &axum::extract::Request| {
                    tracing::info_span!(
                        "request",
                        method = %request.method(),
                        path = %request.uri().path(),
                        version = ?request.version(),
                    )
                })
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        );
    // Each request counted and timed by its route's template, when metrics are on (outermost,
    // so the time includes compression; `Router::layer` wraps each route, so `MatchedPath`
    // is known).
    if metrics::is_enabled() {
        app.layer(middleware::from_fn(metrics::record))
    } else {
        app
    }
}

/// For load balancers: 200 when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> Response {
    let engine = state.store.engine().name();
    let (status, text) = if state.store.is_healthy().await {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        json!({ "status": text, "database": engine }).to_string(),
    )
        .into_response()
}

/// For orchestrators: 200 when the database answers and has every migration this binary
/// embeds, 503 otherwise (`/healthz` stays liveness: the process and its database).
async fn readyz(State(state): State<AppState>) -> Response {
    let engine = state.store.engine().name();
    let (status, body) = match state.store.missing_migrations().await {
        Ok(missing) if missing.is_empty() => (
            StatusCode::OK,
            json!({ "status": "ready", "database": engine }),
        ),
        Ok(missing) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "migrations missing", "database": engine, "missing": missing }),
        ),
        Err(error) => {
            tracing::warn!(%error, "readiness: the database did not answer");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "status": "unavailable", "database": engine }),
            )
        }
    };
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}
