//! The spam service (`--akismet-key`): the real binary against a stand-in on 127.0.0.1 that
//! speaks Akismet's protocol. The stand-in judges by the comment's text: "SPAM" → `true`,
//! "DISCARD" → `true` with `X-akismet-pro-tip: discard`, "SLOW" → no answer for 10 s,
//! "GARBAGE" → neither `true` nor `false`, "REDIRECT" → a redirect to another listener; any
//! other text → `false`.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use common::*;
use reqwest::Client;
use serde_json::Value;

const KEY: &str = "stand-in-key-0123";
const BLOG: &str = "https://news.example";

/// One request the stand-in received: its path (`comment-check`…) and its form.
type Received = Arc<Mutex<Vec<(String, HashMap<String, String>)>>>;

struct StandIn {
    url: String,
    received: Received,
    /// What the listener "REDIRECT" points to received.
    elsewhere: Received,
}

impl StandIn {
    async fn start() -> StandIn {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/1.1", listener.local_addr().unwrap());
        let received: Received = Arc::default();
        // Where "REDIRECT" points: another stand-in, which must never see the key.
        let elsewhere = StandIn::listener_only().await;
        let elsewhere_received = elsewhere.1.clone();
        let app = Router::new()
            .route("/1.1/{call}", post(answer))
            .with_state((received.clone(), elsewhere));
        tokio::spawn(async move { axum::serve(listener, app).await });
        StandIn {
            url,
            received,
            elsewhere: elsewhere_received,
        }
    }

    /// A bare listener whose requests are recorded in the same way (for the redirect).
    async fn listener_only() -> (String, Received) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/1.1", listener.local_addr().unwrap());
        let received: Received = Arc::default();
        let app = Router::new()
            .route("/1.1/{call}", post(record_only))
            .with_state(received.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, received)
    }

    fn calls(&self, path: &str) -> Vec<HashMap<String, String>> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, form)| form.clone())
            .collect()
    }

    /// Waits (up to 10 s) until the stand-in has received `path` for this content.
    async fn wait_for(&self, path: &str, content: &str) -> HashMap<String, String> {
        let start = Instant::now();
        loop {
            if let Some(form) = self
                .calls(path)
                .into_iter()
                .find(|f| f.get("comment_content").map(String::as_str) == Some(content))
            {
                return form;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "the stand-in never received {path} for {content:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn form_of(body: &str) -> HashMap<String, String> {
    serde_urlencoded::from_str(body).unwrap()
}

async fn record_only(
    State(received): State<Received>,
    Path(call): Path<String>,
    body: String,
) -> &'static str {
    received.lock().unwrap().push((call, form_of(&body)));
    "false"
}

async fn answer(
    State((received, elsewhere)): State<(Received, (String, Received))>,
    Path(call): Path<String>,
    _headers: HeaderMap,
    body: String,
) -> Response {
    let form = form_of(&body);
    let content = form.get("comment_content").cloned().unwrap_or_default();
    received.lock().unwrap().push((call.clone(), form));
    if call != "comment-check" {
        return "Thanks for making the web a better place.".into_response();
    }
    if content.contains("SLOW") {
        tokio::time::sleep(Duration::from_secs(10)).await;
        return "false".into_response();
    }
    if content.contains("DISCARD") {
        return ([("X-akismet-pro-tip", "discard")], "true").into_response();
    }
    if content.contains("SPAM") {
        return "true".into_response();
    }
    if content.contains("GARBAGE") {
        return (
            [("X-akismet-debug-help", "Empty \"blog\" value")],
            "invalid",
        )
            .into_response();
    }
    if content.contains("REDIRECT") {
        let target = format!("{}/comment-check", elsewhere.0);
        return (StatusCode::TEMPORARY_REDIRECT, [("Location", target)], "").into_response();
    }
    "false".into_response()
}

fn service_with(url: &str) -> Service {
    Service::start(&[
        "--moderation",
        "approve-all",
        "--flood-seconds",
        "0",
        "--public-url",
        "https://comments.news.example",
        "--akismet-key",
        KEY,
        "--akismet-url",
        url,
        "--akismet-blog",
        BLOG,
    ])
}

/// Posts a comment as a browser would (a user agent and a referrer), as `client` (an
/// X-Forwarded-For is ignored: the service is not behind a proxy here).
async fn post_comment(service: &Service, key: &str, content: &str) -> (StatusCode, Value) {
    let answer = Client::new()
        .post(service.comments_url())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .header("Comment-Author-Token", TOKEN)
        .header("User-Agent", "Mozilla/5.0 (stand-in test)")
        .header("Referer", "https://news.example/treaty")
        .header("X-Forwarded-For", "203.0.113.9")
        .body(body("Anne", "Anne@Example.com", content).to_string())
        .send()
        .await
        .unwrap();
    let status = answer.status();
    let text = answer.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn stored_status(service: &Service, content: &str) -> Option<String> {
    use sqlx::Row;
    let pool = service.database_pool().await;
    let row = sqlx::query("SELECT status FROM comments WHERE content = ?")
        .bind(content)
        .fetch_optional(&pool)
        .await
        .unwrap();
    row.map(|r| r.get::<String, _>(0))
}

async fn public_contents(service: &Service) -> Vec<String> {
    list(service, None)
        .await
        .iter()
        .map(|c| c["content"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn the_service_hears_every_field_and_its_verdict_decides() {
    let stand_in = StandIn::start().await;
    let service = service_with(&stand_in.url);

    // `false`: published as without the service; every field as the protocol names it.
    let fine = "A fair point about the treaty.";
    let (status, answer) = post_comment(&service, "k-fine", fine).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["comment"]["status"], "approved", "{answer}");
    let form = stand_in.wait_for("comment-check", fine).await;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    assert_eq!(field("api_key"), KEY);
    assert_eq!(field("blog"), BLOG);
    // The client address as the service determined it: the peer, not the header it sent.
    assert_eq!(field("user_ip"), "127.0.0.1");
    assert_eq!(field("user_agent"), "Mozilla/5.0 (stand-in test)");
    assert_eq!(field("referrer"), "https://news.example/treaty");
    assert_eq!(
        field("permalink"),
        format!("https://comments.news.example/read/{ARTICLE}")
    );
    assert_eq!(field("comment_type"), "comment");
    assert_eq!(field("comment_author"), "Anne");
    assert_eq!(field("comment_author_email"), "anne@example.com");
    assert_eq!(field("comment_content"), fine);
    assert!(
        field("comment_date_gmt").starts_with("20") && field("comment_date_gmt").ends_with('Z'),
        "{form:?}"
    );
    assert!(public_contents(&service).await.contains(&fine.to_owned()));

    // `true`: stored as spam, the reader told it awaits moderation, never shown.
    let spam = "Buy SPAM watches here";
    let (status, answer) = post_comment(&service, "k-spam", spam).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["comment"]["status"], "pending", "{answer}");
    assert_eq!(stored_status(&service, spam).await.as_deref(), Some("spam"));
    assert!(!public_contents(&service).await.contains(&spam.to_owned()));

    // `true` with the pro tip "discard": the generic refusal, nothing stored.
    let discard = "DISCARD me";
    let (status, answer) = post_comment(&service, "k-discard", discard).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");
    assert!(
        answer.to_string().contains("could not be accepted"),
        "{answer}"
    );
    assert_eq!(stored_status(&service, discard).await, None);

    // Neither `true` nor `false` (the service's error): our rules decide, and it is held.
    let garbage = "GARBAGE answer please";
    let (status, answer) = post_comment(&service, "k-garbage", garbage).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["comment"]["status"], "pending", "{answer}");
    assert_eq!(
        stored_status(&service, garbage).await.as_deref(),
        Some("pending")
    );

    // A redirect is not followed: the key goes to the configured address only. (The post
    // has answered, so a followed redirect would already have arrived.)
    let redirect = "REDIRECT elsewhere";
    let (status, answer) = post_comment(&service, "k-redirect", redirect).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["comment"]["status"], "pending", "{answer}");
    stand_in.wait_for("comment-check", redirect).await;
    assert!(stand_in.elsewhere.lock().unwrap().is_empty());
    for (path, form) in stand_in.received.lock().unwrap().iter() {
        assert_eq!(form.get("api_key").map(String::as_str), Some(KEY), "{path}");
    }
}

#[tokio::test]
async fn a_reply_is_checked_as_a_reply() {
    let stand_in = StandIn::start().await;
    let service = service_with(&stand_in.url);
    let (_, parent) = post_comment(&service, "k-parent", "The first word.").await;
    let parent_id = parent["comment"]["id"].as_str().unwrap().to_owned();
    let mut reply = body("Bo", "bo@example.com", "A reply to the first word.");
    reply["parent"] = Value::String(parent_id);
    let answer = Client::new()
        .post(service.comments_url())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "k-reply")
        .body(reply.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::CREATED);
    let form = stand_in
        .wait_for("comment-check", "A reply to the first word.")
        .await;
    assert_eq!(form["comment_type"], "reply");
}

#[tokio::test]
async fn without_an_answer_in_time_the_comment_is_held_promptly() {
    // Nothing listens there: refused at once.
    let down = format!("http://127.0.0.1:{}/1.1", free_port());
    let service = service_with(&down);
    let started = Instant::now();
    let (status, answer) = post_comment(&service, "k-down", "Nobody is checking.").await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["comment"]["status"], "pending", "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    drop(service);

    // A service that does not answer for 10 s: the reader waits about 3 s, not 10.
    let stand_in = StandIn::start().await;
    let service = service_with(&stand_in.url);
    let started = Instant::now();
    let (status, answer) = post_comment(&service, "k-slow", "SLOW to judge").await;
    let waited = started.elapsed();
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["comment"]["status"], "pending", "{answer}");
    assert!(
        waited >= Duration::from_millis(2_500) && waited < Duration::from_secs(6),
        "waited {waited:?}"
    );
    assert_eq!(
        stored_status(&service, "SLOW to judge").await.as_deref(),
        Some("pending")
    );
}

#[tokio::test]
async fn a_moderators_correction_is_reported() {
    let stand_in = StandIn::start().await;
    let service = service_with(&stand_in.url);
    let (code, said) = add_moderator(&service, "editor", "a long enough passphrase");
    assert_eq!(code, 0, "{said}");
    let missed = "Cheap watches, missed by the service";
    let (_, posted) = post_comment(&service, "k-missed", missed).await;
    let missed_id = posted["comment"]["id"].as_str().unwrap().to_owned();
    let caught = "SPAM that was not";
    let (_, posted) = post_comment(&service, "k-caught", caught).await;
    let caught_id = posted["comment"]["id"].as_str().unwrap().to_owned();

    let (client, session) = moderator_session(&service, "editor").await;
    let queue = client
        .get(service.url("/moderate?status=all"))
        .header("Cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&queue);
    let act = |one: String| {
        client
            .post(service.url("/moderate/act"))
            .header("Cookie", &session)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string([("one", one.as_str()), ("csrf", &csrf)]).unwrap())
            .send()
    };

    assert_eq!(
        act(format!("spam:{missed_id}")).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let reported = stand_in.wait_for("submit-spam", missed).await;
    assert_eq!(reported["api_key"], KEY);
    assert_eq!(reported["user_ip"], "127.0.0.1");
    assert_eq!(reported["comment_author_email"], "anne@example.com");
    assert_eq!(reported["blog"], BLOG);

    assert_eq!(
        act(format!("approve:{caught_id}")).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let reported = stand_in.wait_for("submit-ham", caught).await;
    assert_eq!(reported["comment_type"], "comment");
    assert!(public_contents(&service).await.contains(&caught.to_owned()));
}

