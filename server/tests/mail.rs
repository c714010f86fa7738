//! Notifications through a real SMTP server: moderators, replies, unsubscribe, outages,
//! restarts and the digest.

mod common;

use common::*;

use reqwest::{Client, StatusCode};
use serde_json::json;

/// Moderators hear of a held comment; a commenter who asked hears of an approved reply, with
/// a one-click unsubscribe that works; after it, nothing more.
#[tokio::test]
async fn notifications_reach_moderators_and_commenters_and_stop_on_unsubscribe() {
    let smtp = SmtpServer::start();
    let args = mail_args(smtp.port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start(&args);

    let (status, _, answer) = post(
        &service,
        "n1",
        &with_notify(body(
            "Ann",
            "ann@example.com",
            "A first comment, tell me of replies",
        )),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let parent = answer["comment"]["id"].as_str().unwrap().to_owned();
    let held = smtp.wait_for(1).await;
    assert_eq!(held.len(), 1, "the moderators are told");
    assert!(held[0].contains("To: desk@news.example"), "{}", held[0]);
    assert!(held[0].contains("A comment awaits moderation"));
    assert!(quoted_printable(&held[0]).contains("https://news.example/moderate"));
    assert_eq!(service.moderate(&["approve", &parent]).0, 0);

    // A reply, approved by a moderator: Ann hears of it.
    let mut reply = body("Bob", "bob@example.com", "An answer to Ann");
    reply["parent"] = json!(parent);
    let (_, _, answer) = post(&service, "n2", &reply).await;
    let reply_id = answer["comment"]["id"].as_str().unwrap().to_owned();
    assert_eq!(service.moderate(&["approve", &reply_id]).0, 0);
    let messages = smtp.wait_for(3).await;
    let to_ann: Vec<&String> = messages
        .iter()
        .filter(|m| m.contains("To: ann@example.com"))
        .collect();
    assert_eq!(to_ann.len(), 1, "one message to Ann: {messages:?}");
    let message = to_ann[0];
    assert!(message.contains("Subject: A reply to your comment"));
    let text = quoted_printable(message.split_once("\n\n").unwrap().1);
    assert!(
        text.contains("Bob replied to your comment on “Russia and Iran"),
        "{text}"
    );
    assert!(text.contains(&format!(
        "https://news.example/read/{ARTICLE}#comment-{reply_id}"
    )));
    assert!(message.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    let link = message
        .lines()
        .find(|l| l.starts_with("List-Unsubscribe: <"))
        .unwrap()
        .trim_start_matches("List-Unsubscribe: <")
        .trim_end_matches('>')
        .to_owned();
    assert!(link.starts_with("https://news.example/unsubscribe?token="));

    // One click, as a mail client sends it (RFC 8058), to this service.
    let path = &link["https://news.example".len()..];
    let clicked = Client::new()
        .post(service.url(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("List-Unsubscribe=One-Click")
        .send()
        .await
        .unwrap();
    assert_eq!(clicked.status(), StatusCode::OK);
    let forged = Client::new()
        .post(service.url(&path.replace("token=", "token=00")))
        .send()
        .await
        .unwrap();
    assert_eq!(
        forged.status(),
        StatusCode::BAD_REQUEST,
        "a token must be ours"
    );

    // Another approved reply: nothing more for Ann.
    let mut again = body("Cleo", "cleo@example.com", "Another answer to Ann");
    again["parent"] = json!(parent);
    let (_, _, answer) = post(&service, "n3", &again).await;
    let again_id = answer["comment"]["id"].as_str().unwrap().to_owned();
    let before = smtp.wait_for(4).await.len(); // Cleo's held comment tells the moderators
    assert_eq!(service.moderate(&["approve", &again_id]).0, 0);
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let after = smtp.messages();
    assert_eq!(
        after.len(),
        before,
        "unsubscribed: no message about Cleo's reply"
    );
    assert_eq!(
        after
            .iter()
            .filter(|m| m.contains("To: ann@example.com"))
            .count(),
        1
    );
}

/// The mail server is down while a comment is held, and the service restarts: the message
/// waits in the outbox and is sent once, when both are back.
#[tokio::test]
async fn the_outbox_survives_a_mail_server_outage_and_a_restart() {
    let port = free_port();
    let args = mail_args(port);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut service = Service::start(&args);
    let (status, _, _) = post(
        &service,
        "o1",
        &body("Dan", "dan@example.com", "Held while mail is down"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    tokio::time::sleep(std::time::Duration::from_millis(600)).await; // a few failed attempts
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
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(smtp.messages().len(), 1, "and not again");
}

/// With a digest interval, moderators get one message for all the comments held since the
/// last one, not one each.
#[tokio::test]
async fn moderators_can_have_a_digest_instead() {
    let smtp = SmtpServer::start();
    let mut args = mail_args(smtp.port);
    args.extend(["--moderator-digest-minutes".to_owned(), "0.03".to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start(&args);
    for n in 0..3 {
        let (status, _, _) = post(
            &service,
            &format!("digest-{n}"),
            &body(
                "Fay",
                &format!("fay{n}@example.com"),
                &format!("Held for the digest {n}"),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let messages = smtp.wait_for(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(
        smtp.messages().len(),
        1,
        "one digest, and none after it: {messages:?}"
    );
    let digest = quoted_printable(&smtp.messages()[0]);
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
}

/// Two instances on one PostgreSQL database, both with a mail worker.
#[tokio::test]
async fn two_instances_on_postgres_send_each_message_once() {
    let Some(url) = postgres_url() else { return };
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
    let messages = smtp.wait_for(12).await;
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    let messages = if smtp.messages().len() > messages.len() {
        smtp.messages()
    } else {
        messages
    };
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
