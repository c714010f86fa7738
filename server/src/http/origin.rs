//! Which origins may call: CORS for the configured ones, and a refusal before anything is
//! processed for a request that carries any other.

use std::time::Duration;

use article_widget::domain::wire::{AUTHOR_TOKEN_HEADER, IDEMPOTENCY_KEY_HEADER};
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::http::error::ApiError;
use crate::http::AppState;

pub fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let header_name = |name: &str| HeaderName::from_bytes(name.as_bytes()).ok();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(
            // AUTHORIZATION: a reader signed in by the publisher (`sso`).
            [header::CONTENT_TYPE, header::ACCEPT, header::AUTHORIZATION]
                .into_iter()
                .chain(header_name(IDEMPOTENCY_KEY_HEADER))
                .chain(header_name(AUTHOR_TOKEN_HEADER))
                .collect::<Vec<_>>(),
        )
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}

/// Browsers send `Origin` on cross-origin requests (and on same-origin POSTs). One from a
/// page that is neither this service nor a configured origin is refused outright, so that
/// CORS is not the only guard (a simple cross-site POST would otherwise still be processed).
pub async fn refuse_foreign_origins(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if let Some(origin) = request
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        let same_origin = is_this_service(origin, host, &state.settings.public_url);
        let configured = state
            .settings
            .allowed_origins
            .iter()
            .any(|allowed| allowed == origin);
        if !same_origin && !configured {
            return Err(ApiError::ForeignOrigin);
        }
    }
    Ok(next.run(request).await)
}

/// Whether a request's `Origin` is this service's own: the origin of `--public-url` (as
/// readers reach it, through a proxy that may forward `Host` without the port), or the host
/// the request names (`Host`, as a client that reaches the service directly sends it).
pub fn is_this_service(origin: &str, host: Option<&str>, public_url: &str) -> bool {
    // An opaque origin (a scheme without a host) serialises as "null", as a sandboxed page's.
    let public = url::Url::parse(public_url)
        .ok()
        .map(|url| url.origin())
        .filter(|public| public.is_tuple());
    if public.is_some_and(|public| public.ascii_serialization().eq_ignore_ascii_case(origin)) {
        return true;
    }
    let host = host.unwrap_or_default();
    !host.is_empty()
        && origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host))
}
