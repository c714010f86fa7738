//! The comments API over HTTP: every status of the contract, the spam and flood rules,
//! idempotency (sequential and concurrent), pending visibility, CORS, caching and pages (on
//! both engines), counts, health, and a crash-restart that keeps every acknowledged comment.

mod common;

use common::*;
use std::process::Command;

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn a_comment_is_created_listed_and_never_shows_its_email() {
    let service = Service::start(&["--moderation", "approve-all", "--flood-seconds", "0"]);
    let (status, _, answer) = post(
        &service,
        "k1",
        &body("Ann", "Ann@Example.com", "  Hello\nthere  "),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let comment = &answer["comment"];
    assert_eq!(comment["author"], "Ann");
    assert_eq!(
        comment["content"], "Hello\nthere",
        "trimmed by the shared rules"
    );
    assert_eq!(comment["status"], "approved");
    assert_eq!(comment["parent"], Value::Null);
    assert!(comment["published"].as_str().unwrap().ends_with('Z'));
    assert!(comment.get("email").is_none());
    let listed = list(&service, None).await;
    // The author's answer also says until when they may edit or delete it (issue 20); the
    // public list does not.
    assert!(comment["editable_until"].is_string(), "{comment}");
    let mut public = comment.clone();
    public.as_object_mut().unwrap().remove("editable_until");
    assert_eq!(listed, vec![public]);
    assert!(
        !listed[0]
            .to_string()
            .to_lowercase()
            .contains("ann@example.com"),
        "emails are never returned"
    );

    // A reply to it.
    let mut reply = body("Bob", "bob@example.com", "Agreed.");
    reply["parent"] = comment["id"].clone();
    let (status, _, answer) = post(&service, "k2", &reply).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["comment"]["parent"], comment["id"]);
    let mut orphan = body("Cy", "cy@example.com", "To nobody.");
    orphan["parent"] = json!("no-such-comment");
    let (status, _, answer) = post(&service, "k3", &orphan).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer["errors"]["parent"].is_array());
}

#[tokio::test]
async fn validation_messages_per_field_come_from_the_shared_rules() {
    let service = Service::start(&["--flood-seconds", "0"]);
    let mut bad = body("", "not-an-email", "hi");
    bad["website"] = json!("javascript:alert(1)");
    let (status, _, answer) = post(&service, "v1", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer,
        json!({"errors": {
            "content": ["Your comment must be at least 3 characters"],
            "author": ["Enter your name"],
            "email": ["Enter an email address in the correct format, like name@example.com"],
            "website": ["Enter a website address in the correct format, like https://www.example.com"]
        }})
    );
    let long = "é".repeat(65_526);
    let (status, _, answer) = post(&service, "v2", &body("Ann", "ann@example.com", &long)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        answer["errors"]["content"][0],
        "Your comment must be 65525 characters or fewer (it is 65526)"
    );
    let at_limit = "é".repeat(65_525);
    let (status, _, _) = post(&service, "v3", &body("Ann", "ann@example.com", &at_limit)).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "65,525 two-byte characters fit the body limit"
    );
}

#[tokio::test]
async fn every_other_status_of_the_contract() {
    let service = Service::start(&[]);
    let client = Client::new();
    // No JSON content type.
    let response = client
        .post(service.comments_url())
        .header("Idempotency-Key", "s1")
        .header("Content-Type", "text/plain")
        .body(body("Ann", "ann@example.com", "Hello").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // No idempotency key.
    let response = client
        .post(service.comments_url())
        .header("Content-Type", "application/json")
        .body(body("Ann", "ann@example.com", "Hello").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // Too large a body.
    let huge = body("Ann", "ann@example.com", &"x".repeat(400 * 1024));
    let (status, _, _) = post(&service, "s2", &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Not JSON at all.
    let response = client
        .post(service.comments_url())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "s3")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    // Unknown article, closed comments, a hostile id.
    for path in [
        "/api/articles/no-such-article/comments",
        "/api/articles/iran-russia-treaty-fa/comments",
        "/api/articles/..%2F..%2Fetc%2Fpasswd/comments",
    ] {
        let response = client.get(service.url(path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
    }
    // The article JSON is served too.
    let response = client
        .get(service.url("/articles/russia-iran-treaty.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_filled_honeypot_or_a_hasty_form_is_refused_with_a_generic_message() {
    let service = Service::start(&[]);
    let mut trap = body("Bot", "bot@example.com", "Buy now");
    trap["honeypot"] = json!("http://spam.example");
    let (status, _, answer) = post(&service, "h1", &trap).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let generic = json!({"errors": {"form": ["Your comment could not be accepted. Please try again in a moment."]}});
    assert_eq!(answer, generic);
    let mut hasty = body("Bot", "bot@example.com", "Buy now");
    hasty["rendered_at"] = json!(now_ms() - 1_000);
    assert_eq!(post(&service, "h2", &hasty).await.2, generic);
    let mut missing = body("Bot", "bot@example.com", "Buy now");
    missing.as_object_mut().unwrap().remove("rendered_at");
    assert_eq!(post(&service, "h3", &missing).await.2, generic);
    let mut patient = body("Ann", "ann@example.com", "Considered words.");
    patient["rendered_at"] = json!(now_ms() - 3_100);
    assert_eq!(post(&service, "h4", &patient).await.0, StatusCode::CREATED);
    assert!(list(&service, Some(TOKEN)).await.len() == 1);
    // A reader whose clock runs ahead of the server's (a second, or nearly two minutes) dates
    // the form in the future: not held against them.
    let service = Service::start(&["--flood-seconds", "0"]);
    for (key, ahead) in [("h5", 1_000), ("h6", 110_000)] {
        let mut skewed = body("Cy", &format!("cy{key}@example.com"), "My clock is fast.");
        skewed["rendered_at"] = json!(now_ms() + ahead);
        let (status, _, answer) = post(&service, key, &skewed).await;
        assert_eq!(status, StatusCode::CREATED, "{ahead} ms ahead: {answer}");
    }
}

/// With `--moderation auto`, a comment with `--hold-links` links or more is held even from
/// an author with an approved comment; `--hold-links 0` turns the rule off.
#[tokio::test]
async fn comments_with_links_are_held() {
    for (limit, held_with_two) in [("2", true), ("3", false), ("0", false)] {
        let service = Service::start(&["--flood-seconds", "0", "--hold-links", limit]);
        let (_, _, first) = post(&service, "l0", &body("Ann", "ann@example.com", "Hello.")).await;
        let (code, said) = service.moderate(&["approve", first["comment"]["id"].as_str().unwrap()]);
        assert_eq!(code, 0, "{said}");
        let one = body("Ann", "ann@example.com", "See https://a.example for more.");
        assert_eq!(
            post(&service, "l1", &one).await.2["comment"]["status"],
            "approved"
        );
        let two = body(
            "Ann",
            "ann@example.com",
            "See https://a.example and www.b.example for more.",
        );
        let status = post(&service, "l2", &two).await.2["comment"]["status"].clone();
        let want = if held_with_two { "pending" } else { "approved" };
        assert_eq!(status, want, "--hold-links {limit}");
    }
}

#[tokio::test]
async fn flood_control_holds_per_email_and_per_client_address() {
    let service = Service::start(&["--proxy-hops", "1", "--flood-seconds", "15"]);
    let (status, _, _) = post_from(
        &service,
        "f1",
        &body("Ann", "ann@example.com", "First."),
        Some("10.1.1.1"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // Same email, another address.
    let (status, retry_after, _) = post_from(
        &service,
        "f2",
        &body("Ann", "ANN@example.com", "Second."),
        Some("10.2.2.2"),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let seconds: u64 = retry_after.expect("Retry-After").parse().unwrap();
    assert!((1..=15).contains(&seconds), "{seconds}");
    // Same address, another email.
    let (status, _, _) = post_from(
        &service,
        "f3",
        &body("Bob", "bob@example.com", "Hi."),
        Some("10.1.1.1"),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Someone else entirely.
    let (status, _, _) = post_from(
        &service,
        "f4",
        &body("Cy", "cy@example.com", "Hello."),
        Some("10.3.3.3"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    // The refused key is not burnt: it may succeed after the wait (checked with a short window).
    let quick = Service::start(&["--proxy-hops", "1", "--flood-seconds", "1"]);
    assert_eq!(
        post_from(
            &quick,
            "q1",
            &body("Ann", "ann@example.com", "One."),
            Some("10.9.9.9")
        )
        .await
        .0,
        StatusCode::CREATED
    );
    assert_eq!(
        post_from(
            &quick,
            "q2",
            &body("Ann", "ann@example.com", "Two."),
            Some("10.9.9.9")
        )
        .await
        .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_eq!(
        post_from(
            &quick,
            "q2",
            &body("Ann", "ann@example.com", "Two."),
            Some("10.9.9.9")
        )
        .await
        .0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn a_repeated_key_returns_the_first_answer_and_stores_nothing_new() {
    let service = Service::start(&["--flood-seconds", "0"]);
    let first = post(
        &service,
        "same-key",
        &body("Ann", "ann@example.com", "Once only."),
    )
    .await;
    assert_eq!(first.0, StatusCode::CREATED);
    let again = post(
        &service,
        "same-key",
        &body("Ann", "ann@example.com", "Changed my mind."),
    )
    .await;
    assert_eq!(again.0, StatusCode::CREATED);
    assert_eq!(again.2, first.2, "the first answer, word for word");
    assert_eq!(list(&service, Some(TOKEN)).await.len(), 1);

    // Twenty copies at the same moment.
    let requests = (0..20).map(|_| {
        let url = service.comments_url();
        let payload = body("Bob", "bob@example.com", "Sent twenty times at once.").to_string();
        tokio::spawn(async move {
            let response = Client::new()
                .post(url)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "concurrent-key")
                .header("Comment-Author-Token", TOKEN)
                .body(payload)
                .send()
                .await
                .unwrap();
            (response.status(), response.text().await.unwrap())
        })
    });
    let answers: Vec<(StatusCode, String)> = futures_join(requests).await;
    assert!(
        answers
            .iter()
            .all(|(status, _)| *status == StatusCode::CREATED),
        "{answers:?}"
    );
    assert!(
        answers.windows(2).all(|pair| pair[0].1 == pair[1].1),
        "every copy got the same answer"
    );
    assert_eq!(
        list(&service, Some(TOKEN)).await.len(),
        2,
        "one new comment, not twenty"
    );

    // A refusal is not remembered (only a stored comment's answer is worth repeating): the
    // same key, with the form mended, is judged again.
    let refused = post(
        &service,
        "bad-key",
        &body("", "ann@example.com", "No name."),
    )
    .await;
    assert_eq!(refused.0, StatusCode::UNPROCESSABLE_ENTITY);
    let retried = post(
        &service,
        "bad-key",
        &body("Ann", "ann@example.com", "Now with a name."),
    )
    .await;
    assert_eq!(retried.0, StatusCode::CREATED, "{}", retried.2);
}

#[tokio::test]
async fn pending_comments_are_shown_only_to_their_author_until_approved() {
    let service = Service::start(&["--flood-seconds", "0"]);
    let (status, _, answer) = post(
        &service,
        "p1",
        &body("Ann", "ann@example.com", "Awaiting a moderator."),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        answer["comment"]["status"], "pending",
        "a first comment is held (auto moderation)"
    );
    let id = answer["comment"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        list(&service, Some(TOKEN)).await.len(),
        1,
        "its author sees it"
    );
    assert_eq!(list(&service, None).await.len(), 0, "nobody else does");
    assert_eq!(
        list(&service, Some("someone-elses-browser-token"))
            .await
            .len(),
        0
    );

    let (code, output) = service.moderate(&["list"]);
    assert_eq!(code, 0);
    assert!(
        output.contains(&id)
            && output.contains("ann@example.com")
            && output.contains("Awaiting a moderator."),
        "{output}"
    );
    let (code, output) = service.moderate(&["approve", &id]);
    assert_eq!(
        (code, output.trim()),
        (0, format!("{id}: approved").as_str())
    );
    assert_eq!(
        list(&service, None).await.len(),
        1,
        "approved: everyone sees it"
    );

    let (_, _, next) = post(
        &service,
        "p2",
        &body("Ann", "ann@example.com", "Second comment."),
    )
    .await;
    assert_eq!(
        next["comment"]["status"], "approved",
        "an author with an approved comment is trusted"
    );

    let second = next["comment"]["id"].as_str().unwrap().to_owned();
    assert_eq!(service.moderate(&["reject", &second]).0, 0);
    assert_eq!(
        list(&service, Some(TOKEN)).await.len(),
        1,
        "rejected comments are hidden, even from their author"
    );
    assert_eq!(service.moderate(&["delete", &second]).0, 0);
    let (code, output) = service.moderate(&["delete", &second]);
    assert_eq!(code, 1);
    assert!(output.contains("no such comment"));
    let (code, output) = service.moderate(&["list", "--status", "all"]);
    assert_eq!(code, 0);
    assert!(output.contains(&id) && !output.contains(&second));
}

#[tokio::test]
async fn hold_all_and_approve_all_policies() {
    let hold = Service::start(&["--moderation", "hold-all", "--flood-seconds", "0"]);
    let (_, _, first) = post(&hold, "a", &body("Ann", "ann@example.com", "One.")).await;
    assert_eq!(first["comment"]["status"], "pending", "held: {first}");
    let (code, said) = hold.moderate(&["approve", first["comment"]["id"].as_str().unwrap()]);
    assert_eq!(code, 0, "{said}");
    assert_eq!(
        list(&hold, None).await.len(),
        1,
        "the first one is public now"
    );
    // Ann has an approved comment, and still her next one is held: hold-all holds everyone.
    let (_, _, second) = post(&hold, "b", &body("Ann", "ann@example.com", "Two.")).await;
    assert_eq!(second["comment"]["status"], "pending");
    let open = Service::start(&["--moderation", "approve-all"]);
    assert_eq!(
        post(&open, "a", &body("Ann", "ann@example.com", "One."))
            .await
            .2["comment"]["status"],
        "approved"
    );
}

#[tokio::test]
async fn cors_answers_configured_origins_only() {
    let service = Service::start(&[
        "--allow-origin",
        "https://news.example,https://www.news.example",
    ]);
    let client = Client::new();
    let preflight = |origin: &'static str| {
        client
            .request(reqwest::Method::OPTIONS, service.comments_url())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "content-type,idempotency-key,comment-author-token",
            )
            .send()
    };
    let allowed = preflight("https://news.example").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://news.example"
    );
    let allowed_headers = allowed.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_lowercase();
    assert!(
        allowed_headers.contains("idempotency-key")
            && allowed_headers.contains("comment-author-token")
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused
        .headers()
        .get("access-control-allow-origin")
        .is_none());

    let response = client
        .post(service.comments_url())
        .header("Origin", "https://evil.example")
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "evil")
        .body(body("Eve", "eve@example.com", "From elsewhere.").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "not processed at all"
    );
    let response = client
        .get(service.comments_url())
        .header("Origin", "https://www.news.example")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.headers()["access-control-allow-origin"],
        "https://www.news.example"
    );
    // The service's own pages (same origin) need no configuration.
    let own = service.base.clone();
    let response = client
        .post(service.comments_url())
        .header("Origin", own)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "own")
        .body(body("Ann", "ann@example.com", "From the demo page.").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
}

/// A POST that waits for another request holding its key (up to 10 s) must date its comment,
/// and judge its form's age and the flood window, by the time it got the key, not the time
/// it arrived.
#[tokio::test]
async fn a_post_that_waited_for_its_key_is_dated_when_it_got_it() {
    use sqlx::Executor;
    let service = Service::start(&["--flood-seconds", "0", "--moderation", "approve-all"]);
    let pool = service.database_pool().await;
    // Another request holds the key (stored scoped to its article) and has not answered.
    pool.execute(
        format!(
            "INSERT INTO idempotency (idempotency_key, article_id, created_at) VALUES ('{ARTICLE}:held', '{ARTICLE}', {})",
            now_ms()
        )
        .as_str(),
    )
    .await
    .unwrap();
    let arrived = now_ms();
    let waiting = {
        let url = service.comments_url();
        let body = body("Ann", "ann@example.com", "Waited for its key");
        tokio::spawn(async move {
            Client::new()
                .post(url)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "held")
                .body(body.to_string())
                .send()
                .await
                .unwrap()
        })
    };
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    // The other request gives the key up (as after a 429): the waiting one takes it.
    pool.execute(
        format!("DELETE FROM idempotency WHERE idempotency_key = '{ARTICLE}:held'").as_str(),
    )
    .await
    .unwrap();
    let response = waiting.await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let answer: Value = response.json().await.unwrap();
    let published = answer["comment"]["published"].as_str().unwrap().to_owned();
    // Dates have whole seconds: arrival + 2 s is safely before the key was got.
    let arrived_plus_two = article_widget::domain::date::Timestamp::from_millis(arrived + 2_000);
    let published = article_widget::domain::date::Timestamp::parse(&published).unwrap();
    assert!(
        published >= arrived_plus_two,
        "dated {} though it got its key at least 3 s after it arrived at {}",
        published.to_rfc3339(),
        article_widget::domain::date::Timestamp::from_millis(arrived).to_rfc3339()
    );
    pool.close().await;
}

/// The thread is cacheable: a validator over its content, a short public lifetime, 304 for a
/// matching revalidation; a request with an author token (which may see held comments) gets a
/// private answer; a newly approved comment changes the tag at once, a held one does not.
#[tokio::test]
async fn the_thread_is_cached_as_it_should_be() {
    caching(&Service::start(CACHING)).await;
}

const CACHING: &[&str] = &["--flood-seconds", "0"];
const PAGING: &[&str] = &["--moderation", "approve-all", "--flood-seconds", "0"];

/// The caching and paging scenarios on PostgreSQL too: their validators come from what the
/// store records, on either engine. One after the other, each on emptied tables.
#[tokio::test]
async fn caching_and_pages_on_postgres() {
    let Some(url) = postgres_url() else { return };
    empty_postgres(&url).await;
    caching(&Service::start_on(Some(&url), CACHING)).await;
    empty_postgres(&url).await;
    pages(&Service::start_on(Some(&url), PAGING)).await;
    empty_postgres(&url).await;
    println!("caching and pages tested on postgres");
}

async fn caching(service: &Service) {
    let client = Client::new();
    let get = |token: Option<&'static str>, tag: Option<String>| {
        let mut request = client.get(service.comments_url());
        if let Some(token) = token {
            request = request.header("Comment-Author-Token", token);
        }
        if let Some(tag) = tag {
            request = request.header("If-None-Match", tag);
        }
        request.send()
    };
    let first = get(None, None).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(
        first.headers()["cache-control"],
        "public, max-age=10, stale-while-revalidate=60"
    );
    let vary: Vec<String> = first
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_lowercase())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("comment-author-token")),
        "{vary:?}"
    );
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(
        get(None, Some(tag.clone())).await.unwrap().status(),
        StatusCode::NOT_MODIFIED
    );
    let mine = get(Some(TOKEN), None).await.unwrap();
    assert_eq!(mine.headers()["cache-control"], "private, no-cache");

    // A held comment changes nothing for others…
    let (status, _, _) = post(service, "c1", &body("Ann", "ann@example.com", "Held first")).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        get(None, Some(tag.clone())).await.unwrap().status(),
        StatusCode::NOT_MODIFIED,
        "a held comment does not change the public thread"
    );
    // …until it is approved.
    let (_, listed) = service.moderate(&["list"]);
    let id = listed.split_whitespace().next().unwrap().to_owned();
    assert_eq!(service.moderate(&["approve", &id]).0, 0);
    let after = get(None, Some(tag)).await.unwrap();
    assert_eq!(after.status(), StatusCode::OK, "approval changes the tag");
    assert!(after.text().await.unwrap().contains("Held first"));
}

/// Comment counts for article lists: many articles in one request, in the page's language,
/// approved comments only, cached, and a bound on how many.
#[tokio::test]
async fn counts_for_many_articles_come_in_one_answer() {
    let service = Service::start(&["--flood-seconds", "0", "--moderation", "approve-all"]);
    for n in 0..2 {
        let (status, _, _) = post(
            &service,
            &format!("n{n}"),
            &body("Ann", &format!("ann{n}@example.com"), "Counted"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let client = Client::new();
    let url = service.url(
        "/api/comment-counts?articles=russia-iran-treaty,russia-iran-explainer,..%2Fetc,russia-iran-treaty",
    );
    let answer = client.get(&url).send().await.unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age=30"));
    let tag = answer.headers()["etag"].to_str().unwrap().to_owned();
    let value: Value = answer.json().await.unwrap();
    assert_eq!(
        value,
        json!({"counts": {
            "russia-iran-treaty": {"count": 2, "text": "2 Responses"},
            "russia-iran-explainer": {"count": 0, "text": "No comments yet"}
        }}),
        "in the order asked, once each, hostile ids left out"
    );
    let again = client
        .get(&url)
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let russian: Value = client
        .get(service.url("/api/comment-counts?articles=russia-iran-treaty&lang=ru"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(russian["counts"]["russia-iran-treaty"]["text"], "2 ответа");
    let many: Vec<String> = (0..101).map(|n| format!("a{n}")).collect();
    let refused = client
        .get(service.url(&format!("/api/comment-counts?articles={}", many.join(","))))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

/// `/healthz` answers 503 when the database is gone: a PostgreSQL database dropped under a
/// running service (its connections ended), then 200 again once it is back.
#[tokio::test]
async fn health_is_unavailable_without_the_database() {
    use sqlx::Executor;
    let Some(url) = postgres_url() else { return };
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&url).await.unwrap();
    admin
        .execute("DROP DATABASE IF EXISTS comments_health WITH (FORCE)")
        .await
        .unwrap();
    admin
        .execute("CREATE DATABASE comments_health")
        .await
        .unwrap();
    let (base, _) = url.rsplit_once('/').unwrap();
    let service = Service::start_on(Some(&format!("{base}/comments_health")), &[]);
    let health = |service: &Service| {
        let url = service.url("/healthz");
        async move { Client::new().get(url).send().await.unwrap() }
    };
    assert_eq!(health(&service).await.status(), StatusCode::OK);
    admin
        .execute("DROP DATABASE comments_health WITH (FORCE)")
        .await
        .unwrap();
    let gone = health(&service).await;
    assert_eq!(gone.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(gone.headers()["cache-control"], "no-store");
    let value: Value = gone.json().await.unwrap();
    assert_eq!(
        value,
        json!({"status": "unavailable", "database": "postgres"})
    );
    admin
        .execute("CREATE DATABASE comments_health")
        .await
        .unwrap();
    assert_eq!(
        health(&service).await.status(),
        StatusCode::OK,
        "back with it"
    );
    drop(service);
    admin
        .execute("DROP DATABASE comments_health WITH (FORCE)")
        .await
        .unwrap();
    admin.close().await;
}

#[tokio::test]
async fn health_is_reported_for_load_balancers() {
    let service = Service::start(&[]);
    let response = Client::new()
        .get(service.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let value: Value = response.json().await.unwrap();
    assert_eq!(value, json!({"status": "ok", "database": "sqlite"}));
}

#[tokio::test]
async fn moderation_lists_take_a_known_status_only() {
    let service = Service::start(&["--flood-seconds", "0"]);
    let (code, text) = service.moderate(&["list", "--status", "pendng"]);
    assert_eq!(code, 2, "{text}");
    for valid in ["pending", "approved", "rejected", "all"] {
        assert!(text.contains(valid), "names the valid values: {text}");
    }
    assert!(!text.contains("No pendng comments"), "{text}");
    let (code, text) = service.moderate(&["list", "--status", "rejected"]);
    assert_eq!((code, text.trim()), (0, "No rejected comments."));
}

#[tokio::test]
async fn a_one_second_wait_is_said_in_the_singular() {
    let service = Service::start(&["--flood-seconds", "1", "--moderation", "approve-all"]);
    let first = post(&service, "w1", &body("Ann", "ann@example.com", "First one")).await;
    assert_eq!(first.0, StatusCode::CREATED);
    let (status, retry_after, answer) = post(
        &service,
        "w2",
        &body("Ann", "ann@example.com", "Second one"),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry_after.as_deref(), Some("1"));
    assert_eq!(
        answer["error"],
        "Please wait 1 second before commenting again."
    );
}

/// What this proves: every comment acknowledged with a 201 had been committed by SQLite when
/// the process died (SIGKILL, no shutdown), so it was in the operating system's hands. It
/// cannot prove that it was on the disk (`synchronous=FULL` against `OFF`): the page cache
/// survives a killed process, and only a power cut or a crashed kernel would tell the two
/// apart, which a test here cannot cause. `storage.rs` checks that every pooled connection
/// runs with `synchronous=FULL` in WAL mode, so the fsync that power cut needs is asked for.
#[tokio::test]
async fn a_crash_and_restart_keeps_every_acknowledged_comment() {
    let mut service = Service::start(&["--flood-seconds", "0", "--moderation", "approve-all"]);
    let mut acknowledged = Vec::new();
    for n in 0..25 {
        let (status, _, answer) = post(
            &service,
            &format!("r{n}"),
            &body("Ann", "ann@example.com", &format!("Comment {n}")),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
        acknowledged.push(answer["comment"]["id"].as_str().unwrap().to_owned());
    }
    service.restart(&["--flood-seconds", "0", "--moderation", "approve-all"]);
    let listed: Vec<String> = list(&service, None)
        .await
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(listed.len(), 25);
    for id in &acknowledged {
        assert!(listed.contains(id), "{id} survived");
    }
    // And the keys still answer as before.
    let again = post(&service, "r0", &body("Ann", "ann@example.com", "Comment 0")).await;
    assert_eq!(again.2["comment"]["id"], acknowledged[0].as_str());
}

#[test]
fn help_lists_every_setting() {
    let output = Command::new(BINARY)
        .args(["serve", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for flag in [
        "--address",
        "--database",
        "--articles",
        "--site",
        "--allow-origin",
        "--moderation",
        "--flood-seconds",
        "COMMENTS_DATABASE",
        "COMMENTS_ALLOWED_ORIGINS",
    ] {
        assert!(help.contains(flag), "{flag} in\n{help}");
    }
}

/// `GET {url}?per_page=N`: a page of threads with the total and the next page's address
/// (relative: only the query changes), each page cacheable on its own; bad parameters are a
/// 400 that says which; without `per_page` the whole thread, as the contract always allowed.
#[tokio::test]
async fn the_thread_comes_in_pages() {
    pages(&Service::start(PAGING)).await;
}

async fn pages(service: &Service) {
    for (key, text) in [("p1", "First"), ("p2", "Second"), ("p3", "Third")] {
        let (status, _, _) = post(service, key, &body("Ann", "ann@example.com", text)).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let client = Client::new();
    let get = |query: String| {
        client
            .get(format!("{}{query}", service.comments_url()))
            .send()
    };

    let first = get("?per_page=2".into()).await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let tag = first.headers()["etag"].to_str().unwrap().to_owned();
    let page: Value = first.json().await.unwrap();
    let texts = |page: &Value| {
        page["comments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["content"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&page), ["First", "Second"]);
    assert_eq!(page["total"], 3);
    let next = page["next"].as_str().unwrap().to_owned();
    assert!(
        next.starts_with("?per_page=2&order=oldest&after="),
        "{next}"
    );
    let last: Value = get(next).await.unwrap().json().await.unwrap();
    assert_eq!(texts(&last), ["Third"]);
    assert_eq!(last["next"], Value::Null, "the last page says so");

    let newest: Value = get("?per_page=1&order=newest".into())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(texts(&newest), ["Third"]);

    // Each page has its own validator.
    let again = client
        .get(format!("{}?per_page=2", service.comments_url()))
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    for (query, says) in [
        ("?per_page=0", "per_page"),
        ("?per_page=1000", "per_page"),
        ("?per_page=10&order=sideways", "order"),
        ("?per_page=10&after=nonsense", "after"),
    ] {
        let refused = get(query.into()).await.unwrap();
        assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{query}");
        assert!(refused.text().await.unwrap().contains(says), "{query}");
    }

    let whole: Value = get(String::new()).await.unwrap().json().await.unwrap();
    assert_eq!(texts(&whole), ["First", "Second", "Third"]);
    assert!(whole.get("next").is_none() && whole.get("total").is_none());
}
