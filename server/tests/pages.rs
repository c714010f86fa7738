//! What the service serves besides the API: files (precompressed, validated), prerendered
//! fragments and reading pages, the renderer on the command line, and the plain form that
//! posts without JavaScript.

mod common;

use common::*;
use std::process::Command;

use reqwest::{Client, StatusCode};

/// The widget's files go out as a CDN would send them: the build's brotli or gzip variant when
/// the browser accepts it, a validator, a cache lifetime, and 304 for a matching revalidation.
#[tokio::test]
async fn files_are_sent_precompressed_with_validators_and_lifetimes() {
    let site = tempfile::tempdir().unwrap();
    let script = "console.log('the widget');\n".repeat(200);
    std::fs::write(site.path().join("article-widget.js"), &script).unwrap();
    // Stand-ins for what scripts/precompress.mjs writes: the service only picks the file.
    std::fs::write(site.path().join("article-widget.js.br"), b"brotli bytes").unwrap();
    std::fs::write(site.path().join("article-widget.js.gz"), b"gzip bytes").unwrap();
    let service = Service::start(&["--site", site.path().to_str().unwrap()]);
    let client = Client::new();
    let get = |encoding: &'static str, if_none_match: Option<String>| {
        let mut request = client
            .get(service.url("/article-widget.js"))
            .header("Accept-Encoding", encoding);
        if let Some(tag) = if_none_match {
            request = request.header("If-None-Match", tag);
        }
        request.send()
    };
    let brotli = get("gzip, deflate, br", None).await.unwrap();
    assert_eq!(brotli.status(), StatusCode::OK);
    let header = |response: &reqwest::Response, name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(header(&brotli, "content-encoding").as_deref(), Some("br"));
    let vary: Vec<String> = brotli
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_lowercase())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("accept-encoding")),
        "{vary:?}"
    );
    assert_eq!(
        header(&brotli, "cache-control").as_deref(),
        Some("public, max-age=300, stale-while-revalidate=86400")
    );
    let brotli_tag = header(&brotli, "etag").expect("a validator");
    assert_eq!(brotli.bytes().await.unwrap().as_ref(), b"brotli bytes");

    let gzip = get("gzip", None).await.unwrap();
    assert_eq!(header(&gzip, "content-encoding").as_deref(), Some("gzip"));
    let plain = get("identity", None).await.unwrap();
    assert_eq!(header(&plain, "content-encoding"), None);
    let plain_tag = header(&plain, "etag").unwrap();
    assert_ne!(plain_tag, brotli_tag, "each representation has its own tag");
    assert_eq!(plain.text().await.unwrap(), script);

    let revalidated = get("gzip, deflate, br", Some(brotli_tag.clone()))
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header(&revalidated, "etag"), Some(brotli_tag));
    assert!(revalidated.bytes().await.unwrap().is_empty());
    let changed = get("gzip, deflate, br", Some("W/\"0-0-br\"".into()))
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
}

/// Articles and the API's JSON, which no build precompresses, are compressed on the fly.
#[tokio::test]
async fn json_is_compressed_on_the_fly() {
    let service = Service::start(&[]);
    let response = Client::new()
        .get(service.url("/articles/russia-iran-treaty.json"))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    assert!(response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age=60"));
    let compressed = response.bytes().await.unwrap();
    let original =
        std::fs::read(repo_root().join("static/articles/russia-iran-treaty.json")).unwrap();
    assert!(
        compressed.len() < original.len() / 2,
        "{} of {} bytes",
        compressed.len(),
        original.len()
    );
}

/// The article from the server: the prerendered fragment for server-side includes, with its
/// validator and lifetime, and a whole reading page.
#[tokio::test]
async fn articles_are_prerendered_for_includes_and_reading_pages() {
    let service = Service::start(&[]);
    let client = Client::new();
    let fragment = client
        .get(service.url("/prerendered/russia-iran-treaty.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(fragment.status(), StatusCode::OK);
    assert_eq!(
        fragment.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert!(fragment.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("max-age=60"));
    let tag = fragment.headers()["etag"].to_str().unwrap().to_owned();
    let html = fragment.text().await.unwrap();
    assert!(html.starts_with("<link rel=\"preload\" as=\"image\""));
    assert!(html.contains("<article-widget src=\"/articles/russia-iran-treaty.json\""));
    assert!(html.contains("<template shadowrootmode=\"open\">"));
    assert!(html.contains("Russia and Iran sign a cooperation treaty in the Kremlin"));
    assert!(html.contains("<script type=\"application/ld+json\">"));

    let again = client
        .get(service.url("/prerendered/russia-iran-treaty.html"))
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    let german = client
        .get(service.url("/prerendered/russia-iran-treaty.html?lang=de"))
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(german.status(), StatusCode::OK, "other options, other tag");
    assert!(german.text().await.unwrap().contains("Lesezeit"));

    let page = client
        .get(service.url("/read/iran-russia-treaty-fa"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.starts_with("<!doctype html><html lang=\"fa\">"));
    assert!(page.contains("src=\"/article-widget.js\""));
    for missing in [
        "/prerendered/no-such-article.html",
        "/read/..%2Fetc%2Fpasswd",
    ] {
        let response = client.get(service.url(missing)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
    }
}

#[test]
fn render_prints_the_fragment_for_static_builds() {
    let output = Command::new(BINARY)
        .current_dir(repo_root())
        .args([
            "render",
            "static/articles/russia-iran-explainer.json",
            "--src",
            "https://news.example/articles/russia-iran-explainer.json",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let html = String::from_utf8(output.stdout).unwrap();
    assert!(html.contains(
        "<article-widget src=\"https://news.example/articles/russia-iran-explainer.json\""
    ));
    assert!(
        html.contains("https://news.example/images/"),
        "relative links resolved against --src"
    );
    let failed = Command::new(BINARY)
        .args(["render", "/nonexistent/article.json"])
        .output()
        .unwrap();
    assert_eq!(failed.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&failed.stderr).contains("cannot read"));
}

/// A comment posted without JavaScript, as WordPress's form posts it: the prerendered form
/// sends urlencoded fields; the reader comes back to the page (303), which shows their held
/// comment to them alone; a refused form comes back with the errors and the text typed.
#[tokio::test]
async fn comments_post_without_javascript() {
    let service = Service::start(&["--flood-seconds", "0"]);
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(service.url("/read/russia-iran-treaty"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("method=\"post\" action=\"/api/articles/russia-iran-treaty/comments\""));
    let host = service.base.trim_start_matches("http://").to_owned();
    let form = |content: &str, email: &str| {
        let rendered_at = (now_ms() - 10_000).to_string();
        serde_urlencoded::to_string([
            ("content", content),
            ("author", "Nora"),
            ("email", email),
            ("website", ""),
            ("homepage", ""),
            ("rendered_at", rendered_at.as_str()),
            ("parent", ""),
        ])
        .unwrap()
    };
    let post = |body: String| {
        client
            .post(service.comments_url())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Referer", format!("http://{host}/read/russia-iran-treaty"))
            .body(body)
            .send()
    };

    let accepted = post(form("Posted without a script", "nora@example.com"))
        .await
        .unwrap();
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let location = accepted.headers()["location"].to_str().unwrap().to_owned();
    let (page, comment) = location.split_once('#').unwrap();
    assert_eq!(page, "/read/russia-iran-treaty");
    assert!(
        comment.starts_with("comment-") && comment.len() > "comment-".len(),
        "back at the comment itself: {location}"
    );
    let cookie = accepted.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap().to_owned();

    // The same form again (a double click, a reload): the same answer, one comment.
    let again = post(form("Posted without a script", "nora@example.com"))
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let (_, listed) = service.moderate(&["list", "--status", "pending"]);
    assert_eq!(
        listed.matches("Posted without a script").count(),
        1,
        "{listed}"
    );

    // Held for moderation: shown to this browser (its cookie), not to others.
    let mine = client
        .get(service.url("/read/russia-iran-treaty"))
        .header("Cookie", &pair)
        .send()
        .await
        .unwrap();
    assert_eq!(mine.headers()["cache-control"], "private, no-cache");
    let mine = mine.text().await.unwrap();
    assert!(mine.contains("Posted without a script"));
    assert!(mine.contains("Your comment is awaiting moderation."));
    let theirs = client
        .get(service.url("/read/russia-iran-treaty"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!theirs.contains("Posted without a script"));

    // Refused: the page again, with the errors and what was typed.
    let refused = post(form("My words, kept", "nora@")).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        refused.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    let refused = refused.text().await.unwrap();
    assert!(refused.contains("There is a problem"));
    assert!(refused.contains("Enter an email address in the correct format"));
    assert!(refused.contains("My words, kept"));
    assert!(refused.contains("value=\"nora@\""));

    // An approved comment changes the fragment's tag (and shows in it). (A second later:
    // `Last-Modified` is sent once the second of the last change is over.)
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let before = client
        .get(service.url("/prerendered/russia-iran-treaty.html"))
        .send()
        .await
        .unwrap();
    let tag = before.headers()["etag"].to_str().unwrap().to_owned();
    let modified = before.headers()["last-modified"]
        .to_str()
        .unwrap()
        .to_owned();
    let since = |date: &str| {
        client
            .get(service.url("/prerendered/russia-iran-treaty.html"))
            .header("If-Modified-Since", date)
            .send()
    };
    assert_eq!(
        since(&modified).await.unwrap().status(),
        StatusCode::NOT_MODIFIED,
        "Last-Modified revalidates as well as the tag"
    );
    let id = listed.split_whitespace().next().unwrap().to_owned();
    assert_eq!(service.moderate(&["approve", &id]).0, 0);
    let changed = since(&modified).await.unwrap();
    assert_eq!(changed.status(), StatusCode::OK, "approved: modified since");
    // (No `Last-Modified` while the second of the approval lasts; a later one after it.)
    if let Some(date) = changed.headers().get("last-modified") {
        assert!(
            httpdate::parse_http_date(date.to_str().unwrap()).unwrap()
                > httpdate::parse_http_date(&modified).unwrap()
        );
    }
    let after = client
        .get(service.url("/prerendered/russia-iran-treaty.html"))
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK, "a new tag once approved");
    assert!(after
        .text()
        .await
        .unwrap()
        .contains("Posted without a script"));
}
