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
//!
//! What a folder serves, and nothing else: regular files whose real path (every link
//! followed) is inside the folder's real path, reached by a path without a segment that
//! starts with `.` (no `.env`, `.git/`, `..`); a compressed variant only beside its plain file
//! (and inside the folder too); 404 for the rest, 414 for an address over [`MAX_PATH_BYTES`].
//! A folder asked for without its slash is sent to it by a relative address (`./name/`), which
//! a browser can never read as another host.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use sha2::{Digest, Sha256};
use tower_http::compression::CompressionLayer;

/// The longest address a folder answers (path and query): longer is 414. Real files have
/// short names; 8 KiB is what common servers allow for a whole request line.
pub const MAX_PATH_BYTES: usize = 8 * 1024;

/// The longest name of one file or folder (Linux's `NAME_MAX`): longer cannot exist.
const MAX_NAME_BYTES: usize = 255;

/// A folder of files, with its precompressed variants served when the browser accepts them.
/// The folder's real path is taken once, now; a folder that cannot be read answers 404 to
/// everything (and says so in the log).
pub fn serve_files(folder: &Path) -> MethodRouter {
    let root = match std::fs::canonicalize(folder) {
        Ok(root) if root.is_dir() => Some(Arc::new(root)),
        Ok(_) | Err(_) => {
            tracing::error!(folder = %folder.display(), "not a readable folder: its files are not served");
            None
        }
    };
    get(move |uri: Uri, headers: HeaderMap| send_file(root.clone(), uri, headers))
}

/// What a request resolves to in a folder.
#[derive(Debug, PartialEq)]
enum Resolved {
    /// A regular file (or its compressed variant) inside the folder.
    File(FileAnswer),
    /// The file has not changed since the client's copy (`If-Modified-Since`).
    NotModified(SystemTime),
    /// A folder asked for without its slash.
    Folder,
    Missing,
}

#[derive(Debug, PartialEq)]
struct FileAnswer {
    bytes: Vec<u8>,
    modified: Option<SystemTime>,
    content_type: &'static str,
    encoding: Option<Encoding>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Encoding {
    Brotli,
    Gzip,
}

impl Encoding {
    fn suffix(self) -> &'static str {
        match self {
            Encoding::Brotli => ".br",
            Encoding::Gzip => ".gz",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Encoding::Brotli => "br",
            Encoding::Gzip => "gzip",
        }
    }
}

async fn send_file(root: Option<Arc<PathBuf>>, uri: Uri, headers: HeaderMap) -> Response {
    let length = uri.path_and_query().map_or(0, |p| p.as_str().len());
    if length > MAX_PATH_BYTES {
        return (StatusCode::URI_TOO_LONG, "This address is too long.").into_response();
    }
    let not_found = || (StatusCode::NOT_FOUND, "There is no such file.").into_response();
    let Some(root) = root else {
        return not_found();
    };
    let Some(segments) = path_segments(uri.path()) else {
        return not_found();
    };
    let folder_asked = uri.path().ends_with('/');
    let encodings = accepted_encodings(&headers);
    // `If-None-Match` decides alone when present (RFC 9110 §13.2.2); `file_caching` answers it.
    let since = (!headers.contains_key(header::IF_NONE_MATCH))
        .then(|| headers.get(header::IF_MODIFIED_SINCE))
        .flatten()
        .and_then(|value| value.to_str().ok())
        .and_then(|value| httpdate::parse_http_date(value).ok());
    let names: Vec<String> = segments.iter().map(|s| s.decoded.clone()).collect();
    // Files are read on the blocking pool, never on the service's workers.
    let resolved = tokio::task::spawn_blocking(move || {
        resolve(&root, &names, folder_asked, &encodings, since)
    })
    .await;
    match resolved {
        Ok(Ok(Resolved::File(file))) => file_response(file),
        Ok(Ok(Resolved::NotModified(modified))) => {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(modified)) {
                response.headers_mut().insert(header::LAST_MODIFIED, value);
            }
            response
        }
        Ok(Ok(Resolved::Folder)) => {
            // Relative to the address asked for, so right wherever the folder is mounted and
            // never `//host`: `./` then the last segment as it came (still percent-encoded).
            let last = segments.last().map_or("", |s| s.raw);
            let mut location = format!("./{last}/");
            if let Some(query) = uri.query() {
                location.push('?');
                location.push_str(query);
            }
            match HeaderValue::from_str(&location) {
                Ok(value) => {
                    (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, value)]).into_response()
                }
                Err(_) => not_found(),
            }
        }
        Ok(Ok(Resolved::Missing)) => not_found(),
        Ok(Err(error)) => {
            tracing::error!(path = %uri.path(), %error, "a file could not be read");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The file could not be read.",
            )
                .into_response()
        }
        Err(error) => {
            tracing::error!(path = %uri.path(), %error, "reading a file did not finish");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "The file could not be read.",
            )
                .into_response()
        }
    }
}

fn file_response(file: FileAnswer) -> Response {
    let length = file.bytes.len();
    let mut response = file.bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(file.content_type),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(encoding) = file.encoding {
        headers.insert(
            header::CONTENT_ENCODING,
            HeaderValue::from_static(encoding.name()),
        );
    }
    if let Some(value) = file
        .modified
        .and_then(|m| HeaderValue::from_str(&httpdate::fmt_http_date(m)).ok())
    {
        headers.insert(header::LAST_MODIFIED, value);
    }
    response
}

/// One segment of a request's path: as written, and decoded.
#[derive(Debug, PartialEq)]
struct Segment<'a> {
    raw: &'a str,
    decoded: String,
}

/// The path's segments, empty ones dropped (`//static` is `/static`); `None` when one can
/// never name a file served: a dotfile or dot-folder (`.env`, `.git`, `.`, `..`), a `/`, `\`
/// or control character inside a segment (however it was encoded), text that is not UTF-8,
/// or a name longer than a file system allows.
fn path_segments(path: &str) -> Option<Vec<Segment<'_>>> {
    path.split('/')
        .filter(|raw| !raw.is_empty())
        .map(|raw| {
            let decoded = String::from_utf8(percent_decode(raw)?).ok()?;
            let refused = decoded.starts_with('.')
                || decoded.len() > MAX_NAME_BYTES
                || decoded
                    .chars()
                    .any(|c| c == '/' || c == '\\' || c.is_control());
            (!refused).then_some(Segment { raw, decoded })
        })
        .collect()
}

/// `%XX` escapes as bytes; `None` for a broken escape.
fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

/// The precompressed encodings the client accepts, best first (by `q`, brotli before gzip
/// on a tie); `identity` is always acceptable and so never listed.
fn accepted_encodings(headers: &HeaderMap) -> Vec<Encoding> {
    let mut weights: Vec<(&str, f32)> = Vec::new();
    for value in headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if !coding.is_empty() {
                weights.push((coding, q));
            }
        }
    }
    let weight = |name: &str| {
        let named = weights
            .iter()
            .find(|(coding, _)| coding.eq_ignore_ascii_case(name));
        let any = weights.iter().find(|(coding, _)| *coding == "*");
        named.or(any).map_or(0.0, |(_, q)| *q)
    };
    let mut accepted: Vec<(Encoding, f32)> = [Encoding::Brotli, Encoding::Gzip]
        .into_iter()
        .map(|e| (e, weight(e.name())))
        .filter(|(_, q)| *q > 0.0)
        .collect();
    // A stable sort keeps brotli first on a tie.
    accepted.sort_by(|a, b| b.1.total_cmp(&a.1));
    accepted.into_iter().map(|(e, _)| e).collect()
}

/// The file a request names in `root` (already canonical), as the module's comment says.
/// Errors are what went wrong reading a file that is there.
fn resolve(
    root: &Path,
    names: &[String],
    folder_asked: bool,
    encodings: &[Encoding],
    since: Option<SystemTime>,
) -> std::io::Result<Resolved> {
    let mut asked = root.to_path_buf();
    asked.extend(names);
    let Some((real, is_folder)) = inside(root, &asked) else {
        return Ok(Resolved::Missing);
    };
    let plain = if is_folder {
        if !folder_asked {
            return Ok(Resolved::Folder);
        }
        asked.push("index.html");
        match inside(root, &asked) {
            Some((real, false)) => real,
            _ => return Ok(Resolved::Missing),
        }
    } else if folder_asked {
        // `file.txt/` names no file.
        return Ok(Resolved::Missing);
    } else {
        real
    };
    let content_type = content_type(&asked);
    // A variant only beside its plain file, and only when it too is a file inside the folder.
    let chosen = encodings
        .iter()
        .find_map(|&encoding| {
            let mut name = asked.clone().into_os_string();
            name.push(encoding.suffix());
            match inside(root, Path::new(&name)) {
                Some((real, false)) => Some((real, Some(encoding))),
                _ => None,
            }
        })
        .unwrap_or((plain, None));
    let (path, encoding) = chosen;
    let mut file = match std::fs::File::open(&path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Resolved::Missing),
        Err(error) => return Err(error),
    };
    let metadata = file.metadata()?;
    if !metadata.is_file() {
        return Ok(Resolved::Missing);
    }
    let modified = metadata.modified().ok();
    if let (Some(since), Some(modified)) = (since, modified) {
        if whole_seconds(modified) <= since {
            return Ok(Resolved::NotModified(modified));
        }
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    file.read_to_end(&mut bytes)?;
    Ok(Resolved::File(FileAnswer {
        bytes,
        modified,
        content_type,
        encoding,
    }))
}

/// The real path of `path` and whether it is a folder, when it exists, is a regular file or
/// a folder, and lies inside `root` once every link is followed.
fn inside(root: &Path, path: &Path) -> Option<(PathBuf, bool)> {
    let real = std::fs::canonicalize(path).ok()?;
    if !real.starts_with(root) {
        return None;
    }
    let metadata = std::fs::metadata(&real).ok()?;
    if metadata.is_dir() {
        Some((real, true))
    } else if metadata.is_file() {
        Some((real, false))
    } else {
        None
    }
}

/// The media type of a file by its name (the plain file's, for a compressed variant). What a
/// site of this kind holds; anything else is bytes, which `nosniff` keeps bytes.
fn content_type(path: &Path) -> &'static str {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
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
    let hex = crate::tokens::hex(&digest[..12]);
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
    fn paths_that_can_name_no_served_file_are_refused() {
        let names = |path: &str| {
            path_segments(path).map(|s| s.into_iter().map(|s| s.decoded).collect::<Vec<_>>())
        };
        assert_eq!(names("//static/a.js").unwrap(), ["static", "a.js"]);
        assert_eq!(names("/a%20b.txt").unwrap(), ["a b.txt"]);
        for refused in [
            "/.env",
            "/%2eenv",
            "/static/.git/config",
            "/../x",
            "/%2e%2e/x",
            "/a%2fb",
            "/a%5cb",
            "/a%00.html",
            "/a%",
            "/a%zz",
            "/%ff",
        ] {
            assert_eq!(names(refused), None, "{refused}");
        }
        assert_eq!(names(&format!("/{}", "a".repeat(256))), None);
    }

    #[test]
    fn encodings_by_preference() {
        let accepted = |value: &str| accepted_encodings(&headers(&[("accept-encoding", value)]));
        assert_eq!(
            accepted("gzip, deflate, br"),
            [Encoding::Brotli, Encoding::Gzip]
        );
        assert_eq!(accepted("gzip"), [Encoding::Gzip]);
        assert_eq!(accepted("identity"), []);
        assert_eq!(accepted("br;q=0, gzip;q=0.5"), [Encoding::Gzip]);
        assert_eq!(
            accepted("br;q=0.2, gzip;q=0.8"),
            [Encoding::Gzip, Encoding::Brotli]
        );
        assert_eq!(accepted("*"), [Encoding::Brotli, Encoding::Gzip]);
        assert_eq!(accepted_encodings(&HeaderMap::new()), []);
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

/// The headers of a private page (the moderation area, a reader's own data): never stored by
/// a cache, never framed (clickjacking), no script at all, forms only to the service itself,
/// no sniffing; `referrer` says what a link out of it may tell (`no-referrer` where a URL could
/// name someone).
pub fn private_page_headers(headers: &mut axum::http::HeaderMap, referrer: &'static str) {
    use axum::http::{header, HeaderValue};
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
}
