//! The Atom feeds of approved comments.

mod common;

use common::*;
use reqwest::{Client, StatusCode};

/// Atom feeds of approved comments, one article's and the site's: well-formed XML, the text
/// as text, no email, held comments absent, links to each comment, revalidation.
#[tokio::test]
async fn comment_feeds_are_atom() {
    let service = Service::start(&[
        "--moderation",
        "approve-all",
        "--flood-seconds",
        "0",
        "--public-url",
        "https://news.example/",
    ]);
    let (_, _, answer) = post(
        &service,
        "f1",
        &body(
            "Ann <b>",
            "ann@example.com",
            "Feeds & <script>x()</script>\nsecond line",
        ),
    )
    .await;
    let id = answer["comment"]["id"].as_str().unwrap().to_owned();
    let client = Client::new();
    let feed = client
        .get(service.url(&format!("/feeds/{ARTICLE}.atom")))
        .send()
        .await
        .unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert_eq!(
        feed.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let tag = feed.headers()["etag"].to_str().unwrap().to_owned();
    let text = feed.text().await.unwrap();
    // Well-formed: every element closes, and the text comes back as it was written.
    let mut reader = quick_xml::Reader::from_str(&text);
    let mut contents = Vec::new();
    let mut in_content = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) => in_content = e.name().as_ref() == b"content",
            quick_xml::events::Event::Text(t) if in_content => {
                contents.push(t.unescape().unwrap().into_owned())
            }
            quick_xml::events::Event::End(_) => in_content = false,
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(contents, ["Feeds & <script>x()</script>\nsecond line"]);
    assert!(text.contains("<name>Ann &lt;b&gt;</name>"));
    assert!(text.contains(&format!("https://news.example/read/{ARTICLE}#comment-{id}")));
    assert!(!text.contains("ann@example.com"), "never an email");
    let again = client
        .get(service.url(&format!("/feeds/{ARTICLE}.atom")))
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let site = client
        .get(service.url("/feeds/comments.atom"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(site.contains("<title>Comments</title>") && site.contains(&id));
    let closed = client
        .get(service.url("/feeds/iran-russia-treaty-fa.atom"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        closed.status(),
        StatusCode::NOT_FOUND,
        "comments closed: no feed"
    );
}

/// With moderation on: held comments never reach a feed, a feed holds the 50 newest, newest
/// first, and it may be cached for five minutes.
#[tokio::test]
async fn feeds_leave_held_comments_out_and_hold_the_fifty_newest() {
    let service = Service::start(&["--flood-seconds", "0"]);
    let (_, _, first) = post(&service, "n0", &body("Ann", "ann@example.com", "Entry 0.")).await;
    assert_eq!(first["comment"]["status"], "pending");
    let (code, said) = service.moderate(&["approve", first["comment"]["id"].as_str().unwrap()]);
    assert_eq!(code, 0, "{said}");
    for n in 1..55 {
        let (_, _, answer) = post(
            &service,
            &format!("n{n}"),
            &body("Ann", "ann@example.com", &format!("Entry {n}.")),
        )
        .await;
        assert_eq!(answer["comment"]["status"], "approved", "{answer}");
    }
    let (_, _, held) = post(
        &service,
        "held",
        &body("Bob", "bob@example.com", "Held text."),
    )
    .await;
    assert_eq!(held["comment"]["status"], "pending");
    for path in [
        format!("/feeds/{ARTICLE}.atom"),
        "/feeds/comments.atom".to_owned(),
    ] {
        let feed = Client::new().get(service.url(&path)).send().await.unwrap();
        assert_eq!(
            feed.headers()["cache-control"],
            "public, max-age=300, stale-while-revalidate=3600",
            "{path}"
        );
        let text = feed.text().await.unwrap();
        assert!(!text.contains("Held text."), "{path}: no held comment");
        let entries: Vec<&str> = text.split("<entry>").skip(1).collect();
        assert_eq!(entries.len(), 50, "{path}");
        assert!(entries[0].contains("Entry 54."), "{path}: newest first");
        assert!(entries[49].contains("Entry 5."), "{path}: the fifty newest");
        assert!(!text.contains("Entry 4."), "{path}");
    }
}
