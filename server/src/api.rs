//! The comments API over HTTP, exactly as the README's contract says, plus the files that
//! make the demo one process (the article JSON and the built widget) and `GET /healthz`.
//!
//! What a request carries is read by extractors ([`KeyHeader`], [`AuthorToken`],
//! [`ClientAddress`], [`CommentBody`]); handlers return `Result<_, ApiError>`. The POST
//! claims its idempotency key first, then [`accept`] runs the spam checks, the widget's own
//! rules, the parent check and moderation, and stores.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use article_widget::domain::comment::Comment;
use article_widget::domain::comment_rules::validate;
use article_widget::domain::date::Timestamp;
use article_widget::domain::wire::{
    comment_list_body, comment_page_body, field_errors_body, posted_comment_body, problems_body,
    CommentRequest, AUTHOR_TOKEN_HEADER, IDEMPOTENCY_KEY_HEADER,
};
use axum::extract::{
    ConnectInfo, DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State,
};
use axum::http::request::Parts;
use axum::http::{header, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use sha2::{Digest, Sha256};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tower_http::LatencyUnit;
use tracing::Level;

use crate::articles::ArticleGate;
use crate::client_address::client_address;
use crate::config::{Moderation, Settings};
use crate::delivery;
use crate::error::ApiError;
use crate::prerendered;
use crate::store::{
    Claim, Cursor, ModerationStatus, PageRequest, Store, StoredAnswer, StoredComment, TooSoon,
};
use article_widget::domain::thread::ThreadOrder;

/// The largest body accepted: a comment of 65,525 four-byte characters, with room to spare.
pub const BODY_LIMIT: usize = 320 * 1024;
/// A claim on an idempotency key whose request never answered is released after this long.
const STALE_CLAIM_MS: i64 = 60_000;
/// How long a POST waits for another request holding the same key to answer.
const CLAIM_WAIT_MS: u64 = 10_000;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub articles: Arc<ArticleGate>,
}

pub fn router(state: AppState) -> Router {
    // A new release may render pages differently: they are modified as of now.
    LazyLock::force(&crate::prerendered::STARTED);
    let settings = state.settings.clone();
    let api = Router::new()
        .route("/api/articles/{id}/comments", get(list).post(post))
        .route("/api/comment-counts", get(crate::counts::counts))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            refuse_foreign_origins,
        ));
    let api = api
        .route("/healthz", get(healthz))
        .route("/prerendered/{file}", get(prerendered::fragment))
        .route("/read/{id}", get(prerendered::page));
    let api = if settings.front_page.is_some() {
        api.route("/", get(prerendered::front_page))
    } else {
        api
    };
    let mut public = api.merge(crate::feeds::routes()).with_state(state.clone());
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
    // The moderation area and the mail links' pages: their own forms, behind their own
    // tokens, never for another origin's scripts: no CORS headers at all.
    let own = crate::moderation_area::routes()
        .merge(crate::notify::routes())
        .with_state(state);
    public
        .merge(own)
        .layer(middleware::from_fn(delivery::vary_on_encoding))
        .layer(delivery::compression())
        // One log line per request: method, path, status, latency.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_request(())
                .on_response(
                    DefaultOnResponse::new()
                        .level(Level::INFO)
                        .latency_unit(LatencyUnit::Micros),
                ),
        )
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    let header_name = |name: &str| HeaderName::from_bytes(name.as_bytes()).ok();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers(
            [header::CONTENT_TYPE, header::ACCEPT]
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
async fn refuse_foreign_origins(
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
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let same_origin = origin
            .split_once("://")
            .is_some_and(|(_, rest)| rest.eq_ignore_ascii_case(host));
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

fn json_answer(answer: &StoredAnswer, retry_after: Option<i64>) -> Response {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        answer.body.clone(),
    )
        .into_response();
    if let Some(seconds) = retry_after {
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
    }
    response
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}

/// The public form of a stored comment: never the email, address or token.
pub fn public_comment(comment: &StoredComment) -> Comment {
    Comment {
        id: comment.id.clone(),
        parent: comment.parent_id.clone(),
        author: comment.author.clone(),
        website: comment.website.clone(),
        content: comment.content.clone(),
        published: Timestamp::from_millis(comment.created_at),
        status: comment.status.public(),
    }
}

/// The request's idempotency key, when it sent a usable one (required on a JSON POST; a form
/// post cannot send one, see [`form_key`]).
pub struct KeyHeader(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for KeyHeader {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(KeyHeader(
            parts
                .headers
                .get(IDEMPOTENCY_KEY_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .map(str::to_owned),
        ))
    }
}

/// The cookie a browser without JavaScript gets when it posts a comment: its author token, so
/// the prerendered pages show it its comment while it awaits moderation.
pub const AUTHOR_COOKIE: &str = "aw-author-token";

/// The idempotency key of a form post: what it says (the same form sent twice, by a double
/// click or a reload, is one comment: WordPress's duplicate check does the same).
pub fn form_key(article_id: &str, request: &CommentRequest) -> String {
    let mut hash = Sha256::new();
    for part in [
        article_id,
        request.parent.as_deref().unwrap_or_default(),
        request.input.author.trim(),
        &request.input.email.trim().to_lowercase(),
        request.input.content.trim(),
    ] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    format!("form-{}", hex(&hash.finalize()))
}

/// The hash of the browser's author token, when it sent a plausible one (the widget's header,
/// else the cookie of a browser that posted without JavaScript). Only hashes are stored, so
/// a leaked database reveals no token.
pub struct AuthorToken(pub Option<String>);

/// The value of a cookie in a request's headers.
pub fn cookie<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim())
}

/// The hash under which a token is stored.
pub fn token_hash(token: &str) -> Option<String> {
    let token = token.trim();
    (16..=200)
        .contains(&token.len())
        .then(|| hex(&Sha256::digest(token.as_bytes())))
}

impl<S: Send + Sync> FromRequestParts<S> for AuthorToken {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let header_token = parts
            .headers
            .get(AUTHOR_TOKEN_HEADER)
            .and_then(|v| v.to_str().ok());
        let token = header_token.or_else(|| cookie(&parts.headers, AUTHOR_COOKIE));
        Ok(AuthorToken(token.and_then(token_hash)))
    }
}

/// The client's address: the peer's, or the one the proxies the operator trusts vouch for
/// (`--proxy-hops`, `--trusted-proxy`; see `client_address`).
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(peer)| {
                peer.ip()
            });
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        Ok(ClientAddress(client_address(
            peer,
            &forwarded,
            &state.settings.proxy_trust,
        )))
    }
}

/// A comment POST's body: JSON (the widget, and any client of the API), or
/// `application/x-www-form-urlencoded` (the prerendered form, posted without JavaScript),
/// with the same field names; anything else is refused with 415. At most [`BODY_LIMIT`]
/// (413). `request` is `None` when the body is not readable, which the handler answers (and
/// records for the key) as a 422.
pub struct CommentBody {
    pub request: Option<CommentRequest>,
    /// Posted by a plain HTML form: the answer is a page, not JSON.
    pub from_form: bool,
}

/// The fields of a form post; every one may be missing (the rules report what is).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct FormFields {
    content: String,
    author: String,
    email: String,
    website: String,
    /// The honeypot's name in the form.
    homepage: String,
    rendered_at: String,
    parent: String,
    /// The "notify me" checkbox: present when ticked.
    notify: String,
}

impl<S: Send + Sync> FromRequest<S> for CommentBody {
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Response> {
        let media_type = request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|t| t.trim().to_ascii_lowercase())
            .unwrap_or_default();
        let from_form = match media_type.as_str() {
            "application/json" => false,
            "application/x-www-form-urlencoded" => true,
            _ => return Err(ApiError::NotJson.into_response()),
        };
        let text = String::from_request(request, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let request = if from_form {
            serde_urlencoded::from_str::<FormFields>(&text)
                .ok()
                .map(|fields| CommentRequest {
                    input: article_widget::domain::comment_rules::CommentInput {
                        content: fields.content,
                        author: fields.author,
                        email: fields.email,
                        website: fields.website,
                    },
                    parent: Some(fields.parent).filter(|p| !p.trim().is_empty()),
                    honeypot: fields.homepage,
                    rendered_at: fields.rendered_at.trim().parse().ok(),
                    notify: !fields.notify.is_empty(),
                })
        } else {
            CommentRequest::parse(&text)
        };
        Ok(CommentBody { request, from_form })
    }
}

/// The thread, with a validator over its bytes (a newly approved comment changes it at once)
/// and a short lifetime; a request with an author token may see its held comments, so its
/// answer is private; 304 for a matching revalidation.
/// `GET {url}`'s paging parameters. Without `per_page`, the whole thread (the contract's
/// original answer, kept for clients that page themselves) up to [`MAX_PER_PAGE`] threads,
/// with `next` when there are more.
#[derive(Debug, Default, serde::Deserialize)]
pub struct PageParams {
    per_page: Option<String>,
    order: Option<String>,
    after: Option<String>,
}

/// Comments per page at most (WordPress's default is 50; a client may ask for fewer or more).
pub const MAX_PER_PAGE: usize = 100;

impl PageParams {
    /// The parameters as one text, for the validator (each page has its own).
    fn query(&self) -> String {
        format!(
            "{}|{}|{}",
            self.per_page.as_deref().unwrap_or_default(),
            self.order.as_deref().unwrap_or_default(),
            self.after.as_deref().unwrap_or_default()
        )
    }

    /// The page asked for, or a message saying what is wrong with the parameters.
    pub fn request(&self) -> Result<Option<PageRequest>, String> {
        let Some(per_page) = &self.per_page else {
            return Ok(None);
        };
        let per_page = per_page
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_PER_PAGE).contains(n))
            .ok_or(format!(
                "per_page must be a number from 1 to {MAX_PER_PAGE}"
            ))?;
        let order = match self.order.as_deref() {
            None | Some("oldest") => ThreadOrder::OldestFirst,
            Some("newest") => ThreadOrder::NewestFirst,
            Some(_) => return Err("order must be oldest or newest".to_owned()),
        };
        let after = match &self.after {
            None => None,
            Some(text) => Some(Cursor::parse(text).ok_or("after is not a page cursor")?),
        };
        Ok(Some(PageRequest {
            per_page,
            order,
            after,
        }))
    }
}

/// The next page's address, relative to this one's (only the query changes).
pub fn next_page(request: &PageRequest, next: &Cursor) -> String {
    format!(
        "?per_page={}&order={}&after={}",
        request.per_page,
        request.order.as_str(),
        next.to_param()
    )
}

async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AuthorToken(token): AuthorToken,
    Query(params): Query<PageParams>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    if !state.articles.comments_open(&id) {
        return Err(ApiError::NoComments);
    }
    let request = params.request().map_err(ApiError::BadPage)?;
    let cache = if token.is_some() {
        "private, no-cache"
    } else {
        "public, max-age=10, stale-while-revalidate=60"
    };
    // The public list changes only with its article's recorded activity (every publication
    // and moderation moves it, in its own transaction): its validator comes from that, and
    // a revalidation is answered without reading a comment. A reader with a token may see
    // held comments, which move nothing public: theirs is a validator over the content.
    let (public_tag, approved) = match &token {
        None => {
            let activity = state.store.activity(&id).await?;
            let (changed, approved) = activity.map_or((0, 0), |a| (a.changed_at, a.approved));
            let tag = delivery::content_tag([
                changed.to_string().as_bytes(),
                approved.to_string().as_bytes(),
                params.query().as_bytes(),
                env!("CARGO_PKG_VERSION").as_bytes(),
            ]);
            (Some(tag), Some(approved))
        }
        Some(_) => (None, None),
    };
    if let Some(answer) = public_tag
        .as_deref()
        .and_then(|tag| delivery::not_modified(&headers, tag, cache))
    {
        return Ok(with_vary(answer));
    }
    // Without `per_page`, the contract's first answer (the whole thread), but never more than
    // one page of the largest size: a longer thread says where the rest is (`next`).
    let unpaged = request.is_none();
    let request = request.unwrap_or(PageRequest {
        per_page: MAX_PER_PAGE,
        order: ThreadOrder::OldestFirst,
        after: None,
    });
    let page = state
        .store
        .comment_page(&id, token.as_deref(), &request, approved)
        .await?;
    let public: Vec<Comment> = page.comments.iter().map(public_comment).collect();
    let next = page.next.as_ref().map(|next| next_page(&request, next));
    let body = if unpaged && next.is_none() {
        comment_list_body(&public)
    } else {
        comment_page_body(&public, page.total.max(0) as usize, next.as_deref())
    };
    let tag = public_tag.unwrap_or_else(|| delivery::content_tag([body.as_bytes()]));
    let response = delivery::not_modified(&headers, &tag, cache).unwrap_or_else(|| {
        let answer = ([(header::CONTENT_TYPE, "application/json")], body).into_response();
        delivery::with_validator(answer, &tag, cache)
    });
    Ok(with_vary(response))
}

/// Whose list it is depends on these; caches must not hand one browser's to another.
fn with_vary(mut response: Response) -> Response {
    response
        .extensions_mut()
        .insert(delivery::VaryAlso("comment-author-token, cookie"));
    response
}

/// A comment id from the system's cryptographic random source; none without it (fail closed:
/// ids must not be guessable, since a reply names its parent by id).
fn random_id() -> Result<String, ApiError> {
    let mut bytes = [0u8; 12];
    comment_id(getrandom::fill(&mut bytes).map(|()| bytes))
}

fn comment_id(random: Result<[u8; 12], getrandom::Error>) -> Result<String, ApiError> {
    random
        .map(|bytes| hex(&bytes))
        .map_err(|_| ApiError::NoRandomness)
}

fn refusal(field: &str, message: &str) -> StoredAnswer {
    StoredAnswer {
        status: 422,
        body: field_errors_body([(field, message.to_owned())]),
    }
}

/// "Please wait N seconds", with English's singular for one.
fn wait_message(seconds: i64) -> String {
    let unit = if seconds == 1 { "second" } else { "seconds" };
    format!("Please wait {seconds} {unit} before commenting again.")
}

async fn post(
    State(state): State<AppState>,
    Path(id): Path<String>,
    KeyHeader(key): KeyHeader,
    ClientAddress(address): ClientAddress,
    AuthorToken(token): AuthorToken,
    headers: axum::http::HeaderMap,
    CommentBody { request, from_form }: CommentBody,
) -> Result<Response, ApiError> {
    if !state.articles.comments_open(&id) {
        return Err(ApiError::Closed);
    }
    // A browser posting without JavaScript gets an author token in a cookie, so that its
    // pages show it its comment while it awaits moderation.
    let mut new_cookie = None;
    let token = match (token, from_form) {
        (Some(token), _) => Some(token),
        (None, true) => {
            let fresh = random_id()? + &random_id()?;
            let hash = token_hash(&fresh);
            new_cookie = Some(fresh);
            hash
        }
        (None, false) => None,
    };
    let key = match (key, from_form, &request) {
        (Some(key), _, _) => key,
        (None, true, Some(request)) => form_key(&id, request),
        (None, true, None) => format!("form-unreadable-{}", random_id()?),
        (None, false, _) => return Err(ApiError::MissingKey),
    };
    // A key belongs to its article: the same key sent to another article is another request
    // (article ids have no `:`, so the scoped key is unambiguous).
    let key = format!("{id}:{key}");
    let form = from_form.then(|| crate::form_post::FormPost {
        article_id: id.clone(),
        request: request.clone(),
        referer: headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        host: headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        new_cookie,
    });
    let store = &state.store;

    // The key first: a repeated key gets the first answer, whatever else has changed.
    let mut waited = 0;
    loop {
        match store.claim(&key, &id, now_ms(), STALE_CLAIM_MS).await? {
            Claim::Claimed => break,
            Claim::Answered(answer) => return Ok(answer_for(&state, form, &answer, None).await),
            Claim::InProgress if waited < CLAIM_WAIT_MS => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                waited += 50;
            }
            Claim::InProgress => return Err(ApiError::KeyInProgress),
        }
    }
    // Read after the claim: waiting for another request with the same key can take seconds,
    // and the form's age, the flood window and the comment's date must all be of now.
    let now = now_ms();

    let outcome = accept(&state, &id, &key, request, now, address, token).await;
    match outcome {
        Ok(Accepted::Answer(answer)) => Ok(answer_for(&state, form, &answer, None).await),
        Ok(Accepted::Refused(answer)) => {
            // Only an answer that stored something is worth repeating: a refusal leaves no row,
            // and the same request is judged again (a form whose key is its text can be sent
            // again once it is mended, or after the wait that made it look hasty).
            store.release(&key).await?;
            Ok(answer_for(&state, form, &answer, None).await)
        }
        Ok(Accepted::TooSoon(wait_ms)) => {
            // Not recorded: the same key may succeed once the wait is over.
            store.release(&key).await?;
            let seconds = (wait_ms + 999) / 1000;
            let answer = StoredAnswer {
                status: 429,
                body: json!({ "error": wait_message(seconds) }).to_string(),
            };
            Ok(answer_for(&state, form, &answer, Some(seconds)).await)
        }
        Err(error) => {
            let _ = store.release(&key).await;
            Err(error)
        }
    }
}

/// The answer in the form the client asked for: JSON for the API, a redirect or a page for a
/// form posted without JavaScript.
async fn answer_for(
    state: &AppState,
    form: Option<crate::form_post::FormPost>,
    answer: &StoredAnswer,
    retry_after: Option<i64>,
) -> Response {
    match form {
        Some(form) => crate::form_post::respond(state, form, answer, retry_after).await,
        None => json_answer(answer, retry_after),
    }
}

enum Accepted {
    /// Stored, with the answer the key will repeat.
    Answer(StoredAnswer),
    /// Not stored; nothing is remembered of it.
    Refused(StoredAnswer),
    /// Flood control: milliseconds to wait.
    TooSoon(i64),
}

async fn accept(
    state: &AppState,
    article_id: &str,
    key: &str,
    request: Option<CommentRequest>,
    now: i64,
    address: IpAddr,
    author_token: Option<String>,
) -> Result<Accepted, ApiError> {
    let generic = "Your comment could not be accepted. Please try again in a moment.";
    let Some(request) = request else {
        return Ok(Accepted::Refused(refusal(
            "form",
            "The comment could not be read.",
        )));
    };

    // Spam checks, with one generic message that tells a bot nothing.
    let honeypot_filled = !request.honeypot.trim().is_empty();
    // The time comes from the reader's clock, which may run ahead of ours: a form dated in
    // the future says nothing about haste (refusing it would refuse that reader every time),
    // so only an age from 0 to the minimum is refused.
    let too_fast = match request.rendered_at.map(|at| now - at) {
        None => true,
        Some(age) => (0..state.settings.min_form_age_ms).contains(&age),
    };
    if honeypot_filled || too_fast {
        return Ok(Accepted::Refused(refusal("form", generic)));
    }

    let valid = match validate(&request.input) {
        Ok(valid) => valid,
        Err(problems) => {
            return Ok(Accepted::Refused(StoredAnswer {
                status: 422,
                body: problems_body(&problems),
            }));
        }
    };

    let store = &state.store;
    let parent = request.parent;
    if let Some(parent_id) = &parent {
        let exists = store.comment(parent_id).await?.is_some_and(|p| {
            p.article_id == article_id
                && !matches!(
                    p.status,
                    ModerationStatus::Rejected | ModerationStatus::Spam
                )
        });
        if !exists {
            return Ok(Accepted::Refused(refusal(
                "parent",
                "The comment you replied to is no longer there.",
            )));
        }
    }

    let email = valid.email.to_lowercase();
    // Blocked by a moderator: the message every refusal gets.
    if store.is_blocked(&email, &address.to_string()).await? {
        return Ok(Accepted::Refused(refusal("form", generic)));
    }
    let links = crate::moderation_area::too_many_links(&valid.content, state.settings.hold_links);
    let status = match state.settings.moderation {
        Moderation::ApproveAll => ModerationStatus::Approved,
        Moderation::HoldAll => ModerationStatus::Pending,
        Moderation::Auto if links => ModerationStatus::Pending,
        Moderation::Auto if store.has_approved(&email).await? => ModerationStatus::Approved,
        Moderation::Auto => ModerationStatus::Pending,
    };
    let comment = StoredComment {
        id: random_id()?,
        article_id: article_id.to_owned(),
        parent_id: parent,
        author: valid.author,
        email: email.clone(),
        website: valid.website,
        content: valid.content,
        status,
        created_at: now,
        client_address: address.to_string(),
        author_token,
        notify: request.notify,
    };
    let subjects = [format!("email:{email}"), format!("address:{address}")];
    let stored = store
        .insert_comment(
            &comment,
            key,
            &subjects,
            state.settings.flood_window_ms,
            |c| StoredAnswer {
                status: 201,
                body: posted_comment_body(&public_comment(c)),
            },
        )
        .await?;
    Ok(match stored {
        Ok(answer) => Accepted::Answer(answer),
        Err(TooSoon(ms)) => Accepted::TooSoon(ms),
    })
}

#[cfg(test)]
mod tests {
    use super::{comment_id, wait_message, ApiError};

    #[test]
    fn without_randomness_there_is_no_comment_id() {
        assert_eq!(comment_id(Ok([0xab; 12])).unwrap(), "ab".repeat(12));
        assert!(matches!(
            comment_id(Err(getrandom::Error::UNSUPPORTED)),
            Err(ApiError::NoRandomness)
        ));
    }

    #[test]
    fn waits_are_said_in_good_english() {
        assert_eq!(
            wait_message(1),
            "Please wait 1 second before commenting again."
        );
        assert_eq!(
            wait_message(15),
            "Please wait 15 seconds before commenting again."
        );
    }
}
