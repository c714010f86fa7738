//! The moderation sign-in under attack and under load (a benchmark, not a test), against the
//! real binary on 127.0.0.1:
//!
//! (a) 60 concurrent wrong passwords for one account: the failures the database records for
//!     it (the lockout allows 5) and the answers by status;
//! (b) a reader's comment list (`GET /api/articles/russia-iran-treaty/comments`, a thread of
//!     BENCH_COMMENTS (200) comments) read BENCH_READS (300) times one after the other on an
//!     idle server, then again while 60 sign-in clients run, each signing in with the right
//!     password again and again, each from its own client address (the service runs with
//!     `--proxy-hops 1` and each client names its address in `X-Forwarded-For`, as behind a
//!     proxy, so the 20-per-address lockout does not turn them away): p50/p99 of each, and
//!     the ratio (the aim: p99 within 2× of idle).
//!
//! BENCH_DATABASE: a fresh SQLite file by default; a postgres:// URL to run on PostgreSQL
//! (names are new on each run, so an old database does not lock them).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use comment_service::store::{ModerationStatus, Store, StoredComment};

mod support;
use support::{setting, start_service, BINARY};

const ARTICLE: &str = "russia-iran-treaty";
const PASSWORD: &str = "a long enough bench passphrase";
const ATTACKERS: usize = 60;
const SIGN_IN_CLIENTS: usize = 60;
/// Moderators the sign-in clients use: five clients each, so no account is ever over its
/// limit of five attempts at once.
const MODERATORS: usize = SIGN_IN_CLIENTS / 5;

#[tokio::main]
async fn main() {
    let reads = setting("BENCH_READS", 300) as usize;
    let comments = setting("BENCH_COMMENTS", 200) as usize;
    let dir = tempfile::tempdir().unwrap();
    let database = std::env::var("BENCH_DATABASE")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let engine = if database.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };
    let run = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();

    let store = Store::open(&database).await.unwrap();
    let thread: Vec<StoredComment> = (0..comments)
        .map(|n| StoredComment {
            id: format!("signin{run}x{n:05}"),
            article_id: ARTICLE.to_owned(),
            parent_id: None,
            author: "A reader".to_owned(),
            email: "reader@example.com".to_owned(),
            website: None,
            content: format!("Comment {n}: a sentence or two about the treaty."),
            status: ModerationStatus::Approved,
            created_at: 1_700_000_000_000 + n as i64 * 1_000,
            client_address: "127.0.0.1".to_owned(),
            author_token: None,
            account: None,
            badges: None,
            notify: false,
        })
        .collect();
    store
        .insert_many(&thread, comment_service::clock::now_ms())
        .await
        .unwrap();
    let victim = format!("editor-{run}");
    let moderators: Vec<String> = (0..MODERATORS)
        .map(|n| format!("bench-{run}-{n}"))
        .collect();
    for name in std::iter::once(&victim).chain(&moderators) {
        add_moderator(&database, name);
    }

    let (mut child, base) = start_service(&database, &["--proxy-hops", "1"]);
    println!("signin: {engine}, against {base}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = sign_in_form(&client, &base).await;

    // (a) The lockout under 60 concurrent wrong passwords.
    let started = Instant::now();
    let attempts: Vec<_> = (0..ATTACKERS)
        .map(|n| {
            let (client, base, form, victim) =
                (client.clone(), base.clone(), form.clone(), victim.clone());
            tokio::spawn(async move {
                let password = format!("wrong {n}");
                sign_in(&client, &base, &form, "192.0.2.1", &victim, &password).await
            })
        })
        .collect();
    let mut answers = BTreeMap::new();
    for attempt in attempts {
        *answers.entry(attempt.await.unwrap()).or_insert(0) += 1;
    }
    let elapsed = started.elapsed();
    let recorded = store
        .signin_failures(&format!("account:{victim}"), now_ms(), 15 * 60 * 1000)
        .await
        .unwrap();
    println!(
        "signin (a): {ATTACKERS} concurrent wrong passwords for one account: {recorded} failures \
         recorded (limit 5), answers {} in {:.0} ms",
        statuses(&answers),
        ms(elapsed)
    );

    // (b) Reads, idle, then during 60 concurrent sign-in clients.
    let url = format!("{base}/api/articles/{ARTICLE}/comments");
    let idle = read_latencies(&client, &url, reads).await;
    let running = Arc::new(AtomicBool::new(true));
    let signers: Vec<_> = (0..SIGN_IN_CLIENTS)
        .map(|n| {
            let (client, base, form, running) =
                (client.clone(), base.clone(), form.clone(), running.clone());
            let name = moderators[n % MODERATORS].clone();
            tokio::spawn(async move {
                let mut answers: BTreeMap<u16, usize> = BTreeMap::new();
                let address = format!("10.1.{}.{}", n / 200, n % 200 + 1);
                while running.load(Ordering::Relaxed) {
                    let status = sign_in(&client, &base, &form, &address, &name, PASSWORD).await;
                    *answers.entry(status).or_default() += 1;
                    if status == 429 {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
                answers
            })
        })
        .collect();
    // Let the sign-ins fill the queue for the password checks before measuring.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let started = Instant::now();
    let loaded = read_latencies(&client, &url, reads).await;
    let window = started.elapsed();
    running.store(false, Ordering::Relaxed);
    let mut sign_ins: BTreeMap<u16, usize> = BTreeMap::new();
    for signer in signers {
        for (status, n) in signer.await.unwrap() {
            *sign_ins.entry(status).or_default() += n;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    store.close().await;

    let (idle_p50, idle_p99) = (percentile(&idle, 0.50), percentile(&idle, 0.99));
    let (load_p50, load_p99) = (percentile(&loaded, 0.50), percentile(&loaded, 0.99));
    println!(
        "signin (b): comment list, {reads} reads: idle p50 {:.1} ms, p99 {:.1} ms; during \
         {SIGN_IN_CLIENTS} concurrent sign-ins p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; \
         p99 ratio {:.2}× (aim ≤ 2×)",
        ms(idle_p50),
        ms(idle_p99),
        ms(load_p50),
        ms(load_p99),
        ms(percentile(&loaded, 1.0)),
        load_p99.as_secs_f64() / idle_p99.as_secs_f64().max(1e-6)
    );
    println!(
        "signin (b): sign-ins answered while the reads ran ({:.1} s): {} ({:.1} passwords \
         checked per second)",
        window.as_secs_f64(),
        statuses(&sign_ins),
        (sign_ins.get(&303).unwrap_or(&0) + sign_ins.get(&401).unwrap_or(&0)) as f64
            / window.as_secs_f64()
    );
    let failed_reads = loaded.iter().chain(&idle).any(|l| l.is_none());
    if recorded > 5 || failed_reads {
        println!("signin: FAILED (failures over the limit, or a read that failed)");
        std::process::exit(1);
    }
}

/// `moderators add NAME` on the command line, the password on standard input.
fn add_moderator(database: &str, name: &str) {
    let mut child = Command::new(BINARY)
        .args(["--database", database, "moderators", "add", name])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    assert!(child.wait().unwrap().success(), "moderators add {name}");
}

/// The sign-in form's pre-session cookie (`name=value`) and its token.
async fn sign_in_form(client: &reqwest::Client, base: &str) -> (String, String) {
    let answer = client
        .get(format!("{base}/moderate/sign-in"))
        .send()
        .await
        .unwrap();
    let cookie = answer
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|line| line.starts_with("aw-moderator-sign-in="))
        .map(|line| line.split(';').next().unwrap_or_default().to_owned())
        .unwrap_or_default();
    let page = answer.text().await.unwrap();
    let marker = "name=\"csrf\" value=\"";
    let token = page
        .find(marker)
        .map(|at| {
            page[at + marker.len()..]
                .split('"')
                .next()
                .unwrap_or_default()
        })
        .unwrap_or_default()
        .to_owned();
    (cookie, token)
}

/// One sign-in POST from this client address; its status (0 when it got no answer).
async fn sign_in(
    client: &reqwest::Client,
    base: &str,
    form: &(String, String),
    address: &str,
    name: &str,
    password: &str,
) -> u16 {
    let body = serde_urlencoded::to_string([
        ("name", name),
        ("password", password),
        ("csrf", form.1.as_str()),
    ])
    .unwrap();
    client
        .post(format!("{base}/moderate/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", &form.0)
        .header("X-Forwarded-For", address)
        .body(body)
        .send()
        .await
        .map_or(0, |answer| answer.status().as_u16())
}

/// `n` reads one after the other, 5 ms apart; each one's time (`None`: not a 200).
async fn read_latencies(client: &reqwest::Client, url: &str, n: usize) -> Vec<Option<Duration>> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let started = Instant::now();
        let answer = client.get(url).send().await;
        let ok = match answer {
            Ok(answer) if answer.status() == 200 => answer.bytes().await.is_ok(),
            _ => false,
        };
        out.push(ok.then(|| started.elapsed()));
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    out
}

fn percentile(latencies: &[Option<Duration>], p: f64) -> Duration {
    let mut sorted: Vec<Duration> = latencies.iter().flatten().copied().collect();
    sorted.sort();
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

fn statuses(answers: &BTreeMap<u16, usize>) -> String {
    answers
        .iter()
        .map(|(status, n)| format!("{n}×{status}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
