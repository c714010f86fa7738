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
