//! The comment service as a client meets it: the real binary, started on 127.0.0.1 with a
//! fresh SQLite file, spoken to over HTTP. Every status of the contract, the spam and flood
//! rules, idempotency (sequential and concurrent), pending visibility, moderation from the
//! command line, CORS, and a crash-restart that keeps every acknowledged comment.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const BINARY: &str = env!("CARGO_BIN_EXE_comment-service");
const ARTICLE: &str = "russia-iran-treaty";
const TOKEN: &str = "token-of-annes-browser-0001";

struct Service {
    child: Child,
    base: String,
    database: String,
    _dir: tempfile::TempDir,
    dir_path: PathBuf,
}

impl Service {
    fn start(extra: &[&str]) -> Service {
        Service::start_on(None, extra)
    }

    /// On this database (a PostgreSQL URL), or a fresh SQLite file.
    fn start_on(database: Option<&str>, extra: &[&str]) -> Service {
        let dir = tempfile::tempdir().unwrap();
        let dir_path = dir.path().to_owned();
        let database = database.map_or_else(
            || format!("sqlite://{}", dir_path.join("comments.db").display()),
            str::to_owned,
        );
        let mut service = Service {
            child: spawn(&database, extra),
            base: String::new(),
            database,
            _dir: dir,
            dir_path,
        };
        service.base = read_address(&mut service.child);
        service
    }

    fn restart(&mut self, extra: &[&str]) {
        self.child.kill().unwrap(); // SIGKILL: no graceful shutdown, as in a crash
        self.child.wait().unwrap();
        self.child = spawn(&self.database, extra);
        self.base = read_address(&mut self.child);
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn comments_url(&self) -> String {
        self.url(&format!("/api/articles/{ARTICLE}/comments"))
    }

    fn moderate(&self, args: &[&str]) -> (i32, String) {
        let output = Command::new(BINARY)
            .args(["--database", &self.database, "moderate"])
            .args(args)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&output.stdout).to_string()
            + &String::from_utf8_lossy(&output.stderr);
        (output.status.code().unwrap_or(-1), text)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

fn spawn(database: &str, extra: &[&str]) -> Child {
    Command::new(BINARY)
        .current_dir(repo_root())
        .args([
            "--database",
            database,
            "serve",
            "--address",
            "127.0.0.1:0",
            "--articles",
            "static/articles",
        ])
        .args(extra)
        // Warnings and errors only: a request log line per test request is noise here.
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

fn read_address(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let start = line
        .find("http://")
        .expect("the service prints its address");
    line[start..].split_whitespace().next().unwrap().to_owned()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn body(author: &str, email: &str, content: &str) -> Value {
    json!({"parent": null, "author": author, "email": email, "website": "", "content": content,
           "honeypot": "", "rendered_at": now_ms() - 10_000})
}

async fn post(service: &Service, key: &str, body: &Value) -> (StatusCode, Option<String>, Value) {
    post_from(service, key, body, None).await
}

async fn post_from(
    service: &Service,
    key: &str,
    body: &Value,
    forwarded_for: Option<&str>,
) -> (StatusCode, Option<String>, Value) {
    let mut request = Client::new()
        .post(service.comments_url())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .header("Comment-Author-Token", TOKEN)
        .body(body.to_string());
    if let Some(address) = forwarded_for {
        request = request.header("X-Forwarded-For", address);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    (
        status,
        retry_after,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn list(service: &Service, token: Option<&str>) -> Vec<Value> {
    let mut request = Client::new().get(service.comments_url());
    if let Some(token) = token {
        request = request.header("Comment-Author-Token", token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let value: Value = response.json().await.unwrap();
    value["comments"].as_array().unwrap().clone()
}

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
    assert_eq!(listed, vec![comment.clone()]);
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
}

#[tokio::test]
async fn flood_control_holds_per_email_and_per_client_address() {
    let service = Service::start(&["--trust-forwarded-for", "--flood-seconds", "15"]);
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
    let quick = Service::start(&["--trust-forwarded-for", "--flood-seconds", "1"]);
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

    // A refusal is repeated too: the same key cannot turn into a comment later.
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
    assert_eq!(retried.0, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.unwrap());
    }
    out
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
    hold.moderate(&["approve", first["comment"]["id"].as_str().unwrap()]);
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
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&service.database).await.unwrap();
    // Another request holds the key and has not answered.
    pool.execute(
        format!(
            "INSERT INTO idempotency (idempotency_key, article_id, created_at) VALUES ('held', '{ARTICLE}', {})",
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
    pool.execute("DELETE FROM idempotency WHERE idempotency_key = 'held'")
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

/// The thread is cacheable: a validator over its content, a short public lifetime, 304 for a
/// matching revalidation; a request with an author token (which may see held comments) gets a
/// private answer; a newly approved comment changes the tag at once, a held one does not.
#[tokio::test]
async fn the_thread_is_cached_as_it_should_be() {
    caching(&Service::start(CACHING)).await;
}

const CACHING: &[&str] = &["--flood-seconds", "0"];
const PAGING: &[&str] = &["--moderation", "approve-all", "--flood-seconds", "0"];

/// The caching and paging scenarios on PostgreSQL too (when `COMMENTS_TEST_POSTGRES` names a
/// server): their validators come from what the store records, on either engine; and two
/// instances sharing one outbox. One after the other, each on emptied tables.
#[tokio::test]
async fn caching_pages_and_the_outbox_on_postgres() {
    let Some(url) = std::env::var("COMMENTS_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        println!("PostgreSQL not tested: COMMENTS_TEST_POSTGRES is not set");
        return;
    };
    empty_postgres(&url).await;
    caching(&Service::start_on(Some(&url), CACHING)).await;
    empty_postgres(&url).await;
    pages(&Service::start_on(Some(&url), PAGING)).await;
    empty_postgres(&url).await;
    two_instances_send_each_message_once(&url).await;
    empty_postgres(&url).await;
    println!("caching, pages and the outbox of two instances tested on postgres");
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

/// Every table dropped (the service migrates anew); the storage suite does the same.
async fn empty_postgres(url: &str) {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    pool.execute(
        "DROP TABLE IF EXISTS comments, idempotency, flood, article_activity, moderators, moderator_sessions, signin_failures, audit_log, blocks, outbox, unsubscribed, service_secrets, schema_migrations, _sqlx_migrations",
    )
    .await
    .unwrap();
    pool.close().await;
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
    assert!(service.dir_path.join("comments.db").exists());
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

/// Adds a moderator from the command line, the password on standard input.
fn add_moderator(service: &Service, name: &str, password: &str) -> (i32, String) {
    use std::io::Write;
    let mut child = Command::new(BINARY)
        .args(["--database", &service.database, "moderators", "add", name])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{password}").unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

/// The value of `name="csrf"` on a page of the area.
fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// The moderation area: nothing of it without a session; sign-in with a lockout; a
/// session cookie that is HttpOnly, SameSite=Strict (and Secure behind HTTPS) and dead after
/// sign-out; every action needs the session's CSRF token; hostile text is shown as text;
/// blocks refuse comments; the link rule holds comments; the audit log says who did what.
#[tokio::test]
async fn the_moderation_area_is_for_signed_in_moderators_only() {
    let service = Service::start(&["--flood-seconds", "0"]);
    let (code, said) = add_moderator(&service, "editor", "short");
    assert_eq!(code, 2, "a short password is refused: {said}");
    let (code, said) = add_moderator(&service, "editor", "a long enough passphrase");
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("Added moderator editor"), "{said}");

    let (status, _, answer) = post(
        &service,
        "m1",
        &body(
            "<b>Mallory</b>",
            "mallory@example.com",
            "<script>alert(1)</script> held",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(answer["comment"]["status"], "pending");
    let id = answer["comment"]["id"].as_str().unwrap().to_owned();

    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = |path: &str| service.url(path);
    // Nothing without a session.
    for path in ["/moderate", "/moderate/audit", "/moderate/blocks"] {
        let answer = client.get(url(path)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(answer.headers()["location"], "/moderate/sign-in");
    }
    let act = |cookie: Option<&str>, form: &[(&str, &str)]| {
        let mut request = client
            .post(url("/moderate/act"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).unwrap());
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send()
    };
    let approve = format!("approve:{id}");
    assert_eq!(
        act(None, &[("one", &approve)]).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // Sign-in: wrong, then right.
    let sign_in = |password: &str, https: bool| {
        let mut request = client
            .post(url("/moderate/sign-in"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(
                serde_urlencoded::to_string([("name", "editor"), ("password", password)]).unwrap(),
            );
        if https {
            request = request.header("X-Forwarded-Proto", "https");
        }
        request.send()
    };
    assert_eq!(
        sign_in("wrong password", false).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let signed_in = sign_in("a long enough passphrase", false).await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let set_cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/moderate"] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain HTTP: {set_cookie}");
    let secure = sign_in("a long enough passphrase", true).await.unwrap();
    assert!(secure.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("; Secure"));
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    // The queue: the held comment with its details, its text as text.
    let queue = client
        .get(url("/moderate"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(queue.status(), StatusCode::OK);
    assert_eq!(queue.headers()["cache-control"], "no-store");
    let page = queue.text().await.unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; held"),
        "escaped"
    );
    assert!(!page.contains("<script>alert(1)"), "never as markup");
    assert!(page.contains("&lt;b&gt;Mallory&lt;/b&gt;"));
    assert!(page.contains("mallory@example.com") && page.contains("127.0.0.1"));
    assert!(
        page.contains("Russia and Iran sign a cooperation treaty"),
        "the article's title"
    );
    let csrf = csrf_of(&page);

    // Actions: refused without the token (or with another), done with it.
    assert_eq!(
        act(Some(&cookie), &[("one", &approve)])
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        act(
            Some(&cookie),
            &[("one", &approve), ("csrf", "not-the-token")]
        )
        .await
        .unwrap()
        .status(),
        StatusCode::FORBIDDEN
    );
    assert!(
        list(&service, None).await.is_empty(),
        "nothing approved yet"
    );
    let done = act(Some(&cookie), &[("one", &approve), ("csrf", &csrf)])
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(list(&service, None).await.len(), 1, "approved and public");
    let audit = client
        .get(url("/moderate/audit"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("editor") && audit.contains("approve") && audit.contains(&id));

    // A block refuses the next comment with the generic message; unblocked, it is taken.
    let blocks = |form: &[(&str, &str)]| {
        client
            .post(url("/moderate/blocks"))
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).unwrap())
            .send()
    };
    let block = [
        ("csrf", csrf.as_str()),
        ("kind", "email"),
        ("value", "Mallory@Example.com"),
        ("do", "add"),
    ];
    assert_eq!(
        blocks(&block).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let (status, _, answer) = post(
        &service,
        "m2",
        &body("Mallory", "mallory@example.com", "Blocked now"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.to_string().contains("could not be accepted"),
        "{answer}"
    );
    let unblock = [
        ("csrf", csrf.as_str()),
        ("kind", "email"),
        ("value", "mallory@example.com"),
        ("do", "remove"),
    ];
    assert_eq!(
        blocks(&unblock).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    // Mallory has an approved comment now (published at once, as WordPress does) unless
    // the comment has two links: the link rule holds it.
    let (status, _, answer) = post(
        &service,
        "m3",
        &body("Mallory", "mallory@example.com", "Unblocked again"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(answer["comment"]["status"], "approved");
    let (_, _, answer) = post(
        &service,
        "m4",
        &body(
            "Mallory",
            "mallory@example.com",
            "See https://a.example and https://b.example",
        ),
    )
    .await;
    assert_eq!(answer["comment"]["status"], "pending", "two links: held");

    // The overview: the last weeks at a glance, as charts.
    let overview = client
        .get(url("/moderate/overview"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        overview.contains("aria-label=\"Last 28 days: 2 published, 1 held, 0 spam\""),
        "{overview}"
    );
    assert!(overview.contains("<rect") && overview.contains("Most discussed"));
    assert!(overview.contains("Russia and Iran sign a cooperation treaty in the Kremlin: 2"));

    // Signed out, the old cookie opens nothing.
    let out = client
        .post(url("/moderate/sign-out"))
        .header("Cookie", &cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = client
        .get(url("/moderate"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the session is over");
    assert_eq!(
        act(Some(&cookie), &[("one", &approve), ("csrf", &csrf)])
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );

    // Five failures lock the account, the right password too.
    for _ in 0..5 {
        assert_eq!(
            sign_in("wrong again", false).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in("a long enough passphrase", false)
            .await
            .unwrap()
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

/// A real SMTP server on 127.0.0.1 (aiosmtpd, which scripts/tools.sh installs), delivering
/// into a Maildir the test reads.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let port = free_port();
        SmtpServer::start_on(port)
    }

    fn start_on(port: u16) -> SmtpServer {
        let maildir = tempfile::tempdir().unwrap();
        let child = Command::new("/usr/bin/python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.path().join("mail"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("aiosmtpd: run scripts/tools.sh");
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        SmtpServer {
            child,
            port,
            maildir,
        }
    }

    /// The messages delivered so far, as text.
    fn messages(&self) -> Vec<String> {
        let mut out = Vec::new();
        for folder in ["new", "cur"] {
            if let Ok(entries) = std::fs::read_dir(self.maildir.path().join("mail").join(folder)) {
                for entry in entries.flatten() {
                    out.push(std::fs::read_to_string(entry.path()).unwrap_or_default());
                }
            }
        }
        out
    }

    /// Waits until `n` messages arrived (or 10 s), and returns them.
    async fn wait_for(&self, n: usize) -> Vec<String> {
        for _ in 0..200 {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        self.messages()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn mail_args(port: u16) -> Vec<String> {
    [
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port.to_string(),
        "--smtp-tls",
        "none",
        "--mail-from",
        "Comments <comments@news.example>",
        "--moderator-email",
        "desk@news.example",
        "--public-url",
        "https://news.example",
        "--outbox-poll-ms",
        "100",
        "--mail-retry-seconds",
        "1",
        "--flood-seconds",
        "0",
    ]
    .map(str::to_owned)
    .to_vec()
}

/// A quoted-printable body as text (RFC 2045: `=XX` bytes, `=` at a line's end joins lines).
fn quoted_printable(body: &str) -> String {
    let joined = body.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            if let Ok(byte) = u8::from_str_radix(&joined[i + 1..i + 3], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn with_notify(mut body: Value) -> Value {
    body["notify"] = json!(true);
    body
}

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

/// Runs `comment-service import …` on the service's database, from the repository's root.
fn import(service: &Service, args: &[&str]) -> (i32, String, String) {
    let output = Command::new(BINARY)
        .current_dir(repo_root())
        .args(["--database", &service.database, "import"])
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

async fn thread_of(service: &Service, article: &str) -> Vec<Value> {
    let answer: Value = Client::new()
        .get(service.url(&format!("/api/articles/{article}/comments")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    answer["comments"].as_array().unwrap().clone()
}

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
