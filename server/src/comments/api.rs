//! The comments API over HTTP, exactly as the README's contract says: the list and the post
//! (`routes`, mounted by `app`).
//!
//! What a request carries is read by the extractors of `http::extract` ([`KeyHeader`],
//! [`AuthorToken`], [`ClientAddress`], [`CommentBody`]); handlers return `Result<_, ApiError>`. The POST
//! claims its idempotency key first, then [`accept`] runs the spam checks, the widget's own
//! rules, the parent check and moderation, and stores.

use std::net::IpAddr;
use std::time::Duration;

use article_widget::domain::comment::{Badges, Comment};
use article_widget::domain::comment_rules::{validate_as, ValidComment};
use article_widget::domain::date::Timestamp;
use article_widget::domain::thread::ThreadOrder;
use article_widget::domain::wire::{
    comment_list_body, comment_page_body, field_errors_body, posted_comment_body, problems_body,
    CommentRequest,
};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::clock::now_ms;
use crate::config::Moderation;
use crate::http::delivery;
use crate::http::error::ApiError;
use crate::http::extract::{
    token_hash, AuthorToken, ClientAddress, CommentBody, KeyHeader, BODY_LIMIT,
};
use crate::http::origin::refuse_foreign_origins;
use crate::http::paging::{next_page, PageParams, MAX_PER_PAGE};
use crate::http::AppState;
use crate::spam_service::{SpamCheck, Verdict};
use crate::sso::{bearer_token, Account, Refusal};
use crate::store::{
    Claim, Liker, ModerationStatus, NotStored, PageRequest, StoredAnswer, StoredComment, TooSoon,
};
use crate::tokens::{hex, random_hex};

/// The comments API and the counts: a body limit, and no request from a foreign origin.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/articles/{id}/comments", get(list).post(post))
        .route("/api/comment-counts", get(crate::comments::counts::counts))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn_with_state(
            state,
            refuse_foreign_origins,
        ))
}

/// A claim on an idempotency key whose request has not answered may be taken over by a retry
/// with the same key after this long: a retry after a crash (its instance killed mid-post)
/// goes through within the `CLAIM_WAIT_MS` it waits, instead of answering 409 until a minute
/// has passed. Safe because a claim is fenced: the request that lost it stores nothing
/// (`NotStored::ClaimLost`), so one key never stores two comments. Longer than a live request
/// holds its claim: the spam service's two limits (connecting and answering, then reading the
/// body) and two seconds for the database; a live but slow request is never taken over.
const STALE_CLAIM_MS: i64 = 2 * crate::spam_service::CHECK_LIMIT.as_millis() as i64 + 2_000;

/// How long a POST waits for another request holding the same key to answer: longer than
/// `STALE_CLAIM_MS`, so that a retry whose first request died takes its claim over.
const CLAIM_WAIT_MS: u64 = 10_000;
const _: () = assert!(STALE_CLAIM_MS < CLAIM_WAIT_MS as i64);

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

async fn list(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AuthorToken(token): AuthorToken,
    Query(params): Query<PageParams>,
    headers: axum::http::HeaderMap,
) -> Result<Response, ApiError> {
    if !state.articles.comments_open(&id).await {
        return Err(ApiError::NoComments);
    }
    let request = params.request().map_err(ApiError::BadPage)?;
    // A reader signed in by the publisher: the likes and comments of their account are marked
    // (a token the service refuses is ignored here: the list is the same without it).
    let account = signed_in_account(&state, &headers).ok().flatten();
    let cache = if token.is_some() || account.is_some() {
        "private, no-cache"
    } else {
        "public, max-age=10, stale-while-revalidate=60"
    };
    // The public list changes only with its article's recorded activity (every publication
    // and moderation moves it, in its own transaction): its validator comes from that, and
    // a revalidation is answered without reading a comment. A reader with a token may see
    // held comments, which move nothing public: theirs is a validator over the content.
    let (public_tag, approved) = match (&token, &account) {
        (None, None) => {
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
        _ => (None, None),
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
    let edit_window = crate::http::EditWindow {
        now: now_ms(),
        window_ms: state.settings.edit_window_ms,
    };
    let public: Vec<Comment> =
        crate::http::public_page_comments(&page, token.as_deref(), edit_window);
    let public = as_account(&state, &id, public, &page, account.as_ref(), edit_window).await?;
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

/// A list's likes and own comments as a signed-in reader's account has them (issue 20): the
/// comments the account likes, from any browser, and those written under it.
async fn as_account(
    state: &AppState,
    article_id: &str,
    mut public: Vec<Comment>,
    page: &crate::store::CommentPage,
    account: Option<&Account>,
    edit_window: crate::http::EditWindow,
) -> Result<Vec<Comment>, ApiError> {
    let Some(account) = account else {
        return Ok(public);
    };
    let liked = state
        .store
        .liked_by(article_id, &Liker::account_key(&account.id))
        .await?;
    for (comment, stored) in public.iter_mut().zip(&page.comments) {
        comment.likes.liked = liked.contains(&stored.id);
        if stored.account.as_deref() == Some(account.id.as_str()) {
            // Written under the account: theirs from any browser, to like never and to edit
            // while the window is open (the edit endpoint checks the account again).
            comment.likes.mine = true;
            comment.edits = edit_window.edits(stored, page.revisions.get(&stored.id), true);
        }
    }
    Ok(public)
}

/// Whose list it is depends on these; caches must not hand one browser's to another.
fn with_vary(mut response: Response) -> Response {
    response.extensions_mut().insert(delivery::VaryAlso(
        "comment-author-token, authorization, cookie",
    ));
    response
}

/// A comment id from the system's cryptographic random source; none without it (fail closed:
/// ids must not be guessable, since a reply names its parent by id).
fn random_id() -> Result<String, ApiError> {
    comment_id(random_hex(12))
}

fn comment_id(random: Result<String, getrandom::Error>) -> Result<String, ApiError> {
    random.map_err(|_| ApiError::NoRandomness)
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
    state: State<AppState>,
    id: Path<String>,
    key: KeyHeader,
    address: ClientAddress,
    token: AuthorToken,
    headers: axum::http::HeaderMap,
    body: CommentBody,
) -> Response {
    let from_form = body.from_form;
    match post_comment(state, id, key, address, token, headers, body).await {
        Ok(answer) => answer,
        // A browser that sent the plain form reads a page, never JSON (comments closed, the
        // same form still being stored, the database down…).
        Err(error) if from_form => error.page().into_response(),
        Err(error) => error.into_response(),
    }
}

async fn post_comment(
    State(state): State<AppState>,
    Path(id): Path<String>,
    KeyHeader(key): KeyHeader,
    ClientAddress(address): ClientAddress,
    AuthorToken(token): AuthorToken,
    headers: axum::http::HeaderMap,
    CommentBody { request, from_form }: CommentBody,
) -> Result<Response, ApiError> {
    if !state.articles.comments_open(&id).await {
        return Err(ApiError::Closed);
    }
    // A reader signed in by the publisher: whose token it is, checked before the key is
    // claimed, so a refused token leaves nothing behind and the reader may post anonymously
    // with the same key at once.
    let account = signed_in_account(&state, &headers)?;
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
    let form = from_form.then(|| crate::comments::form_post::FormPost {
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

    // The key first: a repeated key gets the first answer, whatever else has changed. The
    // claim's time is its fencing token: only while the claim is this request's may it store.
    let mut waited = 0;
    let claimed_at = loop {
        let now = now_ms();
        match store.claim(&key, &id, now, STALE_CLAIM_MS).await? {
            Claim::Claimed => break now,
            Claim::Answered(answer) => return Ok(answer_for(&state, form, &answer, None).await),
            Claim::InProgress if waited < CLAIM_WAIT_MS => {
                tokio::time::sleep(Duration::from_millis(50)).await;
                waited += 50;
            }
            Claim::InProgress => return Err(ApiError::KeyInProgress),
        }
    };
    // Read after the claim: waiting for another request with the same key can take seconds,
    // and the form's age, the flood window and the comment's date must all be of now.
    let now = now_ms();

    let header_text = |name: header::HeaderName| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let sender = Sender {
        address,
        user_agent: header_text(header::USER_AGENT),
        referrer: header_text(header::REFERER),
    };
    let outcome = accept(
        &state, &id, &key, claimed_at, request, now, sender, token, account,
    )
    .await;
    match outcome {
        Ok(Accepted::Answer(answer)) => Ok(answer_for(&state, form, &answer, None).await),
        Ok(Accepted::Refused(answer)) => {
            // Only an answer that stored something is worth repeating: a refusal leaves no row,
            // and the same request is judged again (a form whose key is its text can be sent
            // again once it is mended, or after the wait that made it look hasty).
            store.release(&key, claimed_at).await?;
            Ok(answer_for(&state, form, &answer, None).await)
        }
        Ok(Accepted::TooSoon(wait_ms)) => {
            // Not recorded: the same key may succeed once the wait is over.
            store.release(&key, claimed_at).await?;
            let seconds = (wait_ms + 999) / 1000;
            let answer = StoredAnswer {
                status: 429,
                body: json!({ "error": wait_message(seconds) }).to_string(),
            };
            Ok(answer_for(&state, form, &answer, Some(seconds)).await)
        }
        Ok(Accepted::ClaimLost) => {
            // A retry with this key took the claim over while this request was slow: what
            // the key answers is the retry's (its stored answer, or still in progress).
            match store.answer(&key).await? {
                Some(answer) => Ok(answer_for(&state, form, &answer, None).await),
                None => Err(ApiError::KeyInProgress),
            }
        }
        Err(error) => {
            let _ = store.release(&key, claimed_at).await;
            Err(error)
        }
    }
}

/// The account of a request's `Authorization: Bearer` token, `None` without one, or why the
/// token is refused (401): a token where the service takes none is refused too, rather than
/// posting anonymously what the reader meant to post under their account.
pub(crate) fn signed_in_account(
    state: &AppState,
    headers: &axum::http::HeaderMap,
) -> Result<Option<Account>, ApiError> {
    let Some(token) = bearer_token(headers) else {
        return Ok(None);
    };
    let sign_in = state
        .sign_in
        .as_ref()
        .ok_or(ApiError::SignIn(Refusal::NotOffered))?;
    sign_in
        .verify(token, now_ms())
        .map(Some)
        .map_err(ApiError::SignIn)
}

/// The answer in the form the client asked for: JSON for the API, a redirect or a page for a
/// form posted without JavaScript.
async fn answer_for(
    state: &AppState,
    form: Option<crate::comments::form_post::FormPost>,
    answer: &StoredAnswer,
    retry_after: Option<i64>,
) -> Response {
    match form {
        Some(form) => crate::comments::form_post::respond(state, form, answer, retry_after).await,
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
    /// Not stored: the key's claim was taken over by a retry (`NotStored::ClaimLost`).
    ClaimLost,
}

/// Who sent a comment, as far as the request says (for the spam service).
struct Sender {
    /// The client address as `http::client_address` determined it.
    address: IpAddr,
    user_agent: String,
    referrer: String,
}

async fn accept(
    state: &AppState,
    article_id: &str,
    key: &str,
    claimed_at: i64,
    request: Option<CommentRequest>,
    now: i64,
    sender: Sender,
    author_token: Option<String>,
    account: Option<Account>,
) -> Result<Accepted, ApiError> {
    let address = sender.address;
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

    let valid = match validate_as(&request.input, account.is_some()) {
        // A signed-in reader's name and email are their account's, never the body's.
        Ok(valid) => match &account {
            Some(account) => ValidComment {
                author: account.name.clone(),
                email: account.email.clone().unwrap_or_default(),
                ..valid
            },
            None => valid,
        },
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
    let links = crate::comments::holds::too_many_links(&valid.content, state.settings.hold_links);
    // The publisher vouches for its signed-in readers only with `--sso-trusted`; otherwise
    // their first comment is held as anyone's (known by their address when the token has one).
    let trusted_account = account.is_some()
        && state
            .sign_in
            .as_ref()
            .is_some_and(|sign_in| sign_in.trusted);
    let status = match state.settings.moderation {
        Moderation::ApproveAll => ModerationStatus::Approved,
        Moderation::HoldAll => ModerationStatus::Pending,
        Moderation::Auto if links => ModerationStatus::Pending,
        Moderation::Auto if trusted_account => ModerationStatus::Approved,
        Moderation::Auto if !email.is_empty() && store.has_approved(&email).await? => {
            ModerationStatus::Approved
        }
        Moderation::Auto => ModerationStatus::Pending,
    };
    // Our own rules passed: the spam service (when there is one) has its say before storing.
    let status = match &state.spam {
        None => status,
        Some(spam) => {
            let check = SpamCheck {
                user_ip: address.to_string(),
                user_agent: sender.user_agent,
                referrer: sender.referrer,
                permalink: format!("{}/read/{article_id}", state.settings.public_url),
                comment_type: if parent.is_some() { "reply" } else { "comment" },
                comment_author: valid.author.clone(),
                comment_author_email: email.clone(),
                comment_author_url: valid.website.clone().unwrap_or_default(),
                comment_content: valid.content.clone(),
                comment_date_gmt: Timestamp::from_millis(now).to_rfc3339(),
                blog_lang: None,
            };
            match spam.check(&check).await {
                Verdict::Ham => status,
                // Kept for a moderator, never shown; the reader is told it awaits moderation.
                Verdict::Spam => ModerationStatus::Spam,
                // Blatant: the refusal a bot gets, and nothing kept.
                Verdict::Discard => return Ok(Accepted::Refused(refusal("form", generic))),
                Verdict::Unknown => ModerationStatus::Pending,
            }
        }
    };
    // Badges (issue 20) from what the service verified, never from the body: the token's
    // moderator role, and its account named as the article's author in the article file.
    let badges = match &account {
        Some(account) => Badges {
            moderator: account.moderator,
            author: state.articles.is_author(article_id, &account.id).await,
        },
        None => Badges::default(),
    };
    let badges = Some(badges.words().collect::<Vec<_>>().join(" ")).filter(|w| !w.is_empty());
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
        // Replies are mailed only to an address, and a signed-in reader may have none.
        notify: request.notify && !email.is_empty(),
        account: account.map(|account| account.id),
        badges,
    };
    // Flood control per account for a signed-in reader (their address may be empty).
    let subjects = [
        match &comment.account {
            Some(account) => format!("account:{account}"),
            None => format!("email:{email}"),
        },
        // An IPv6 client counted by its /64, as every per-client limit is (`client_group`).
        format!(
            "address:{}",
            crate::http::client_address::client_group(address)
        ),
    ];
    let stored = store
        .insert_comment(
            &comment,
            key,
            claimed_at,
            &subjects,
            state.settings.flood_window_ms,
            |c| StoredAnswer {
                status: 201,
                // Its author may edit or delete it for a while: the answer says until when.
                body: posted_comment_body(&crate::http::posted_comment(
                    c,
                    state.settings.edit_window_ms,
                )),
            },
        )
        .await?;
    Ok(match stored {
        Ok(answer) => Accepted::Answer(answer),
        Err(NotStored::TooSoon(TooSoon(ms))) => Accepted::TooSoon(ms),
        Err(NotStored::ClaimLost) => Accepted::ClaimLost,
    })
}

#[cfg(test)]
mod tests {
    use super::{comment_id, wait_message, ApiError};

    #[test]
    fn without_randomness_there_is_no_comment_id() {
        let id = comment_id(super::random_hex(12)).unwrap();
        assert!(
            id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
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
