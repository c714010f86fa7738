//! Live updates under load (a benchmark, not a test), against the real binary on 127.0.0.1:
//! BENCH_STREAMS (1,000) event streams open on one article, then BENCH_ROUNDS (30) comments
//! held and approved one after the other in the moderation area (as a moderator does, one
//! HTTP request each); for each approval, the time from sending it to its event on the first
//! and on the last stream. Prints p50 and p99 of both over the rounds, and the service's
//! memory per open stream (its resident set before and after the streams opened, divided by
//! their number). The streams are read by this process on the same 2 cores as the service,
//! so the times include the readers' own work.
//!
//! BENCH_DATABASE: a fresh SQLite file by default; a postgres:// URL to run on PostgreSQL
//! (there the approval travels through NOTIFY to the service's own listener).
//! `cargo bench -p comment-service --bench live` (scripts/bench-live.sh runs both engines).

use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};
use tokio::sync::mpsc;

mod support;
use support::{setting, start_service, BINARY};

const ARTICLE: &str = "russia-iran-treaty";
const PASSWORD: &str = "a long enough bench passphrase";

fn resident_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmRSS:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse().ok())
        })
        .unwrap_or(0)
}

fn cookie_pair(response: &reqwest::Response, name: &str) -> String {
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

fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").unwrap() + "name=\"csrf\" value=\"".len();
    page[at..].split('"').next().unwrap().to_owned()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let at = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[at]
}

fn ms(duration: Duration) -> String {
    format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let streams = setting("BENCH_STREAMS", 1_000) as usize;
    let rounds = setting("BENCH_ROUNDS", 30) as usize;
    let dir = tempfile::tempdir().unwrap();
    let database = std::env::var("BENCH_DATABASE")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let engine = if database.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let cap = (streams + 10).to_string();
    let (mut child, base) = start_service(
        &database,
        &[
            "--moderation",
            "hold-all",
            "--flood-seconds",
            "0",
            "--live-streams",
            &cap,
            "--live-streams-per-address",
            &cap,
        ],
    );

    // A moderator, signed in as a browser does.
    let added = std::process::Command::new(BINARY)
        .args(["--database", &database, "moderators", "add", "bench"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .and_then(|mut adding| {
            use std::io::Write;
            writeln!(adding.stdin.take().unwrap(), "{PASSWORD}")?;
            adding.wait()
        })
        .unwrap();
    assert!(added.success(), "moderators add");
    let moderator = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = moderator
        .get(format!("{base}/moderate/sign-in"))
        .send()
        .await
        .unwrap();
    let form_cookie = cookie_pair(&form, "aw-moderator-sign-in");
    let csrf = csrf_of(&form.text().await.unwrap());
    let signed = moderator
        .post(format!("{base}/moderate/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", form_cookie)
        .body(
            serde_urlencoded::to_string([
                ("name", "bench"),
                ("password", PASSWORD),
                ("csrf", &csrf),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), StatusCode::SEE_OTHER, "signed in");
    let session = cookie_pair(&signed, "aw-moderator");
    let queue = moderator
        .get(format!("{base}/moderate"))
        .header("Cookie", &session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = csrf_of(&queue);

    // The streams, each read by its own task, which reports every approved id it hears.
    let before = resident_kib(child.id());
    let (heard_tx, mut heard) = mpsc::unbounded_channel::<String>();
    let readers = Client::builder().pool_max_idle_per_host(0).build().unwrap();
    let (ready_tx, mut ready) = mpsc::unbounded_channel::<()>();
    for _ in 0..streams {
        let (readers, heard_tx, ready_tx) = (readers.clone(), heard_tx.clone(), ready_tx.clone());
        let url = format!("{base}/api/articles/{ARTICLE}/events");
        tokio::spawn(async move {
            let mut response = readers.get(url).send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let mut buffer = String::new();
            let mut told_ready = false;
            while let Ok(Some(chunk)) = response.chunk().await {
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let block: String = buffer.drain(..end + 2).collect();
                    if !told_ready && block.contains("event: ready") {
                        told_ready = true;
                        let _ = ready_tx.send(());
                    }
                    if block.contains("event: approved") {
                        if let Some(at) = block.find("\"id\":\"") {
                            let id: String =
                                block[at + 6..].chars().take_while(|c| *c != '"').collect();
                            let _ = heard_tx.send(id);
                        }
                    }
                }
            }
        });
    }
    for _ in 0..streams {
        ready.recv().await.unwrap();
    }
    // Let the service settle (allocations made while accepting).
    tokio::time::sleep(Duration::from_millis(500)).await;
    let after = resident_kib(child.id());

    let poster = Client::new();
    let mut first = Vec::new();
    let mut last = Vec::new();
    for round in 0..rounds {
        let posted = poster
            .post(format!("{base}/api/articles/{ARTICLE}/comments"))
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", format!("live-bench-{round}"))
            .body(
                serde_json::json!({"parent": null, "author": "A reader", "email": "reader@example.com",
                    "website": "", "content": format!("Comment {round} of the live bench."),
                    "honeypot": "", "rendered_at": 0})
                .to_string(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(posted.status(), StatusCode::CREATED);
        let posted: serde_json::Value = posted.json().await.unwrap();
        let id = posted["comment"]["id"].as_str().unwrap().to_owned();
        let start = Instant::now();
        let acted = moderator
            .post(format!("{base}/moderate/act"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Cookie", &session)
            .body(
                serde_urlencoded::to_string([
                    ("one", format!("approve:{id}").as_str()),
                    ("csrf", &csrf),
                ])
                .unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(acted.status(), StatusCode::SEE_OTHER, "approved");
        let mut count = 0;
        while count < streams {
            let got = tokio::time::timeout(Duration::from_secs(30), heard.recv())
                .await
                .expect("every stream hears the approval within 30 s")
                .unwrap();
            if got != id {
                continue;
            }
            count += 1;
            if count == 1 {
                first.push(start.elapsed());
            }
        }
        last.push(start.elapsed());
    }
    first.sort();
    last.sort();
    let per_stream = (after.saturating_sub(before) as f64) / streams as f64;
    println!(
        "live on {engine}: {streams} streams, {rounds} approvals; approval → event on the first stream p50 {} p99 {}; on the last stream p50 {} p99 {}; memory {:.1} KiB per stream (resident {} → {} KiB)",
        ms(percentile(&first, 0.5)),
        ms(percentile(&first, 0.99)),
        ms(percentile(&last, 0.5)),
        ms(percentile(&last, 0.99)),
        per_stream,
        before,
        after,
    );
    let _ = child.kill();
    let _ = child.wait();
}
