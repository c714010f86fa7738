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
    // A fragment is included on other hosts: it names the service by `--public-url`.
    assert!(html.contains(
        "<article-widget src=\"http://127.0.0.1:8787/articles/russia-iran-treaty.json\""
    ));
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

/// A request sent byte for byte as written (a client library would normalise `..`, `\` and
/// percent-escapes away before sending): the status and the headers, lower-cased names.
async fn raw_get(service: &Service, target: &str) -> (u16, Vec<(String, String)>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let authority = service.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let request =
        format!("GET {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    let head = answer.split("\r\n\r\n").next().unwrap_or_default();
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status line for {target}: {answer}"));
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    (status, headers)
}

/// True when a browser on `page` would read `location` as an address on the same host.
fn stays_on_host(page: &str, location: &str) -> bool {
    let base = url::Url::parse(page).unwrap();
    base.join(location)
        .is_ok_and(|target| target.origin() == base.origin())
}

/// Only regular files under the site folder leave the service: no symlink out of it, no
/// dotfile, no compressed variant without its plain file, nothing for an over-long address,
/// and no redirect that a browser reads as another host.
#[tokio::test]
async fn files_come_only_from_inside_the_site_folder() {
    let outer = tempfile::tempdir().unwrap();
    let site = outer.path().join("site");
    std::fs::create_dir_all(site.join("static")).unwrap();
    std::fs::create_dir_all(site.join(".git")).unwrap();
    let secret = outer.path().join("secret.txt");
    std::fs::write(&secret, "the secret outside the site").unwrap();
    std::fs::write(site.join("index.html"), "<p>the site's index</p>").unwrap();
    std::fs::write(site.join("static/index.html"), "<p>static's index</p>").unwrap();
    std::fs::write(site.join("inside.txt"), "a file inside").unwrap();
    std::fs::write(site.join(".env"), "DATABASE_PASSWORD=hunter2").unwrap();
    std::fs::write(site.join(".git/config"), "[core]").unwrap();
    std::fs::write(site.join("static/.htpasswd"), "admin:x").unwrap();
    std::fs::write(
        site.join("ghost.txt.gz"),
        "gzip of a file that is not there",
    )
    .unwrap();
    std::fs::write(site.join("plain.js"), "console.log('plain');").unwrap();
    std::os::unix::fs::symlink(&secret, site.join("leak.txt")).unwrap();
    std::os::unix::fs::symlink(outer.path(), site.join("up")).unwrap();
    std::os::unix::fs::symlink(&secret, site.join("plain.js.br")).unwrap();
    std::os::unix::fs::symlink(site.join("inside.txt"), site.join("alias.txt")).unwrap();
    let service = Service::start(&["--site", site.to_str().unwrap()]);
    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let get = |path: &str, encoding: &'static str| {
        client
            .get(service.url(path))
            .header("Accept-Encoding", encoding)
            .send()
    };

    // What is inside is served, a link inside the folder included.
    for (path, text) in [
        ("/", "<p>the site's index</p>"),
        ("/inside.txt", "a file inside"),
        ("/alias.txt", "a file inside"),
        ("/static/", "<p>static's index</p>"),
    ] {
        let response = get(path, "identity").await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(response.text().await.unwrap(), text, "{path}");
    }
    // Links out of the folder, dotfiles, a variant without its file: not found.
    for path in [
        "/leak.txt",
        "/up/secret.txt",
        "/.env",
        "/.git/config",
        "/static/.htpasswd",
        "/%2eenv",
        "/ghost.txt",
    ] {
        let response = get(path, "gzip, br").await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(!response.text().await.unwrap().contains("secret"), "{path}");
    }
    // A compressed variant that links out of the folder is not sent: the plain file is.
    let plain = get("/plain.js", "br").await.unwrap();
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(plain.headers().get("content-encoding"), None);
    assert_eq!(plain.text().await.unwrap(), "console.log('plain');");

    // Traversal as an attacker writes it, byte for byte.
    for target in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/static/..%2f..%2fsecret.txt",
        "/static/..%5c..%5csecret.txt",
        "/static/%2e%2e/%2e%2e/secret.txt",
        "/inside.txt%00.html",
    ] {
        let (status, _) = raw_get(&service, target).await;
        assert_eq!(status, 404, "{target}");
    }

    // An over-long address: 414, not a server error.
    let long = format!("/{}", "a".repeat(65_000));
    assert_eq!(
        get(&long, "identity").await.unwrap().status(),
        StatusCode::URI_TOO_LONG
    );
    let long_segments = format!("/{}", "abcdefg/".repeat(1_200));
    assert_eq!(
        get(&long_segments, "identity").await.unwrap().status(),
        StatusCode::URI_TOO_LONG
    );

    // A folder without its slash is sent to it, on this host, however the path was written.
    for target in ["/static", "//static", "///static"] {
        let (status, headers) = raw_get(&service, target).await;
        assert!((300..400).contains(&status), "{target}: {status}");
        let location = headers
            .iter()
            .find(|(name, _)| name == "location")
            .map(|(_, value)| value.clone())
            .unwrap();
        assert!(!location.starts_with("//"), "{target} → {location}");
        assert!(!location.contains('\\'), "{target} → {location}");
        let page = service.url(target);
        assert!(stays_on_host(&page, &location), "{target} → {location}");
        let followed = url::Url::parse(&page).unwrap().join(&location).unwrap();
        let response = client.get(followed.as_str()).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{target} → {followed}");
        assert_eq!(response.text().await.unwrap(), "<p>static's index</p>");
    }
}

/// The fields of the plain form, as a browser sends them (urlencoded), with `extra` added.
fn plain_form(content: &str, email: &str, extra: &[(&str, &str)]) -> String {
    let rendered_at = (now_ms() - 10_000).to_string();
    let mut fields = vec![
        ("content", content),
        ("author", "Nora"),
        ("email", email),
        ("website", ""),
        ("homepage", ""),
        ("rendered_at", rendered_at.as_str()),
        ("parent", ""),
    ];
    fields.extend_from_slice(extra);
    serde_urlencoded::to_string(fields).unwrap()
}

fn without_redirects() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// After a post without JavaScript the reader goes back to the page they came from on this
/// host, and never to an address a browser reads as another host, however the `Referer`
/// was written.
#[tokio::test]
async fn the_plain_forms_redirect_never_leaves_this_host() {
    let service = Service::start(&["--flood-seconds", "0"]);
    let client = without_redirects();
    let host = service.base.trim_start_matches("http://").to_owned();
    let post = |referer: String, content: String| {
        client
            .post(service.comments_url())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Referer", referer)
            .body(plain_form(&content, "nora@example.com", &[]))
            .send()
    };
    let reading_page = format!("/read/{ARTICLE}");
    let hostile = [
        format!("http://{host}//evil.example/path"),
        format!("http://{host}/\\evil.example/path"),
        format!("http://{host}/..//evil.example/"),
        format!("http://{host}/%2e%2e//evil.example/"),
        format!("http://{host}/\\/evil.example/"),
        format!("http://{host}/read/{ARTICLE}/..//evil.example"),
        format!("http://{host}///evil.example"),
        format!("http://{host}/%5Cevil.example/"),
        "http://evil.example/".to_owned(),
        "//evil.example/".to_owned(),
        "javascript:alert(1)".to_owned(),
    ];
    for (n, referer) in hostile.into_iter().enumerate() {
        let answer = post(referer.clone(), format!("Hostile referer number {n}"))
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{referer}");
        let location = answer.headers()["location"].to_str().unwrap().to_owned();
        let (page, fragment) = location.split_once('#').unwrap();
        assert!(fragment.starts_with("comment-"), "{referer} → {location}");
        assert!(
            stays_on_host(&service.url("/api/articles/a/comments"), &location),
            "{referer} → {location}"
        );
        assert!(
            page.starts_with('/') && !page.starts_with("//") && !page.contains('\\'),
            "{referer} → {location}"
        );
        // An odd referer is not repaired: the reader gets the article.
        assert_eq!(page, reading_page, "{referer} → {location}");
    }
    // An ordinary page of this service keeps its path and query.
    let answer = post(
        format!("http://{host}/read/{ARTICLE}?lang=de#comments"),
        "From a plain reading page".to_owned(),
    )
    .await
    .unwrap();
    let location = answer.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("/read/{ARTICLE}?lang=de#comment-")),
        "{location}"
    );
}

/// Flood control without JavaScript: the second post within the window is answered with the
/// reading page again, the form holding what the reader typed, and a message to wait.
#[tokio::test]
async fn a_plain_form_posted_too_soon_keeps_the_readers_text() {
    let service = Service::start(&[]);
    let client = without_redirects();
    let post = |content: &str| {
        client
            .post(service.comments_url())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(plain_form(content, "nora@example.com", &[]))
            .send()
    };
    let first = post("The first thought").await.unwrap();
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let second = post("A second thought, typed <with care> & kept")
        .await
        .unwrap();
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(second.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(second.headers()["cache-control"], "no-store");
    let page = second.text().await.unwrap();
    assert!(page.starts_with("<!doctype html>"), "the reading page");
    assert!(page.contains(&format!(
        "method=\"post\" action=\"/api/articles/{ARTICLE}/comments\""
    )));
    assert!(
        page.contains("You are posting comments too quickly. Please wait"),
        "a message saying to wait"
    );
    let textarea = page
        .split("<textarea")
        .nth(1)
        .and_then(|rest| rest.split("</textarea>").next())
        .expect("the form's textarea");
    assert!(
        textarea.contains("A second thought, typed &lt;with care&gt; &amp; kept"),
        "{textarea}"
    );
    assert!(page.contains("value=\"nora@example.com\""));
}

/// `--front-page ID` serves that article's reading page at `/`; without it `/` is the site's
/// own index, and without a site nothing.
#[tokio::test]
async fn the_front_page_is_the_named_articles_reading_page() {
    let site = tempfile::tempdir().unwrap();
    std::fs::write(site.path().join("index.html"), "<p>the site's index</p>").unwrap();
    let site = site.path().to_str().unwrap();
    let client = Client::new();
    let front = Service::start(&["--site", site, "--front-page", ARTICLE]);
    let page = client.get(front.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    let front_tag = page.headers()["etag"].clone();
    let page = page.text().await.unwrap();
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("Russia and Iran sign a cooperation treaty in the Kremlin"));
    assert!(page.contains(&format!("action=\"/api/articles/{ARTICLE}/comments\"")));
    let read = client
        .get(front.url(&format!("/read/{ARTICLE}")))
        .send()
        .await
        .unwrap();
    // The same rendering as the article's own reading page (the pages differ only by the
    // time each form was rendered, which the tag leaves out).
    assert_eq!(
        front_tag,
        read.headers()["etag"],
        "the page of /read/{ARTICLE}"
    );

    let plain_site = Service::start(&["--site", site]);
    let index = client.get(plain_site.url("/")).send().await.unwrap();
    assert_eq!(index.status(), StatusCode::OK);
    assert_eq!(index.text().await.unwrap(), "<p>the site's index</p>");

    let no_site = Service::start(&[]);
    let nothing = client.get(no_site.url("/")).send().await.unwrap();
    assert_eq!(nothing.status(), StatusCode::NOT_FOUND);
}

/// The fragment's parameters, as the README lists them: `comments=off` leaves the comment
/// section out, `theme` sets the palette, `comments-order=newest` puts the newest thread
/// first; each rendering has its own validator.
#[tokio::test]
async fn prerendered_fragments_take_the_documented_parameters() {
    let service = Service::start(&["--moderation", "approve-all", "--flood-seconds", "0"]);
    let client = Client::new();
    let fragment = |query: &'static str, tag: Option<String>| {
        let mut request = client.get(service.url(&format!("/prerendered/{ARTICLE}.html{query}")));
        if let Some(tag) = tag {
            request = request.header("If-None-Match", tag);
        }
        request.send()
    };
    // Without comments yet: each option still renders differently, so each has its own tag.
    let plain = fragment("", None).await.unwrap();
    let plain_tag = plain.headers()["etag"].to_str().unwrap().to_owned();
    for query in ["?comments=off", "?theme=dark"] {
        let other = fragment(query, Some(plain_tag.clone())).await.unwrap();
        assert_eq!(
            other.status(),
            StatusCode::OK,
            "{query}: another rendering, another tag"
        );
    }

    for (key, words) in [("p1", "The older thread"), ("p2", "The newer thread")] {
        let (status, _, _) = post(&service, key, &body("Ann", "ann@example.com", words)).await;
        assert_eq!(status, StatusCode::CREATED);
        // Distinct times, so that the order is the order of posting.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let text = |response: reqwest::Response| async move {
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.unwrap()
    };
    let position = |html: &str, words: &str| html.find(words).unwrap_or_else(|| panic!("{words}"));

    let default = text(fragment("", None).await.unwrap()).await;
    assert!(default.contains("data-theme=\"auto\" class=\"article-widget\""));
    assert!(position(&default, "The older thread") < position(&default, "The newer thread"));
    assert!(default.contains("<form"));

    let newest = text(fragment("?comments-order=newest", None).await.unwrap()).await;
    assert!(newest.contains(" comments-order=\"newest\""));
    assert!(
        position(&newest, "The newer thread") < position(&newest, "The older thread"),
        "the newest thread first"
    );

    let dark = text(fragment("?theme=dark", None).await.unwrap()).await;
    assert!(dark.contains(" theme=\"dark\""));
    assert!(dark.contains("data-theme=\"dark\" class=\"article-widget\""));
    assert!(!dark.contains("data-theme=\"auto\" class=\"article-widget\""));

    let off = text(fragment("?comments=off", None).await.unwrap()).await;
    assert!(off.contains(" comments=\"off\""));
    assert!(off.contains("Russia and Iran sign a cooperation treaty in the Kremlin"));
    let shown = off.split("</template>").next().unwrap();
    assert!(!shown.contains("<form"), "no comment form");
    assert!(!shown.contains("The older thread"), "no thread shown");
}

/// `comments=off` leaves the comments out of the fragment altogether, the embedded thread
/// JSON (`data-aw-thread`, which only a comment section reads) included.
#[tokio::test]
async fn comments_off_sends_no_thread() {
    let service = Service::start(&["--moderation", "approve-all"]);
    let (status, _, _) = post(
        &service,
        "k",
        &body("Ann", "ann@example.com", "Not for this page"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let off = Client::new()
        .get(service.url(&format!("/prerendered/{ARTICLE}.html?comments=off")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!off.contains("data-aw-thread"));
    assert!(!off.contains("Not for this page"));
}

/// The plain form's "notify me" box (`notify=1`, urlencoded as a browser sends it) is taken:
/// that commenter gets mail about the thread (a confirmation, or the reply itself), while one
/// who did not tick it gets none and has nothing in the outbox.
#[tokio::test]
async fn the_plain_form_asks_for_notification() {
    let smtp = SmtpServer::start();
    let mut args = mail_args(smtp.port);
    args.extend(["--moderation", "approve-all"].map(str::to_owned));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start(&args);
    let client = without_redirects();
    let post_form = |body: String| {
        client
            .post(service.comments_url())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let posted_id = |response: reqwest::Response| {
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()["location"].to_str().unwrap().to_owned();
        location.split("#comment-").nth(1).unwrap().to_owned()
    };
    let service = &service;
    let reply_to = |parent: String, key: &'static str| {
        let mut reply = body("Bob", "bob@example.com", &format!("An answer ({key})"));
        reply["parent"] = serde_json::json!(parent);
        async move {
            let (status, _, answer) = post(service, key, &reply).await;
            assert_eq!(status, StatusCode::CREATED, "{answer}");
            answer["comment"]["id"].as_str().unwrap().to_owned()
        }
    };

    // Olga does not tick the box; her thread gets a reply.
    let olga = posted_id(
        post_form(plain_form(
            "No mail for me, thanks",
            "olga@example.com",
            &[],
        ))
        .await
        .unwrap(),
    );
    let olga_reply = reply_to(olga.clone(), "reply-to-olga").await;
    // Nora ticks it (a checkbox sends its value, "1"); her thread gets a reply too.
    let nora = posted_id(
        post_form(plain_form(
            "Tell me of replies",
            "nora@example.com",
            &[("notify", "1")],
        ))
        .await
        .unwrap(),
    );
    reply_to(nora, "reply-to-nora").await;

    let mut to_nora = Vec::new();
    for _ in 0..200 {
        to_nora = smtp
            .messages()
            .into_iter()
            .filter(|m| m.contains("To: nora@example.com"))
            .collect();
        if !to_nora.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(
        !to_nora.is_empty(),
        "Nora asked to hear of replies: {:?}",
        smtp.messages()
    );
    // The outbox is written in the transaction of the event itself, so by the answer to
    // Olga's reply any message for her would already be queued; and by Nora's message the
    // worker has sent everything queued before it.
    let pool = service.database_pool().await;
    let queued: Vec<(String,)> = sqlx::query_as("SELECT comment_id FROM outbox")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert!(
        !queued
            .iter()
            .any(|(comment,)| *comment == olga || *comment == olga_reply),
        "nothing queued for Olga: {queued:?}"
    );
    assert!(
        !smtp
            .messages()
            .iter()
            .any(|m| m.contains("To: olga@example.com")),
        "no mail to Olga"
    );
}

/// `comments-order=newest` renders differently (the attribute, the order switch), so its
/// validator must differ from the default rendering's even before there are comments.
#[tokio::test]
async fn each_comments_order_has_its_own_validator() {
    let service = Service::start(&[]);
    let client = Client::new();
    let url = service.url(&format!("/prerendered/{ARTICLE}.html"));
    let plain = client.get(&url).send().await.unwrap();
    let tag = plain.headers()["etag"].to_str().unwrap().to_owned();
    let newest = client
        .get(format!("{url}?comments-order=newest"))
        .header("If-None-Match", tag)
        .send()
        .await
        .unwrap();
    assert_eq!(newest.status(), StatusCode::OK);
    assert!(newest
        .text()
        .await
        .unwrap()
        .contains(" comments-order=\"newest\""));
}

/// The service on an articles folder of the test's own (`--articles` takes one value).
fn service_on_articles(articles: &std::path::Path) -> Service {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().to_owned();
    let database = format!("sqlite://{}", dir_path.join("comments.db").display());
    let mut child = std::process::Command::new(BINARY)
        .current_dir(repo_root())
        .args(["--database", &database, "serve", "--address", "127.0.0.1:0"])
        .arg("--articles")
        .arg(articles)
        .env("RUST_LOG", "error")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap();
    let base = read_address(&mut child);
    Service {
        child,
        base,
        database,
        _dir: dir,
        dir_path,
    }
}

/// The answer is a page a browser shows: HTML, never cached, with `words` in it.
async fn html_error(response: reqwest::Response, status: StatusCode, words: &str) -> String {
    assert_eq!(response.status(), status, "{}", response.url());
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8",
        "{}",
        response.url()
    );
    assert_eq!(response.headers()["cache-control"], "no-store");
    let text = response.text().await.unwrap();
    assert!(text.starts_with("<!doctype html>"), "{text}");
    assert!(text.contains(words), "{words}: {text}");
    text
}

/// An error on a reading page is a page, not JSON nor bare text: a missing article is 404
/// "no such article", one whose file cannot be rendered 422 with the reason, escaped. A
/// fragment's error is one paragraph (a publisher's page includes it), never a document.
#[tokio::test]
async fn reading_pages_answer_errors_as_html_pages() {
    let service = Service::start(&[]);
    let client = Client::new();
    for path in ["/read/no-such-article", "/read/..%2Fetc%2Fpasswd"] {
        let response = client.get(service.url(path)).send().await.unwrap();
        let text = html_error(response, StatusCode::NOT_FOUND, "There is no such article.").await;
        assert!(text.contains("<h1>No such article</h1>"), "{text}");
    }
    let response = client
        .get(service.url("/prerendered/no-such-article.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        response.headers()["content-type"],
        "text/html; charset=utf-8"
    );
    assert_eq!(
        response.text().await.unwrap(),
        "<p class=\"article-widget-error\" role=\"alert\">There is no such article.</p>"
    );

    let articles = tempfile::tempdir().unwrap();
    std::fs::write(
        articles.path().join("broken.json"),
        r#"{"id": "broken", "published": "2025-01-17", "headline": ""}"#,
    )
    .unwrap();
    std::fs::write(articles.path().join("garbled.json"), "{\"<script>\": ").unwrap();
    let service = service_on_articles(articles.path());
    for path in ["/read/broken", "/read/garbled"] {
        let response = client.get(service.url(path)).send().await.unwrap();
        let text = html_error(
            response,
            StatusCode::UNPROCESSABLE_ENTITY,
            "This article cannot be shown",
        )
        .await;
        assert!(!text.contains("<script>"), "{text}");
    }
    let response = client
        .get(service.url("/prerendered/garbled.html"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let text = response.text().await.unwrap();
    assert!(
        text.starts_with(
            "<p class=\"article-widget-error\" role=\"alert\">This article cannot be shown"
        ) && !text.contains("<script>")
            && !text.contains("<html"),
        "{text}"
    );
}

/// The plain form is a browser's: when the service refuses it before judging the comment
/// (comments closed here), the reader reads a page; the same refusal to a script is JSON.
#[tokio::test]
async fn a_plain_form_refused_before_it_is_judged_gets_a_page() {
    let service = Service::start(&[]);
    let closed = service.url("/api/articles/iran-russia-treaty-fa/comments");
    let response = without_redirects()
        .post(&closed)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(plain_form("To a closed thread", "nora@example.com", &[]))
        .send()
        .await
        .unwrap();
    html_error(
        response,
        StatusCode::NOT_FOUND,
        "Comments are closed for this article.",
    )
    .await;
    let response = Client::new()
        .post(&closed)
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "closed-1")
        .body(r#"{"author":"Nora","email":"nora@example.com","content":"Hello"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["content-type"], "application/json");
}

/// A page's whole answer to a request sent with the given Host header (a client library
/// sets its own): the text after the head.
async fn body_with_host(service: &Service, target: &str, host: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let authority = service.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(authority).await.unwrap();
    let request = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap_or_default();
    assert!(head.starts_with("HTTP/1.1 200"), "{target}: {head}");
    body.to_owned()
}

/// A shared reading page names itself by `--public-url`, never by the Host header a request
/// came with (anyone can send one, and a cache would hand that page to everyone): its
/// canonical address, its card's URL and its image are absolute on the public address.
#[tokio::test]
async fn a_reading_pages_card_names_it_by_the_public_url_not_the_host_header() {
    let service = Service::start(&[
        "--public-url",
        "https://comments.news.example/",
        "--front-page",
        ARTICLE,
    ]);
    let page_url = format!("https://comments.news.example/read/{ARTICLE}");
    for target in [format!("/read/{ARTICLE}"), "/".to_owned()] {
        let page = body_with_host(&service, &target, "evil.example").await;
        let head = &page[..page.find("</head>").expect("a head")];
        assert!(!page.contains("evil.example"), "{target}: {head}");
        assert!(
            head.contains(&format!("<link rel=\"canonical\" href=\"{page_url}\">")),
            "{target}: {head}"
        );
        assert!(
            head.contains(&format!(
                "<meta property=\"og:url\" content=\"{page_url}\">"
            )),
            "{target}: {head}"
        );
        assert!(
            head.contains("<meta property=\"og:image\" content=\"https://comments.news.example/"),
            "{target}: {head}"
        );
        assert!(head.contains("<meta property=\"og:image:width\" content=\"1050\">"));
        assert!(head.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"));
        assert!(head.contains("<meta name=\"description\" content=\""));
    }
}
