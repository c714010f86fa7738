//! Comments posted without JavaScript, as WordPress's form posts them: the prerendered form
//! sends `application/x-www-form-urlencoded` to the comments API, which runs the very same
//! checks (rules, spam, flood, idempotency) and answers as a browser expects:
//! - accepted: `303 See Other` back to the page the reader was on (its `Referer`, when that
//!   is this service or an allowed origin; else the article's reading page), at
//!   `#comment-<id>`, where the comment now shows (a held one to this browser only, through the author-token cookie);
//! - refused: the article's reading page again, with the error summary, each field's message
//!   and everything the reader typed (422, or 429 for flood control).

use article_widget::domain::draft::{Draft, IdempotencyKey, Identity, ReplyTarget};
use article_widget::domain::form::FormState;
use article_widget::domain::wire::{interpret_answer, CommentRequest, PostError};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::http::error::HtmlError;
use crate::http::extract::AUTHOR_COOKIE;
use crate::http::AppState;
use crate::store::StoredAnswer;

/// What the handler knows of a form post.
pub struct FormPost {
    pub article_id: String,
    pub request: Option<CommentRequest>,
    pub referer: Option<String>,
    pub host: Option<String>,
    /// A new author token to set as a cookie.
    pub new_cookie: Option<String>,
}

/// Where to send the reader after an accepted post: the page they came from when it is this
/// service or an origin allowed to use it (never elsewhere: no open redirect), else the
/// article's reading page.
///
/// A page of this service is sent back as a path, built from the parsed `Referer` (the `url`
/// crate reads it as a browser does: `\` is `/` and dot segments are resolved): exactly one
/// leading `/`, no empty segment, no `\` or encoded slash. Anything odd is not repaired but
/// falls back to the reading page, since `//evil.example/path` in a `Location` is another host.
pub fn return_target(
    referer: Option<&str>,
    host: Option<&str>,
    allowed_origins: &[String],
    article_id: &str,
) -> String {
    let fallback = format!("/read/{article_id}");
    let Some(referer) = referer.and_then(|r| url::Url::parse(r).ok()) else {
        return fallback;
    };
    if !matches!(referer.scheme(), "http" | "https") {
        return fallback;
    }
    let origin = referer.origin().ascii_serialization();
    let same_host = match (referer.host_str(), host) {
        (Some(name), Some(host)) => {
            let with_port = match referer.port() {
                Some(port) => format!("{name}:{port}"),
                None => name.to_owned(),
            };
            with_port.eq_ignore_ascii_case(host)
        }
        _ => false,
    };
    if same_host {
        return local_path(&referer)
            // The refused-form page is the API's own address: going back there would show JSON.
            .filter(|path| !path.starts_with("/api/"))
            .unwrap_or(fallback);
    }
    if allowed_origins.contains(&origin) {
        let mut target = referer;
        target.set_fragment(None);
        return target.to_string();
    }
    fallback
}

/// The path and query of a page on this service, when they are plainly a path here.
fn local_path(page: &url::Url) -> Option<String> {
    let path = page.path();
    let lowered = path.to_ascii_lowercase();
    let plain = path.starts_with('/')
        && !path.contains("//")
        && !path.contains('\\')
        && !lowered.contains("%2f")
        && !lowered.contains("%5c");
    if !plain {
        return None;
    }
    let mut target = path.to_owned();
    if let Some(query) = page.query() {
        target.push('?');
        target.push_str(query);
    }
    // However it was built: a browser must read it as a path on this very host.
    let base = url::Url::parse("http://this.service.invalid/api/").ok()?;
    let read = base.join(&target).ok()?;
    let stays = read.origin() == base.origin() && !target.contains('\\');
    stays.then_some(target)
}

/// The form as the reader left it, with what the service said about it.
fn refused_form(request: Option<&CommentRequest>, error: PostError) -> FormState {
    let request = request.cloned().unwrap_or_default();
    let mut form = FormState::restore(
        Some(Draft {
            content: request.input.content,
            reply_to: request.parent.map(|id| ReplyTarget {
                id,
                author: String::new(),
            }),
            key: None,
        }),
        Some(Identity {
            author: request.input.author,
            email: request.input.email,
            website: request.input.website,
        }),
        IdempotencyKey::from_random_bytes([0; 16]),
    );
    form.submit();
    form.failed(error, IdempotencyKey::from_random_bytes([0; 16]));
    form
}

pub async fn respond(
    state: &AppState,
    post: FormPost,
    answer: &StoredAnswer,
    retry_after: Option<i64>,
) -> Response {
    let mut response = if (200..300).contains(&answer.status) {
        let target = return_target(
            post.referer.as_deref(),
            post.host.as_deref(),
            &state.settings.allowed_origins,
            &post.article_id,
        );
        // To the comment itself (the widget scrolls to it; hex ids need no escaping).
        let id = article_widget::domain::wire::parse_posted_comment(&answer.body)
            .ok()
            .map(|comment| comment.id)
            .filter(|id| id.chars().all(|c| c.is_ascii_alphanumeric()));
        let target = match id {
            Some(id) => format!("{target}#comment-{id}"),
            None => target,
        };
        (StatusCode::SEE_OTHER, [(header::LOCATION, target)]).into_response()
    } else {
        let retry = retry_after.map(|s| s.to_string());
        let error = interpret_answer(answer.status, retry.as_deref(), &answer.body)
            .err()
            .unwrap_or(PostError::Malformed);
        let form = refused_form(post.request.as_ref(), error);
        let status =
            StatusCode::from_u16(answer.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
        match crate::rendering::reading_page_with_form(state, &post.article_id, form).await {
            Some(html) => (
                status,
                [
                    (header::CONTENT_TYPE, "text/html; charset=utf-8"),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                html,
            )
                .into_response(),
            // The article can no longer be rendered (its file went away): the refusal alone.
            None => HtmlError::new(
                status,
                "Your comment was not accepted",
                "Your comment was not accepted. Go back to the article to check it and send it \
                 again.",
            )
            .into_response(),
        }
    };
    if let Some(token) = post.new_cookie {
        let cookie =
            format!("{AUTHOR_COOKIE}={token}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax");
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

#[cfg(test)]
mod tests {
    use super::return_target;

    #[test]
    fn readers_go_back_where_they_came_from_and_nowhere_else() {
        let allowed = vec!["https://news.example".to_owned()];
        let go =
            |referer: Option<&str>| return_target(referer, Some("127.0.0.1:8080"), &allowed, "a");
        assert_eq!(
            go(Some("http://127.0.0.1:8080/read/a?x=1#c")),
            "/read/a?x=1"
        );
        assert_eq!(
            go(Some("https://news.example/2025/a.html#top")),
            "https://news.example/2025/a.html"
        );
        assert_eq!(go(Some("https://evil.example/")), "/read/a");
        assert_eq!(go(Some("javascript:alert(1)")), "/read/a");
        assert_eq!(go(None), "/read/a");
        assert_eq!(
            go(Some("http://127.0.0.1:8080/api/articles/a/comments")),
            "/read/a",
            "after a refused form, the article, not the API"
        );
    }

    #[test]
    fn a_path_that_a_browser_reads_as_another_host_falls_back() {
        let go = |referer: &str| return_target(Some(referer), Some("h:1"), &[], "a");
        for referer in [
            "http://h:1//evil.example/path",
            "http://h:1/\\evil.example/path",
            "http://h:1/..//evil.example/",
            "http://h:1/%2e%2e//evil.example/",
            "http://h:1/read/a/..//evil.example",
            "http://h:1/%5Cevil.example/",
            "http://h:1/%2F%2Fevil.example/",
            "http://h:1/\t/evil.example/",
        ] {
            assert_eq!(go(referer), "/read/a", "{referer}");
        }
        assert_eq!(go("http://h:1/read/b?x=%5C"), "/read/b?x=%5C");
    }

    /// Pieces a hostile `Referer` is made of.
    const PIECES: &[&str] = &[
        "/",
        "//",
        "\\",
        "/\\",
        "..",
        ".",
        "%2e",
        "%2E%2e",
        "%2f",
        "%2F",
        "%5c",
        "%5C",
        "evil.example",
        "read",
        "a",
        "api",
        "?",
        "#",
        "@",
        ":",
        "\t",
        "\n",
        "\r",
        " ",
        "%00",
        "%09",
        "x",
        "http:",
        "//evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        ";",
        "&",
        "=",
        "%",
        "é",
        "\u{3002}",
    ];
    const STARTS: &[&str] = &[
        "http://h:1",
        "HTTP://H:1",
        "https://news.example",
        "https://news.example:443",
        "http://evil.example",
        "http://h:1@evil.example",
        "http://evil.example@h:1",
        "//h:1",
        "javascript:",
        "data:text/html,",
        "",
    ];

    proptest::proptest! {
        #![proptest_config(config())]

        /// Whatever the `Referer`, a browser reads the `Location` as this host or the
        /// allowed origin, never another.
        #[test]
        fn never_a_location_on_another_host(
            start in proptest::sample::select(STARTS),
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..12),
            any_text in proptest::option::of(".*"),
        ) {
            let referer = match any_text {
                Some(text) if pieces.is_empty() => text,
                _ => format!("{start}{}", pieces.concat()),
            };
            let allowed = vec!["https://news.example".to_owned()];
            let target = return_target(Some(&referer), Some("h:1"), &allowed, "a");
            let page = url::Url::parse("http://h:1/api/articles/a/comments").unwrap();
            let read = page.join(&format!("{target}#comment-ab12")).unwrap();
            let origin = read.origin().ascii_serialization();
            proptest::prop_assert!(
                origin == "http://h:1" || origin == "https://news.example",
                "{referer:?} → {target:?} → {read}"
            );
            if origin == "http://h:1" {
                proptest::prop_assert!(
                    target.starts_with('/') && !target.starts_with("//") && !target.contains('\\'),
                    "{referer:?} → {target:?}"
                );
            }
        }
    }

    /// Seeded, so a run is repeatable (`PROPTEST_RNG_SEED` picks another seed); printed on
    /// failure by proptest with the smallest failing input.
    fn config() -> proptest::test_runner::Config {
        use proptest::test_runner::{Config, RngSeed};
        let default = Config::default();
        let rng_seed = match default.rng_seed {
            RngSeed::Random => RngSeed::Fixed(0x0611_0017),
            chosen => chosen,
        };
        Config {
            cases: 4000,
            failure_persistence: None,
            rng_seed,
            ..default
        }
    }
}
