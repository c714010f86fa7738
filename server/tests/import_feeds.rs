//! Imports from WordPress's and Disqus's exports, and the Atom feeds.

mod common;

use common::*;

use reqwest::{Client, StatusCode};

/// Imports from WordPress's export and Disqus's (fixtures written by hand in their shapes):
/// threads, statuses, dates and text kept, articles matched through a map, what is not a
/// comment refused with its reason, progress and a summary, and a second run adding nothing.
#[tokio::test]
async fn imports_keep_threads_and_statuses_and_add_nothing_twice() {
    let service = Service::start(&[]);
    let map = service.dir_path.join("map.txt");
    std::fs::write(
        &map,
        "# WordPress slug, article id\ntreaty russia-iran-treaty\n",
    )
    .unwrap();
    let map = map.display().to_string();
    let wordpress = [
        "wordpress",
        "server/tests/fixtures/wordpress-export.xml",
        "--map",
        &map,
        "--articles",
        "static/articles",
    ];
    let (code, said, progress) = import(&service, &wordpress);
    assert_eq!(code, 0, "{said}{progress}");
    assert!(
        said.starts_with("Imported 6 comments; 0 were there already; 2 refused."),
        "{said}"
    );
    assert!(
        said.contains("comment 17 on post 6: a pingback, not a comment"),
        "{said}"
    );
    assert!(said.contains("no article elsewhere"), "{said}");
    assert!(progress.contains("6 of 6 comments"), "{progress}");

    let thread = thread_of(&service, ARTICLE).await;
    let by_id = |id: &str| thread.iter().find(|c| c["id"] == id).cloned().unwrap();
    assert_eq!(thread.len(), 3, "the approved ones are public");
    let first = by_id("wp-6-11");
    assert_eq!(
        first["content"],
        "A treaty & a long road.\n\nSecond paragraph."
    );
    assert_eq!(first["published"], "2025-01-17T20:05:00Z", "the GMT date");
    assert_eq!(first["website"], "https://olga.example");
    assert_eq!(by_id("wp-6-12")["parent"], "wp-6-11");
    assert_eq!(by_id("wp-6-13")["parent"], "wp-6-12");
    let (_, spam) = service.moderate(&["list", "--status", "spam"]);
    assert!(spam.contains("wp-6-15"), "{spam}");
    let (_, held) = service.moderate(&["list", "--status", "pending"]);
    assert!(
        held.contains("wp-6-14") && held.contains("wait@example.com"),
        "{held}"
    );
    let (_, rejected) = service.moderate(&["list", "--status", "rejected"]);
    assert!(rejected.contains("wp-6-16"), "{rejected}");

    let (code, said, _) = import(&service, &wordpress);
    assert_eq!(code, 0);
    assert!(
        said.starts_with("Imported 0 comments; 6 were there already; 2 refused."),
        "again: {said}"
    );
    assert_eq!(thread_of(&service, ARTICLE).await.len(), 3);

    let (code, said, _) = import(
        &service,
        &["disqus", "server/tests/fixtures/disqus-export.xml"],
    );
    assert_eq!(code, 0, "{said}");
    assert!(
        said.starts_with("Imported 3 comments; 0 were there already; 1 refused."),
        "{said}"
    );
    assert!(said.contains("post 9004: deleted"), "{said}");
    let explainer = thread_of(&service, "russia-iran-explainer").await;
    assert_eq!(explainer.len(), 2, "the spam post is kept, not shown");
    let reply = explainer.iter().find(|c| c["id"] == "disqus-9002").unwrap();
    assert_eq!(reply["parent"], "disqus-9001");
    let nadia = explainer.iter().find(|c| c["id"] == "disqus-9001").unwrap();
    assert_eq!(nadia["content"], "Clear explainer — thank you.");

    let (code, said, _) = import(
        &service,
        &["wordpress", "server/tests/fixtures/disqus-export.xml"],
    );
    assert_eq!(code, 2, "the wrong kind of file is said so: {said}");
}

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
