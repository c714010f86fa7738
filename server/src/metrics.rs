//! Metrics in Prometheus's text format, off by default: `--metrics-address` serves `GET
//! /metrics` on a listener of its own, never on the public address, so readers cannot scrape
//! it (nor learn the service's load from it).
//!
//! What is recorded: each request (`record`, a layer `app` adds only when metrics are on) by
//! its route's template (axum's `MatchedPath`, never the raw path: ids would make a label
//! value per comment; no route matched is `other`), method and status, and its latency in a
//! histogram per route; at each scrape, read then: the outbox's backlog (from the store) and
//! the connection pools' use.
//!
//! The `metrics` facade with `metrics-exporter-prometheus` (not `prometheus-client`): it
//! writes Prometheus's 0.0.4 text format itself, with real histograms once buckets are set,
//! and its global recorder needs no registry passed through the router's layers.

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::clock::now_ms;
use crate::store::Store;

/// Requests answered: labels `route`, `method`, `status`.
pub const REQUESTS: &str = "comments_http_requests_total";
/// Seconds from a request's arrival to its answer's head: labels `route`, `method`.
pub const DURATION: &str = "comments_http_request_duration_seconds";
/// Messages in the outbox not sent yet.
pub const OUTBOX_DEPTH: &str = "comments_outbox_depth";
/// Seconds since the oldest due message was written (0 when none is due).
pub const OUTBOX_OLDEST_DUE_AGE: &str = "comments_outbox_oldest_due_age_seconds";
/// Connections a pool holds open (label `pool`), and how many of them are idle; its maximum.
pub const POOL_CONNECTIONS: &str = "comments_db_pool_connections";
pub const POOL_IDLE: &str = "comments_db_pool_idle_connections";
pub const POOL_MAX: &str = "comments_db_pool_max_connections";
/// 1 when the scrape could read the outbox from the database, 0 when it could not.
pub const DATABASE_UP: &str = "comments_database_up";

/// From a cached 304 (well under a millisecond) to a request queued behind a slow database.
const LATENCY_BUCKETS: [f64; 14] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// The recorder's handle, once `install` has run: its presence is what turns the layer on.
static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Whether `install` has run (the router adds the recording layer only then).
pub fn is_enabled() -> bool {
    HANDLE.get().is_some()
}

/// Installs the process's recorder; called once, before the router is built.
pub fn install() -> Result<(), String> {
    if is_enabled() {
        return Ok(());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), &LATENCY_BUCKETS)
        .map_err(|error| format!("metrics buckets: {error}"))?
        .install_recorder()
        .map_err(|error| format!("metrics recorder: {error}"))?;
    metrics::describe_counter!(
        REQUESTS,
        "Requests answered, by route template, method and status."
    );
    metrics::describe_histogram!(
        DURATION,
        metrics::Unit::Seconds,
        "Time from a request's arrival to its answer's head, by route template and method."
    );
    metrics::describe_gauge!(OUTBOX_DEPTH, "Messages in the outbox not sent yet.");
    metrics::describe_gauge!(
        OUTBOX_OLDEST_DUE_AGE,
        metrics::Unit::Seconds,
        "Age of the oldest outbox message that is due (0 when none is)."
    );
    metrics::describe_gauge!(POOL_CONNECTIONS, "Connections the pool holds open.");
    metrics::describe_gauge!(POOL_IDLE, "Open connections of the pool that are idle.");
    metrics::describe_gauge!(POOL_MAX, "Most connections the pool opens.");
    metrics::describe_gauge!(
        DATABASE_UP,
        "1 when the last scrape could read the database."
    );
    let _ = HANDLE.set(handle);
    Ok(())
}

/// The layer's work: one count and one latency per request.
pub async fn record(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "other".to_owned(), |path| path.as_str().to_owned());
    let method = method_label(request.method());
    let response = next.run(request).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "route" => route.clone(), "method" => method, "status" => status)
        .increment(1);
    metrics::histogram!(DURATION, "route" => route, "method" => method)
        .record(started.elapsed().as_secs_f64());
    response
}

/// The methods the service answers by name; any other (a client may send any token) is
/// `other`, so that no client can add label values.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The metrics listener's router: `GET /metrics` and nothing else.
pub fn routes(store: Store) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .with_state(store)
}

/// Serves `/metrics` on its own address until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    store: Store,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        routes(store).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

async fn scrape(State(store): State<Store>) -> Response {
    let Some(handle) = HANDLE.get() else {
        return (
            axum::http::StatusCode::NOT_FOUND,
            "metrics are off: start with --metrics-address",
        )
            .into_response();
    };
    let now = now_ms();
    match store.outbox_backlog(now).await {
        Ok((depth, oldest_due)) => {
            metrics::gauge!(DATABASE_UP).set(1.0);
            metrics::gauge!(OUTBOX_DEPTH).set(depth as f64);
            let age_ms = oldest_due.map_or(0, |created| now.saturating_sub(created).max(0));
            metrics::gauge!(OUTBOX_OLDEST_DUE_AGE).set(age_ms as f64 / 1000.0);
        }
        Err(error) => {
            tracing::warn!(%error, "metrics: the outbox could not be read");
            metrics::gauge!(DATABASE_UP).set(0.0);
        }
    }
    for (pool, size, idle, max) in store.pool_use() {
        metrics::gauge!(POOL_CONNECTIONS, "pool" => pool).set(f64::from(size));
        metrics::gauge!(POOL_IDLE, "pool" => pool).set(idle as f64);
        metrics::gauge!(POOL_MAX, "pool" => pool).set(f64::from(max));
    }
    // Histograms are folded in at upkeep; without the exporter's own task, each scrape does it.
    handle.run_upkeep();
    (
        [
            (
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        handle.render(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        assert_eq!(method_label(&Method::GET), "GET");
        let invented = Method::from_bytes(b"INVENTED").unwrap();
        assert_eq!(method_label(&invented), "other");
    }
}
