//! Notifications through a real SMTP server: moderators, the double opt-in of reply
//! notifications (confirmation links, their expiry and rate limit), replies, unsubscribe,
//! outages, restarts and the digest.
//!
//! No fixed sleep before a negative check: "nothing was sent" is asserted only after a later
//! message (a marker comment's, to the moderators) arrived, which the worker sends after every
//! message due before it (it claims them oldest first, one worker per test unless said).

mod common;

use common::*;

use comment_service::mail::notify::{confirmation_token, unsubscribe_token};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const CONFIRM_LINK: &str = "https://news.example/notifications/confirm?token=";

/// Posts a comment; its id and whether it was published at once.
async fn comment(service: &Service, key: &str, body: &Value) -> String {
    let (status, _, answer) = post(service, key, body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer["comment"]["id"].as_str().unwrap().to_owned()
}

fn reply_to(parent: &str, author: &str, email: &str, content: &str) -> Value {
    let mut reply = body(author, email, content);
    reply["parent"] = json!(parent);
    reply
}

fn approve(service: &Service, id: &str) {
    let (code, output) = service.moderate(&["approve", id]);
    assert_eq!(code, 0, "approve {id}: {output}");
}

/// A message with its body decoded (quoted-printable) and its headers as they came (a
/// header's `=` is no escape).
fn readable(message: &str) -> String {
    match message.split_once("\n\n") {
        Some((headers, body)) => format!("{headers}\n\n{}", quoted_printable(body)),
        None => message.to_owned(),
    }
}

/// The messages whose `To:` is this address (in any case).
fn messages_to(smtp: &SmtpServer, address: &str) -> Vec<String> {
    smtp.messages()
        .into_iter()
        .filter(|m| {
            m.lines()
                .any(|l| l.to_lowercase() == format!("to: {}", address.to_lowercase()))
        })
        .map(|m| readable(&m))
        .collect()
}

/// Waits (10 s at most) for a message that contains `text`, and returns it.
async fn wait_for_text(smtp: &SmtpServer, text: &str) -> String {
    for _ in 0..200 {
        if let Some(found) = smtp
            .messages()
            .into_iter()
            .map(|m| readable(&m))
            .find(|m| m.contains(text))
        {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("no message with {text:?} arrived: {:?}", smtp.messages());
}

/// Waits (10 s at most) for a message to `address` that contains `text`, and returns it.
/// (The moderators' message about a held reply quotes it too.)
async fn wait_for_mail(smtp: &SmtpServer, address: &str, text: &str) -> String {
    for _ in 0..200 {
        if let Some(found) = messages_to(smtp, address)
            .into_iter()
            .find(|m| m.contains(text))
        {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "no message to {address} with {text:?} arrived: {:?}",
        smtp.messages()
    );
}

/// The positive signal before a negative check: a new held comment, whose message to the
/// moderators is due after everything written before it, and must arrive.
async fn marker(service: &Service, smtp: &SmtpServer, name: &str) {
    let text = format!("Marker comment {name}");
    comment(
        service,
        &format!("marker-{name}"),
        &body("Mark", &format!("mark-{name}@example.com"), &text),
    )
    .await;
    wait_for_text(smtp, &text).await;
}

/// The link in a message that starts with `prefix`.
fn link_in(message: &str, prefix: &str) -> String {
    let at = message
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {message}"));
    message[at..]
        .split_whitespace()
        .next()
        .unwrap()
        .trim_end_matches('>')
        .to_owned()
}

/// The path of one of our public links, on the test's service.
fn on_service(service: &Service, link: &str) -> String {
    service.url(&link["https://news.example".len()..])
}

/// Waits until no message of the outbox is waiting (each sent, or dropped), at most 10 s.
async fn outbox_drained(service: &Service) {
    let pool = service.database_pool().await;
    let mut waiting = -1;
    for _ in 0..200 {
        waiting = sqlx::query_scalar("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
            .fetch_one(&pool)
            .await
            .unwrap();
        if waiting == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    pool.close().await;
    assert_eq!(waiting, 0, "the outbox drained");
}

/// The service's signing key, from `service_secrets` (the mail worker makes it as it starts).
async fn signing_key(service: &Service) -> Vec<u8> {
    let pool = service.database_pool().await;
    for _ in 0..200 {
        let key: Option<String> =
            sqlx::query_scalar("SELECT value FROM service_secrets WHERE name = 'unsubscribe'")
                .fetch_optional(&pool)
                .await
                .unwrap();
        if let Some(key) = key {
            pool.close().await;
            return key.into_bytes();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the service made no signing key");
}

async fn page(response: reqwest::Response) -> (StatusCode, String) {
    let status = response.status();
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    let text = response.text().await.unwrap();
    assert!(
        content_type.starts_with("text/html"),
        "a page, not {content_type}: {text}"
    );
    (status, text)
}

async fn get_page(url: &str) -> (StatusCode, String) {
    page(Client::new().get(url).send().await.unwrap()).await
}

/// The confirmation page's button, as a browser sends it.
async fn press_confirm(service: &Service, token: &str) -> (StatusCode, String) {
    page(
        Client::new()
            .post(service.url("/notifications/confirm"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(format!("token={token}"))
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn token_of(link: &str) -> &str {
    link.split_once("token=").unwrap().1
}

/// `email` posts a comment asking to hear of replies, it is approved, and the address is
/// confirmed through the link mailed to it. The comment's id.
async fn confirmed_comment(
    service: &Service,
    smtp: &SmtpServer,
    name: &str,
    email: &str,
) -> String {
    let id = comment(
        service,
        &format!("confirmed-{email}"),
        &with_notify(body(
            name,
            email,
            &format!("{name} asks to hear of replies"),
        )),
    )
    .await;
    approve(service, &id);
    let mail = wait_for_text(smtp, &format!("To: {email}")).await;
    let (status, text) = press_confirm(service, token_of(&link_in(&mail, CONFIRM_LINK))).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    id
}

/// The attack of issue 17 §5: a held comment with someone else's address and "notify me",
/// a comment of one's own approved, a reply. The owner of the address must get neither the
/// reply nor anything the attacker wrote: at most one request to confirm, and even confirmed,
/// nothing about a parent that was never approved.
#[tokio::test]
async fn a_stranger_cannot_have_replies_mailed_to_an_address_nobody_confirmed() {
    let smtp = SmtpServer::start();
    let args = mail_args(smtp.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start(&args);

    let decoy = comment(
        &service,
        "victim-1",
        &with_notify(body("Vic", "vic@example.com", "Held, in Vic's name")),
    )
    .await;
    let own = comment(
        &service,
        "victim-2",
        &body("Mallory", "mallory@example.com", "A harmless first comment"),
    )
    .await;
    approve(&service, &own);
    let reply = comment(
        &service,
        "victim-3",
        &reply_to(
            &decoy,
            "Mallory",
            "mallory@example.com",
            "You won a prize, call 555 0100",
        ),
    )
    .await;
    approve(&service, &reply); // published already (Mallory has an approved comment)
    marker(&service, &smtp, "victim-a").await;

    let to_vic = messages_to(&smtp, "vic@example.com");
    assert!(
        to_vic.iter().all(|m| !m.contains("prize")),
        "the reply reached an address nobody confirmed: {to_vic:?}"
    );
    assert_eq!(to_vic.len(), 1, "one request to confirm: {to_vic:?}");
    let request = &to_vic[0];
    assert!(
        request.contains("Subject: Confirm your email address"),
        "{request}"
    );
    assert!(
        !request.contains("Mallory") && !request.contains("Vic's name"),
        "the request quotes nothing the commenter wrote: {request}"
    );

    // Vic confirms (for their own comments elsewhere): still nothing about a reply to a
    // comment that was never approved.
    let (status, text) = press_confirm(&service, token_of(&link_in(request, CONFIRM_LINK))).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let again = comment(
        &service,
        "victim-4",
        &reply_to(
            &decoy,
            "Mallory",
            "mallory@example.com",
            "Another prize, call 555 0101",
        ),
    )
    .await;
    approve(&service, &again);
    marker(&service, &smtp, "victim-b").await;
    let to_vic = messages_to(&smtp, "vic@example.com");
    assert_eq!(
        to_vic.len(),
        1,
        "no reply to a parent never approved: {to_vic:?}"
    );
}

/// Ticking the box mails a confirmation link; opening it (GET) changes nothing, its button
/// (POST) confirms, once; until then no reply is mailed, after it the next approved reply is,
/// and a second comment with the box ticked asks nothing again (once per address).
#[tokio::test]
async fn a_confirmed_address_hears_of_replies_and_an_unconfirmed_one_never() {
    let smtp = SmtpServer::start();
    let args = mail_args(smtp.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start(&args);

    let parent = comment(
        &service,
        "flow-1",
        &with_notify(body("Ann", "ann@example.com", "Tell me of replies")),
    )
    .await;
    approve(&service, &parent);
    let request = wait_for_text(&smtp, "To: ann@example.com").await;
    assert!(
        request.contains("Subject: Confirm your email address"),
        "{request}"
    );
    assert!(request.contains("List-Unsubscribe: <https://news.example/unsubscribe?token="));
    let link = link_in(&request, CONFIRM_LINK);

    // Not confirmed yet: a reply is not mailed.
    let early = comment(
        &service,
        "flow-2",
        &reply_to(
            &parent,
            "Bob",
            "bob@example.com",
            "Bob answers before Ann confirmed",
        ),
    )
    .await;
    approve(&service, &early);
    // A link checker opens the link: a page with a button, and nothing confirmed.
    let (status, text) = get_page(&on_service(&service, &link)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("<form method=\"post\""), "{text}");
    assert!(text.contains("ann@example.com"), "{text}");
    let after_get = comment(
        &service,
        "flow-3",
        &reply_to(
            &parent,
            "Cleo",
            "cleo@example.com",
            "Cleo answers after a GET",
        ),
    )
    .await;
    approve(&service, &after_get);
    marker(&service, &smtp, "flow-a").await;
    assert_eq!(
        messages_to(&smtp, "ann@example.com").len(),
        1,
        "only the request to confirm, no reply: {:?}",
        messages_to(&smtp, "ann@example.com")
    );

    // The button confirms; a second press is refused in plain words.
    let (status, text) = press_confirm(&service, token_of(&link)).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("Confirmed"), "{text}");
    let (status, text) = press_confirm(&service, token_of(&link)).await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("already used"), "{text}");

    // The next approved reply is mailed, with its text, its link and a one-click unsubscribe.
    let next = comment(
        &service,
        "flow-4",
        &reply_to(
            &parent,
            "Dan",
            "dan@example.com",
            "Dan answers a confirmed Ann",
        ),
    )
    .await;
    approve(&service, &next);
    let message = wait_for_mail(&smtp, "ann@example.com", "Dan answers a confirmed Ann").await;
    assert!(message.contains("To: ann@example.com"), "{message}");
    assert!(message.contains("Subject: A reply to your comment"));
    assert!(
        message.contains("Dan replied to your comment on “Russia and Iran"),
        "{message}"
    );
    assert!(message.contains(&format!(
        "https://news.example/read/{ARTICLE}#comment-{next}"
    )));
    assert!(message.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));

    // Once per address, not per thread: another comment with the box ticked (the address in
    // another case) asks nothing again, and its replies are mailed.
    let second = comment(
        &service,
        "flow-5",
        &with_notify(body("Ann", "Ann@Example.com", "Another thread of Ann's")),
    )
    .await;
    approve(&service, &second);
    let answer = comment(
        &service,
        "flow-6",
        &reply_to(
            &second,
            "Eve",
            "eve@example.com",
            "Eve answers Ann's second",
        ),
    )
    .await;
    approve(&service, &answer);
    wait_for_mail(&smtp, "ann@example.com", "Eve answers Ann's second").await;
    marker(&service, &smtp, "flow-b").await;
    let to_ann = messages_to(&smtp, "ann@example.com");
    assert_eq!(
        to_ann
            .iter()
            .filter(|m| m.contains("Subject: Confirm your email address"))
            .count(),
        1,
        "one request to confirm in all: {to_ann:?}"
    );
    for never in ["Bob answers before", "Cleo answers after a GET"] {
        assert!(
            to_ann.iter().all(|m| !m.contains(never)),
            "{never}: {to_ann:?}"
        );
    }
}

/// `GET /unsubscribe` shows a button and changes nothing (a later reply is still mailed);
/// the one-click POST stops every later message; a forged token is refused.
#[tokio::test]
async fn unsubscribing_takes_a_post_and_stops_everything_after_it() {
    let smtp = SmtpServer::start();
    let args = mail_args(smtp.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start(&args);
    let parent = confirmed_comment(&service, &smtp, "Ann", "ann@example.com").await;

    let first = comment(
        &service,
        "unsub-1",
        &reply_to(&parent, "Bob", "bob@example.com", "Bob's answer"),
    )
    .await;
    approve(&service, &first);
    let message = wait_for_mail(&smtp, "ann@example.com", "Bob's answer").await;
    let link = message
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe: <"))
        .unwrap()
        .trim_start_matches("List-Unsubscribe: <")
        .trim_end_matches('>')
        .to_owned();
    assert!(link.starts_with("https://news.example/unsubscribe?token="));

    // A GET, as a link checker or a preview opens the link: a button, nothing more.
    let (status, text) = get_page(&on_service(&service, &link)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("<form method=\"post\""), "{text}");
    let second = comment(
        &service,
        "unsub-2",
        &reply_to(
            &parent,
            "Cleo",
            "cleo@example.com",
            "Cleo's answer after a GET",
        ),
    )
    .await;
    approve(&service, &second);
    wait_for_mail(&smtp, "ann@example.com", "Cleo's answer after a GET").await;

    // One click, as a mail client sends it (RFC 8058).
    let clicked = Client::new()
        .post(on_service(&service, &link))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), StatusCode::OK);
    let forged = Client::new()
        .post(on_service(&service, &link.replace("token=", "token=00")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::BAD_REQUEST,
        "a token must be ours"
    );

    let third = comment(
        &service,
        "unsub-3",
        &reply_to(
            &parent,
            "Dan",
            "dan@example.com",
            "Dan's answer after the POST",
        ),
    )
    .await;
    approve(&service, &third);
    marker(&service, &smtp, "unsub").await;
    let to_ann = messages_to(&smtp, "ann@example.com");
    assert!(
        to_ann.iter().all(|m| !m.contains("Dan's answer")),
        "unsubscribed: {to_ann:?}"
    );
    assert_eq!(to_ann.len(), 3, "the request, Bob's and Cleo's: {to_ann:?}");
}

/// A message waiting while the mail server is down is dropped by an unsubscribe: it is never
/// sent once the server is back.
#[tokio::test]
async fn waiting_messages_are_dropped_after_an_unsubscribe() {
    let smtp = SmtpServer::start();
    let port = smtp.port;
    let args = mail_args(port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start(&args);
    let parent = confirmed_comment(&service, &smtp, "Ann", "ann@example.com").await;
    drop(smtp); // the mail server goes down

    let reply = comment(
        &service,
        "drop-1",
        &reply_to(
            &parent,
            "Bob",
            "bob@example.com",
            "Bob's answer while mail is down",
        ),
    )
    .await;
    approve(&service, &reply);
    // The message waits: the worker tried, and failed.
    let pool = service.database_pool().await;
    for _ in 0..200 {
        let attempts: Option<i64> = sqlx::query_scalar("SELECT attempts FROM outbox WHERE id = ?")
            .bind(format!("reply:{reply}"))
            .fetch_optional(&pool)
            .await
            .unwrap();
        if attempts.unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }

    let key = signing_key(&service).await;
    let unsubscribed = Client::new()
        .post(service.url(&format!(
            "/unsubscribe?token={}",
            unsubscribe_token(&key, "ann@example.com")
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(unsubscribed.status(), StatusCode::OK);

    let smtp = SmtpServer::start_on(port);
    // Every waiting message due now, not after its back-off: what was not dropped is sent
    // before the marker, which is written after it.
    sqlx::query("UPDATE outbox SET next_attempt_at = 0 WHERE sent_at IS NULL")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    marker(&service, &smtp, "drop").await;
    let to_ann = messages_to(&smtp, "ann@example.com");
    assert!(to_ann.is_empty(), "sent after the unsubscribe: {to_ann:?}");
}

/// At most one confirmation mail an hour per address, whatever the case of the address; none
/// to an address that unsubscribed.
#[tokio::test]
async fn confirmation_mails_are_rate_limited_and_never_sent_after_an_unsubscribe() {
    let smtp = SmtpServer::start();
    let args = mail_args(smtp.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start(&args);
    rate_limited(&[&service], &smtp).await;

    let key = signing_key(&service).await;
    let unsubscribed = Client::new()
        .post(service.url(&format!(
            "/unsubscribe?token={}",
            unsubscribe_token(&key, "yan@example.com")
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(unsubscribed.status(), StatusCode::OK);
    comment(
        &service,
        "limit-yan",
        &with_notify(body("Yan", "Yan@example.com", "Yan unsubscribed before")),
    )
    .await;
    marker(&service, &smtp, "limit-yan").await;
    assert_eq!(messages_to(&smtp, "yan@example.com").len(), 0);
}

/// Ten comments with the box ticked, at once, over the given instances, from one address in
/// three spellings: one confirmation mail.
async fn rate_limited(services: &[&Service], smtp: &SmtpServer) {
    let spellings = ["zoe@example.com", "Zoe@Example.com", "ZOE@EXAMPLE.COM"];
    let posts = (0..10).map(|n| {
        let service = services[n % services.len()];
        let (url, key) = (service.comments_url(), format!("limit-{n}"));
        let body = with_notify(body("Zoe", spellings[n % 3], &format!("Zoe's comment {n}")));
        tokio::spawn(async move {
            Client::new()
                .post(url)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .body(body.to_string())
                .send()
                .await
                .unwrap()
                .status()
        })
    });
    for status in futures_join(posts).await {
        assert_eq!(status, StatusCode::CREATED);
    }
    marker(services[0], smtp, "limit").await;
    // With two instances, each worker sends what it claimed in its own order: the marker's
    // arriving first says nothing of the other's. Every row of the outbox handled does.
    outbox_drained(services[0]).await;
    let to_zoe = messages_to(smtp, "zoe@example.com");
    assert_eq!(to_zoe.len(), 1, "one confirmation mail: {to_zoe:?}");
    assert!(to_zoe[0].contains("Subject: Confirm your email address"));
}

/// Confirmation links carry their issue time under the signature: one older than a week is
/// refused as expired, a changed or forged one as not valid, in plain words, and neither
/// confirms anything.
#[tokio::test]
async fn expired_and_forged_confirmation_links_are_refused() {
    let smtp = SmtpServer::start();
    let args = mail_args(smtp.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start(&args);
    let key = signing_key(&service).await;
    let now = now_ms() / 1000;
    let day = 86_400;
    let url = |token: &str| service.url(&format!("/notifications/confirm?token={token}"));

    let fresh = confirmation_token(&key, "old@example.com", now - 6 * day);
    let (status, text) = get_page(&url(&fresh)).await;
    assert_eq!(status, StatusCode::OK, "six days old still works: {text}");

    let expired = confirmation_token(&key, "old@example.com", now - 8 * day);
    for (status, text) in [
        get_page(&url(&expired)).await,
        press_confirm(&service, &expired).await,
    ] {
        assert_eq!(status, StatusCode::GONE, "{text}");
        assert!(text.contains("This link has expired"), "{text}");
        assert!(!text.contains("<form"), "{text}");
    }

    let (address, rest) = expired.split_once('.').unwrap();
    let (_, signature) = rest.split_once('.').unwrap();
    let other: String = "eve@example.com"
        .bytes()
        .map(|b| format!("{b:02x}"))
        .collect();
    let forged = [
        // The expired link made young again.
        format!("{address}.{now}.{signature}"),
        // Another address under this signature.
        format!("{other}.{}.{signature}", now - 6 * day),
        // A signature of our own, from another kind of link.
        format!(
            "{address}.{now}.{}",
            unsubscribe_token(&key, "old@example.com")
                .split_once('.')
                .unwrap()
                .1
        ),
        // Signed with another key.
        confirmation_token(b"not the service's key", "old@example.com", now),
        // Issued in the future, to last longer.
        confirmation_token(&key, "old@example.com", now + 30 * day),
        "nonsense".to_owned(),
        String::new(),
    ];
    for token in &forged {
        for (status, text) in [
            get_page(&url(token)).await,
            press_confirm(&service, token).await,
        ] {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{token}: {text}");
            assert!(text.contains("This link is not valid"), "{text}");
        }
    }

    let pool = service.database_pool().await;
    let confirmed: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM confirmed_addresses")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(confirmed, 0, "nothing confirmed");
    pool.close().await;
}

/// The mail server is down while a comment is held, and the service restarts: the message
/// waits in the outbox and is sent once, when both are back.
#[tokio::test]
async fn the_outbox_survives_a_mail_server_outage_and_a_restart() {
    let port = free_port();
    let args = mail_args(port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut service = Service::start(&args);
    let (status, _, answer) = post(
        &service,
        "o1",
        &body("Dan", "dan@example.com", "Held while mail is down"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let held = format!("held:{}", answer["comment"]["id"].as_str().unwrap());
    // The worker tried, and failed.
    let pool = service.database_pool().await;
    for _ in 0..200 {
        let attempts: Option<i64> = sqlx::query_scalar("SELECT attempts FROM outbox WHERE id = ?")
            .bind(&held)
            .fetch_optional(&pool)
            .await
            .unwrap();
        if attempts.unwrap_or(0) >= 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    pool.close().await;
    service.restart(&args);
    let smtp = SmtpServer::start_on(port);
    // Retries back off from 1 s here (`--mail-retry-seconds`): wait for them.
    let messages = {
        let mut messages = Vec::new();
        for _ in 0..80 {
            messages = smtp.messages();
            if !messages.is_empty() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        messages
    };
    assert_eq!(
        messages.len(),
        1,
        "sent once, after the outage and the restart"
    );
    assert!(messages[0].contains("Held while mail is down"));
    marker(&service, &smtp, "outage").await;
    assert_eq!(
        smtp.messages()
            .iter()
            .filter(|m| m.contains("Held while mail is down"))
            .count(),
        1,
        "and not again"
    );
}

/// With a digest interval, moderators get one message for all the comments held since the
/// last one, not one each. The comments wait while the service has no mail worker, so the
/// first digest finds all three whatever the timing.
#[tokio::test]
async fn moderators_can_have_a_digest_instead() {
    let smtp = SmtpServer::start();
    let mut service = Service::start(&["--flood-seconds", "0"]);
    for n in 0..3 {
        comment(
            &service,
            &format!("digest-{n}"),
            &body(
                "Fay",
                &format!("fay{n}@example.com"),
                &format!("Held for the digest {n}"),
            ),
        )
        .await;
    }
    let mut args = mail_args(smtp.port);
    args.extend(["--moderator-digest-minutes".to_owned(), "0.01".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    service.restart(&args);

    let digest = wait_for_text(&smtp, "Held for the digest").await;
    assert!(
        digest.contains("Subject: 3 comments await moderation"),
        "{digest}"
    );
    for n in 0..3 {
        assert!(
            digest.contains(&format!("Held for the digest {n}")),
            "{digest}"
        );
    }
    // A later comment comes in the next digest, alone: the first three are not told again.
    comment(
        &service,
        "digest-later",
        &body("Gus", "gus@example.com", "Held for the next digest"),
    )
    .await;
    let next = wait_for_text(&smtp, "Held for the next digest").await;
    assert!(
        next.contains("Subject: 1 comment awaits moderation"),
        "{next}"
    );
    assert!(!next.contains("Held for the digest"), "{next}");
    assert_eq!(smtp.messages().len(), 2, "{:?}", smtp.messages());
}

/// The PostgreSQL tests of this suite share one database: one at a time.
static POSTGRES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Two instances on one PostgreSQL database, both with a mail worker.
#[tokio::test]
async fn two_instances_on_postgres_send_each_message_once() {
    let Some(url) = postgres_url() else { return };
    let _alone = POSTGRES.lock().await;
    empty_postgres(&url).await;
    two_instances_send_each_message_once(&url).await;
    empty_postgres(&url).await;
    println!("the outbox of two instances tested on postgres");
}

/// Two instances on one PostgreSQL database, both with a mail worker: each held comment's
/// message reaches the mail server once.
async fn two_instances_send_each_message_once(url: &str) {
    let smtp = SmtpServer::start();
    let args = mail_args(smtp.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let first = Service::start_on(Some(url), &args);
    let second = Service::start_on(Some(url), &args);
    for n in 0..12 {
        let service = if n % 2 == 0 { &first } else { &second };
        let (status, _, _) = post(
            service,
            &format!("twice-{n}"),
            &body(
                "Eve",
                &format!("eve{n}@example.com"),
                &format!("Held comment {n}"),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    smtp.wait_for(12).await;
    // Every row handled (marked sent by the worker that claimed it): nothing more can go out,
    // so a message sent twice would be counted now.
    outbox_drained(&first).await;
    let messages = smtp.messages();
    assert_eq!(
        messages.len(),
        12,
        "each message once, by one of the two workers"
    );
    for n in 0..12 {
        let subject = format!("Held comment {n}");
        assert_eq!(
            messages
                .iter()
                .filter(|m| quoted_printable(m).contains(&format!("{subject}\n")))
                .count(),
            1,
            "{subject}"
        );
    }
}

/// The rate limit holds on PostgreSQL, with concurrent posts through two instances (its one
/// conditional statement per address); the migration runs there unchanged.
#[tokio::test]
async fn confirmation_mails_are_rate_limited_across_instances_on_postgres() {
    let Some(url) = postgres_url() else { return };
    let _alone = POSTGRES.lock().await;
    empty_postgres_with_confirmations(&url).await;
    {
        let smtp = SmtpServer::start();
        let args = mail_args(smtp.port);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let first = Service::start_on(Some(&url), &args);
        let second = Service::start_on(Some(&url), &args);
        rate_limited(&[&first, &second], &smtp).await;
    }
    empty_postgres_with_confirmations(&url).await;
    println!("the confirmation rate limit tested on postgres");
}

/// `empty_postgres`, and the tables of migration 0009.
async fn empty_postgres_with_confirmations(url: &str) {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    pool.execute("DROP TABLE IF EXISTS confirmed_addresses, confirmation_mails")
        .await
        .unwrap();
    pool.close().await;
    empty_postgres(url).await;
}

/// A bad link and a database that does not answer are pages a browser shows, in words: a
/// forged or cut unsubscribe token is 400 "This link is not valid" (GET and the button's
/// POST), and without the database every link's page is 503, HTML, never JSON.
#[tokio::test]
async fn link_errors_are_html_pages() {
    let service = Service::start(&[]);
    let client = Client::new();
    let refusal = |response: reqwest::Response, status: StatusCode, words: &'static str| async move {
        assert_eq!(response.status(), status, "{}", response.url());
        assert_eq!(response.headers()["cache-control"], "no-store");
        let (_, text) = page(response).await;
        assert!(text.starts_with("<!doctype html>"), "{text}");
        assert!(text.contains(words), "{words}: {text}");
        assert!(!text.contains("{\"error\""), "{text}");
        text
    };
    for token in ["nonsense", "61.00", "%3Cb%3E.00"] {
        let url = service.url(&format!("/unsubscribe?token={token}"));
        let shown = client.get(&url).send().await.unwrap();
        let text = refusal(
            shown,
            StatusCode::BAD_REQUEST,
            "<h1>This link is not valid</h1>",
        )
        .await;
        assert!(text.contains("Open the link in the email again"), "{text}");
        assert!(!text.contains("<b>"), "{text}");
        let pressed = client.post(&url).send().await.unwrap();
        refusal(
            pressed,
            StatusCode::BAD_REQUEST,
            "<h1>This link is not valid</h1>",
        )
        .await;
    }

    // The database stops answering (its table of secrets gone) before a fresh service read
    // its key: 503, as a page.
    let service = Service::start(&[]);
    let pool = service.database_pool().await;
    sqlx::query("DROP TABLE service_secrets")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    for request in [
        client.get(service.url("/unsubscribe?token=61.00")),
        client.post(service.url("/unsubscribe?token=61.00")),
        client.get(service.url("/notifications/confirm?token=61.1.00")),
        client
            .post(service.url("/notifications/confirm"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body("token=61.1.00"),
    ] {
        let response = request.send().await.unwrap();
        refusal(
            response,
            StatusCode::SERVICE_UNAVAILABLE,
            "This page is unavailable right now.",
        )
        .await;
    }
}
