//! Readers' data rights (GDPR articles 15 and 17): a reader asks at `/my-data` for a link to
//! what is held under their email address, opens it once, and downloads or erases it. By
//! concern, each file importing only those listed before it:
//! - `mod.rs`: the routes, the area's headers, its pages' frame, its refusals, the origin check;
//! - `request`: `GET`/`POST /my-data` (the same words whatever is held; rate-limited);
//! - `link`: `GET`/`POST /my-data/open` (the mailed link: a GET shows a button, the POST uses
//!   the link once and opens a session) and the session (`ReaderSession`);
//! - `held`: what is held, its download and its erasure, behind the session.
//!
//! The token, the audit digest and the export are `reader_data` (shared with the moderation
//! area, which does the same for a reader); the rows are `store::rights`. Every answer is
//! `no-store`, framed by no one and under a CSP without script; every failure is a small page
//! in plain words with its status, and those about a link offer a new one.

mod held;
mod link;
mod request;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::{html, Markup};

use crate::http::error::HtmlError;
use crate::http::origin::is_this_service;
use crate::http::AppState;
use crate::link_key::KeyError;
use crate::markup::small_page;

/// The largest form the pages take (an address, a token, a CSRF token).
const FORM_LIMIT: usize = 8 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/my-data", get(request::ask_page).post(request::ask))
        .route("/my-data/open", get(link::open_page).post(link::open))
        .route("/my-data/held", get(held::held_page))
        .route("/my-data/download", post(held::download))
        .route("/my-data/erase", post(held::erase))
        .layer(DefaultBodyLimit::max(FORM_LIMIT))
        .layer(axum::middleware::map_response(own_headers))
}

/// On every answer: never stored by a cache (it is someone's data, or depends on a token),
/// never framed, no script, forms only to the service itself, no address in a `Referer`.
async fn own_headers(mut response: Response) -> Response {
    crate::http::delivery::private_page_headers(response.headers_mut(), "no-referrer");
    response
}

/// A page of the area with this status.
fn page(status: StatusCode, title: &str, content: Markup) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        small_page(title, content).into_string(),
    )
        .into_response()
}

/// Why a request of the area was refused, as a page in plain words.
#[derive(Debug)]
pub(crate) struct Refusal {
    status: StatusCode,
    heading: &'static str,
    message: &'static str,
    /// Offer to mail a new link (the refusal is about a link or a session).
    offer_new_link: bool,
}

impl Refusal {
    fn about_link(status: StatusCode, heading: &'static str, message: &'static str) -> Refusal {
        Refusal {
            status,
            heading,
            message,
            offer_new_link: true,
        }
    }

    fn invalid_link() -> Refusal {
        Refusal::about_link(
            StatusCode::BAD_REQUEST,
            "This link is not valid",
            "It may have been cut or changed on its way. Open the link in the email again, or \
             copy all of it.",
        )
    }

    fn expired_link() -> Refusal {
        Refusal::about_link(
            StatusCode::GONE,
            "This link has expired",
            "Links to your data work for a limited time, and no longer once the data is \
             erased.",
        )
    }

    fn used_link() -> Refusal {
        Refusal::about_link(
            StatusCode::CONFLICT,
            "This link was already used",
            "Each link opens your data once, so that a copy of the email cannot open it again.",
        )
    }

    fn no_session() -> Refusal {
        Refusal::about_link(
            StatusCode::FORBIDDEN,
            "This page opens from the link we email",
            "Your data is shown for 30 minutes after you open the link; that time is over, or \
             the link was not opened in this browser.",
        )
    }

    fn foreign_form() -> Refusal {
        Refusal {
            status: StatusCode::FORBIDDEN,
            heading: "Not allowed",
            message: "This form was sent from another site, so nothing was done.",
            offer_new_link: false,
        }
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        page(
            self.status,
            self.heading,
            html! {
                h1 { (self.heading) }
                p { (self.message) }
                @if self.offer_new_link {
                    p { a href="/my-data" { "Ask for a new link" } }
                }
            },
        )
    }
}

/// What a handler of the area fails with: a refusal, or the shared page for a database (or
/// random source) that failed.
pub(crate) enum Failure {
    Refused(Refusal),
    Unavailable(HtmlError),
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Failure::Refused(refusal) => refusal.into_response(),
            Failure::Unavailable(error) => error.into_response(),
        }
    }
}

impl From<Refusal> for Failure {
    fn from(refusal: Refusal) -> Failure {
        Failure::Refused(refusal)
    }
}

impl From<sqlx::Error> for Failure {
    fn from(error: sqlx::Error) -> Failure {
        Failure::Unavailable(error.into())
    }
}

impl From<KeyError> for Failure {
    fn from(error: KeyError) -> Failure {
        Failure::Unavailable(error.into())
    }
}

/// No secure random source for a token: refuse rather than make a guessable one.
fn no_randomness(_: getrandom::Error) -> Failure {
    Failure::Unavailable(crate::http::error::ApiError::NoRandomness.page())
}

/// A form of the area is sent only from the service's own pages: a request whose `Origin`
/// names another site, or that a browser marks as cross-site, is refused before anything is
/// read (the pages are the service's own, so a publisher's configured origins do not apply).
/// Whether the origin is this service's is the API's own test (`is_this_service`: the
/// `--public-url`'s origin, or the request's `Host`), so that the two never disagree.
fn from_this_site(headers: &HeaderMap, public_url: &str) -> Result<(), Refusal> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site").is_some_and(|site| site.eq_ignore_ascii_case("cross-site")) {
        return Err(Refusal::foreign_form());
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let same = origin
            .to_str()
            .is_ok_and(|origin| is_this_service(origin, text(header::HOST.as_str()), public_url));
        if !same {
            return Err(Refusal::foreign_form());
        }
    }
    Ok(())
}

/// A form's fields.
fn form_fields(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.insert(*name, HeaderValue::from_static(value));
        }
        headers
    }

    const PUBLIC: &str = "https://news.example";

    #[test]
    fn only_this_sites_forms_are_taken() {
        assert!(from_this_site(&headers(&[("host", "news.example")]), PUBLIC).is_ok());
        assert!(from_this_site(
            &headers(&[("host", "news.example"), ("origin", "https://news.example")]),
            PUBLIC
        )
        .is_ok());
        for foreign in [
            [("host", "news.example"), ("origin", "https://evil.example")],
            [("host", "news.example"), ("origin", "null")],
            [("host", "news.example"), ("sec-fetch-site", "cross-site")],
        ] {
            assert!(from_this_site(&headers(&foreign), PUBLIC).is_err());
        }
    }

    /// Behind a proxy that forwards `Host` without the port (nginx's `$host`), the page's
    /// origin is the public URL's, with its port.
    #[test]
    fn behind_a_proxy_the_public_urls_origin_is_this_site() {
        let behind = [
            ("host", "news.example"),
            ("origin", "https://news.example:8443"),
        ];
        assert!(from_this_site(&headers(&behind), "https://news.example:8443").is_ok());
        assert!(from_this_site(&headers(&behind), "https://news.example:8443/comments/").is_ok());
        assert!(from_this_site(&headers(&behind), PUBLIC).is_err());
        // The public URL's origin is not any other: scheme and port count.
        for other in ["http://news.example:8443", "https://news.example:9443"] {
            let sent = [("host", "news.example"), ("origin", other)];
            let mut map = HeaderMap::new();
            for (name, value) in sent {
                map.insert(name, HeaderValue::from_str(value).unwrap());
            }
            assert!(
                from_this_site(&map, "https://news.example:8443").is_err(),
                "{other}"
            );
        }
        // An opaque origin never matches, whatever the public URL.
        assert!(from_this_site(&headers(&[("origin", "null")]), "data:text/plain,x").is_err());
    }
}
