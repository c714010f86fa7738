//! How files leave the service, as a CDN would send them: the build's precompressed variants
//! (`FILE.br`, `FILE.gz`, written by `scripts/precompress.mjs` at the highest levels) chosen
//! by `Accept-Encoding`, dynamic answers (JSON, HTML) compressed on the fly, a validator on
//! every file (`ETag`, with `Last-Modified`) so a revalidation is a 304 without a body, and a
//! cache lifetime by kind of file.
//!
//! The widget's files keep stable names (`article-widget.js` is what publishers link), so
//! they are not `immutable`: browsers and CDNs keep them 5 minutes, then revalidate (a 304),
//! and may serve the old copy for a day while they do (`stale-while-revalidate`). A new
//! release reaches every reader within minutes, and no publisher has to change a URL.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

/// A folder of files, with its precompressed variants served when the browser accepts them.
pub fn serve_files(folder: &Path) -> ServeDir {
    ServeDir::new(folder)
        .precompressed_br()
        .precompressed_gzip()
}

/// Compression of what is not precompressed (the API's JSON, article files, HTML); a
/// response that already has a `Content-Encoding` is left as it is.
pub fn compression() -> CompressionLayer {
    CompressionLayer::new().br(true).gzip(true)
}

/// How long a file may be kept, by its name.
pub fn cache_control(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or_default();
    if name.ends_with(".html") || name.is_empty() {
        // Pages: always revalidated, so an edited page shows at once.
        "no-cache"
    } else if name.ends_with(".json") {
        // Articles: edits show within a minute.
        "public, max-age=60, stale-while-revalidate=600"
    } else {
        // The widget's script, module and images: stable names, revalidated after 5 minutes.
        "public, max-age=300, stale-while-revalidate=86400"
    }
}

/// A strong validator over the parts of an answer (SHA-256, 96 bits, each part ended by a NUL
/// so that parts cannot run into each other).
pub fn content_tag<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part);
        hash.update([0]);
    }
    let digest = hash.finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// The answer to a conditional request whose `If-None-Match` names `tag`: 304 with the tag
/// and the lifetime; `None` when the client must get the whole answer.
pub fn not_modified(
    request_headers: &HeaderMap,
    tag: &str,
    cache: &'static str,
) -> Option<Response> {
    none_match(request_headers, tag)
        .then(|| with_validator(StatusCode::NOT_MODIFIED.into_response(), tag, cache))
}

/// Sets an answer's `ETag` and `Cache-Control`.
pub fn with_validator(mut response: Response, tag: &str, cache: &'static str) -> Response {
    if let Ok(value) = HeaderValue::from_str(tag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    response
}

/// A validator for a file response, from what identifies this version of this
/// representation: its length, its modification time and its encoding (the brotli and the
/// gzip variant of a file are different bytes, so they get different tags). Weak (`W/`):
/// a file compressed on the fly, after this tag was made, is the same content in other bytes,
/// as nginx marks it when it gzips; `If-None-Match` compares weakly anyway.
pub fn file_etag(headers: &HeaderMap) -> Option<String> {
    let length = headers.get(header::CONTENT_LENGTH)?.as_bytes();
    let modified = headers.get(header::LAST_MODIFIED)?.as_bytes();
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .map_or(&b"identity"[..], |e| e.as_bytes());
    Some(format!("W/{}", content_tag([length, modified, encoding])))
}

/// For an answer with a modification time too (`Last-Modified`, whole seconds as HTTP has
/// them): a 304 when `If-None-Match` names the tag or, only when there is no `If-None-Match`
/// (RFC 9110 §13.2.2), when `If-Modified-Since` is not before the modification.
pub fn not_modified_since(
    request_headers: &HeaderMap,
    tag: &str,
    modified: std::time::SystemTime,
    cache: &'static str,
) -> Option<Response> {
    let unchanged = if request_headers.contains_key(header::IF_NONE_MATCH) {
        none_match(request_headers, tag)
    } else {
        request_headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| httpdate::parse_http_date(value).ok())
            .is_some_and(|since| whole_seconds(modified) <= since)
    };
    unchanged.then(|| {
        with_validators(
            StatusCode::NOT_MODIFIED.into_response(),
            tag,
            modified,
            cache,
        )
    })
}

/// `with_validator`, and `Last-Modified` once its second is over: HTTP dates have whole
/// seconds, so a change later in the same second would carry the same date, and a cache
/// revalidating with `If-Modified-Since` would keep the older page (Apache's rule too). The
/// `ETag` covers that second.
pub fn with_validators(
    response: Response,
    tag: &str,
    modified: std::time::SystemTime,
    cache: &'static str,
) -> Response {
    let mut response = with_validator(response, tag, cache);
    let second_over = whole_seconds(modified) < whole_seconds(std::time::SystemTime::now());
    if let (true, Ok(value)) = (
        second_over,
        HeaderValue::from_str(&httpdate::fmt_http_date(modified)),
    ) {
        response.headers_mut().insert(header::LAST_MODIFIED, value);
    }
    response
}

fn whole_seconds(time: std::time::SystemTime) -> std::time::SystemTime {
    let seconds = time
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    std::time::UNIX_EPOCH + std::time::Duration::from_secs(seconds)
}

/// True when `If-None-Match` names `etag` (or is `*`). Weak comparison, as RFC 9110 asks for
/// `If-None-Match`.
pub fn none_match(request_headers: &HeaderMap, etag: &str) -> bool {
    let strip = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    request_headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .any(|tag| tag.trim() == "*" || strip(tag) == strip(etag))
}

/// What else an answer varies on, asked for by a handler (as a response extension, since the
/// CORS layer replaces `Vary` wholesale and this is applied after it).
#[derive(Clone, Copy, Debug)]
pub struct VaryAlso(pub &'static str);

/// Every answer may come in another encoding than the one a cache holds, so caches must key
/// on `Accept-Encoding`. Applied outside the CORS layer, which replaces `Vary` wholesale;
/// adds what a handler asked for with [`VaryAlso`] too.
pub async fn vary_on_encoding(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if let Some(VaryAlso(also)) = response.extensions().get::<VaryAlso>().copied() {
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static(also));
    }
    let varies = response
        .headers()
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.to_ascii_lowercase().contains("accept-encoding") || v.trim() == "*");
    if !varies {
        response
            .headers_mut()
            .append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// For files (the article folder and the site): sets `Cache-Control` and an `ETag`, and
/// answers a conditional GET whose tag matches with 304.
pub async fn file_caching(request: Request, next: Next) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let path = request.uri().path().to_owned();
    let conditions = request.headers().clone();
    let mut response = next.run(request).await;
    let status = response.status();
    if status != StatusCode::OK && status != StatusCode::NOT_MODIFIED {
        return response;
    }
    let cache = HeaderValue::from_static(cache_control(&path));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, cache.clone());
    if status != StatusCode::OK {
        return response;
    }
    let Some(etag) = file_etag(response.headers()) else {
        return response;
    };
    let Ok(etag_value) = HeaderValue::from_str(&etag) else {
        return response;
    };
    if none_match(&conditions, &etag) {
        let mut not_modified = StatusCode::NOT_MODIFIED.into_response();
        let headers = not_modified.headers_mut();
        headers.insert(header::ETAG, etag_value);
        headers.insert(header::CACHE_CONTROL, cache);
        // What a 304 carries (RFC 9110, 15.4.5): the validators and the cache headers.
        for name in [header::LAST_MODIFIED, header::VARY] {
            for value in response.headers().get_all(&name) {
                headers.append(name.clone(), value.clone());
            }
        }
        return not_modified;
    }
    response.headers_mut().insert(header::ETAG, etag_value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn lifetimes_by_kind_of_file() {
        assert_eq!(cache_control("/index.html"), "no-cache");
        assert_eq!(cache_control("/"), "no-cache");
        assert!(cache_control("/articles/a.json").contains("max-age=60"));
        assert!(cache_control("/article-widget-core_bg.wasm").contains("max-age=300"));
    }

    #[test]
    fn each_encoding_of_each_version_has_its_own_tag() {
        let plain = headers(&[
            ("content-length", "10"),
            ("last-modified", "Sun, 29 Nov 2026 10:00:00 GMT"),
        ]);
        let brotli = headers(&[
            ("content-length", "10"),
            ("last-modified", "Sun, 29 Nov 2026 10:00:00 GMT"),
            ("content-encoding", "br"),
        ]);
        let later = headers(&[
            ("content-length", "10"),
            ("last-modified", "Sun, 29 Nov 2026 10:00:01 GMT"),
        ]);
        let tags = [file_etag(&plain), file_etag(&brotli), file_etag(&later)];
        assert!(tags.iter().all(Option::is_some));
        assert_ne!(tags[0], tags[1]);
        assert_ne!(tags[0], tags[2]);
        assert_eq!(file_etag(&headers(&[("content-length", "10")])), None);
    }

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists() {
        let tag = "\"10-abc-br\"";
        assert!(none_match(
            &headers(&[("if-none-match", "\"x\", \"10-abc-br\"")]),
            tag
        ));
        assert!(none_match(
            &headers(&[("if-none-match", "W/\"10-abc-br\"")]),
            tag
        ));
        assert!(none_match(&headers(&[("if-none-match", "*")]), tag));
        assert!(!none_match(
            &headers(&[("if-none-match", "\"10-abc-gzip\"")]),
            tag
        ));
        assert!(!none_match(&HeaderMap::new(), tag));
    }
}
