//! The harness every HTTP suite shares: the real binary started on 127.0.0.1 with a fresh
//! SQLite file (or a given PostgreSQL database), requests as a client sends them, the command
//! line, and a real SMTP server (aiosmtpd) delivering into a Maildir.
#![allow(dead_code)] // each suite uses its own part of the harness

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

pub const BINARY: &str = env!("CARGO_BIN_EXE_comment-service");
pub const ARTICLE: &str = "russia-iran-treaty";
pub const TOKEN: &str = "token-of-annes-browser-0001";

pub struct Service {
    pub child: Child,
    pub base: String,
    pub database: String,
    pub _dir: tempfile::TempDir,
    pub dir_path: PathBuf,
}

impl Service {
    pub fn start(extra: &[&str]) -> Service {
        Service::start_on(None, extra)
    }

    /// On this database (a PostgreSQL URL), or a fresh SQLite file.
    pub fn start_on(database: Option<&str>, extra: &[&str]) -> Service {
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

    pub fn restart(&mut self, extra: &[&str]) {
        self.child.kill().unwrap(); // SIGKILL: no graceful shutdown, as in a crash
        self.child.wait().unwrap();
        self.child = spawn(&self.database, extra);
        self.base = read_address(&mut self.child);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The database the service writes, as a test reads it (either engine).
    pub async fn database_pool(&self) -> sqlx::AnyPool {
        sqlx::any::install_default_drivers();
        sqlx::AnyPool::connect(&self.database).await.unwrap()
    }

    pub fn comments_url(&self) -> String {
        self.url(&format!("/api/articles/{ARTICLE}/comments"))
    }

    pub fn moderate(&self, args: &[&str]) -> (i32, String) {
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

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap()
}

pub fn spawn(database: &str, extra: &[&str]) -> Child {
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

pub fn read_address(child: &mut Child) -> String {
    let stdout = child.stdout.take().unwrap();
    let mut line = String::new();
    BufReader::new(stdout).read_line(&mut line).unwrap();
    let start = line
        .find("http://")
        .expect("the service prints its address");
    line[start..].split_whitespace().next().unwrap().to_owned()
}

pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

pub fn body(author: &str, email: &str, content: &str) -> Value {
    json!({"parent": null, "author": author, "email": email, "website": "", "content": content,
           "honeypot": "", "rendered_at": now_ms() - 10_000})
}

pub async fn post(
    service: &Service,
    key: &str,
    body: &Value,
) -> (StatusCode, Option<String>, Value) {
    post_from(service, key, body, None).await
}

pub async fn post_from(
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

pub async fn list(service: &Service, token: Option<&str>) -> Vec<Value> {
    let mut request = Client::new().get(service.comments_url());
    if let Some(token) = token {
        request = request.header("Comment-Author-Token", token);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let value: Value = response.json().await.unwrap();
    value["comments"].as_array().unwrap().clone()
}

pub async fn futures_join<T: Send + 'static>(
    handles: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<T> {
    let mut out = Vec::new();
    for handle in handles.collect::<Vec<_>>() {
        out.push(handle.await.unwrap());
    }
    out
}

/// Every table dropped (the service migrates anew); the storage suite does the same.
pub async fn empty_postgres(url: &str) {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    pool.execute(
        // The whole schema, so that a table a new migration adds is never left behind.
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
    )
    .await
    .unwrap();
    pool.close().await;
}

/// Adds a moderator from the command line, the password on standard input.
pub fn add_moderator(service: &Service, name: &str, password: &str) -> (i32, String) {
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

/// The `name=value` pair of the cookie `name` a response sets ("" when it sets none).
pub fn set_cookie(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|line| line.starts_with(&format!("{name}=")))
        .and_then(|line| line.split(';').next())
        .unwrap_or_default()
        .to_owned()
}

/// The password the suites give the moderators they add.
pub const MODERATOR_PASSWORD: &str = "a long enough passphrase";

/// The moderator `name` (added first when missing, with `MODERATOR_PASSWORD`), signed in as a
/// browser does (the form's cookie and CSRF token, then the credentials): a client that does
/// not follow redirects, and the session's cookie (`aw-moderator=…`).
pub async fn moderator_session(service: &Service, name: &str) -> (reqwest::Client, String) {
    let _ = add_moderator(service, name, MODERATOR_PASSWORD);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = client
        .get(service.url("/moderate/sign-in"))
        .send()
        .await
        .unwrap();
    let form_cookie = set_cookie(&form, "aw-moderator-sign-in");
    let csrf = csrf_of(&form.text().await.unwrap());
    let signed = client
        .post(service.url("/moderate/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", form_cookie)
        .body(
            serde_urlencoded::to_string([
                ("name", name),
                ("password", MODERATOR_PASSWORD),
                ("csrf", &csrf),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(
        signed.status(),
        reqwest::StatusCode::SEE_OTHER,
        "{name} signed in"
    );
    let session = set_cookie(&signed, "aw-moderator");
    (client, session)
}

/// The value of `name="csrf"` on a page of the area.
pub fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

/// A real SMTP server on 127.0.0.1 (aiosmtpd, which scripts/tools.sh installs), delivering
/// into a Maildir the test reads.
pub struct SmtpServer {
    pub child: Child,
    pub port: u16,
    pub maildir: tempfile::TempDir,
}

impl SmtpServer {
    pub fn start() -> SmtpServer {
        let port = free_port();
        SmtpServer::start_on(port)
    }

    pub fn start_on(port: u16) -> SmtpServer {
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
    pub fn messages(&self) -> Vec<String> {
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
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
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

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn mail_args(port: u16) -> Vec<String> {
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
pub fn quoted_printable(body: &str) -> String {
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

pub fn with_notify(mut body: Value) -> Value {
    body["notify"] = json!(true);
    body
}

/// Runs `comment-service import …` on the service's database, from the repository's root.
pub fn import(service: &Service, args: &[&str]) -> (i32, String, String) {
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

pub async fn thread_of(service: &Service, article: &str) -> Vec<Value> {
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

/// The PostgreSQL server the suites must also run on (`scripts/test.sh` starts one and sets
/// `COMMENTS_TEST_POSTGRES`). Missing, the test fails saying so: a promised engine is never
/// skipped in silence. `COMMENTS_TEST_POSTGRES=skip` skips it on purpose, said aloud.
pub fn postgres_url() -> Option<String> {
    match std::env::var("COMMENTS_TEST_POSTGRES") {
        Ok(url) if url == "skip" => {
            println!("PostgreSQL skipped: COMMENTS_TEST_POSTGRES=skip");
            None
        }
        Ok(url) if !url.is_empty() => Some(url),
        _ => panic!(
            "COMMENTS_TEST_POSTGRES is not set: run scripts/test.sh (it installs and starts \
             PostgreSQL), name a server, or set it to `skip` to leave PostgreSQL out on purpose"
        ),
    }
}

/// A database of its own on the PostgreSQL server at `url` (dropped and made anew), for a
/// test that runs beside another test of its file on that server; its URL.
pub async fn postgres_database(url: &str, name: &str) -> String {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(url).await.unwrap();
    admin
        .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
        .await
        .unwrap();
    admin
        .execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .unwrap();
    admin.close().await;
    let (server, _) = url.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}
