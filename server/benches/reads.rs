//! Reading long threads (a benchmark, not a test): an article with BENCH_COMMENTS (10,000)
//! comments, seven in ten top-level and the rest replies, and 50 more articles with a few
//! each, stored in one go; then the real binary on 127.0.0.1 and BENCH_READERS (16)
//! concurrent readers for BENCH_SECONDS (5) per scenario: the first page, a middle page,
//! the counts of 50 articles, and each of those again as a revalidation (`If-None-Match`,
//! answered 304). Prints requests per second and p50/p99 latency per scenario.
//!
//! BENCH_DATABASE: a fresh SQLite file by default; a postgres:// URL to read PostgreSQL
//! (seeded once: rows already there are kept).

use std::sync::Arc;
use std::time::{Duration, Instant};

use comment_service::store::{ModerationStatus, Store, StoredComment};
use serde_json::Value;

mod support;
use support::{setting, start_service};
const ARTICLE: &str = "bench-long";

fn comment(id: String, article: &str, parent: Option<String>, at: i64) -> StoredComment {
    StoredComment {
        content: format!(
            "Comment {id}: a sentence or two about the treaty, as readers write them, with a \
             second line.\nAnd a third."
        ),
        id,
        article_id: article.to_owned(),
        parent_id: parent,
        author: "A reader".to_owned(),
        email: "reader@example.com".to_owned(),
        website: None,
        status: ModerationStatus::Approved,
        created_at: at,
        client_address: "127.0.0.1".to_owned(),
        author_token: None,
        account: None,
        badges: None,
        notify: false,
    }
}

/// The long thread: roots and replies, the replies to a recent root (a simple deterministic
/// mix, so every run reads the same thread).
fn long_thread(count: usize) -> Vec<StoredComment> {
    let start = 1_700_000_000_000i64;
    let mut roots: Vec<String> = Vec::new();
    let mut out = Vec::with_capacity(count);
    for n in 0..count {
        let id = format!("bench{n:06}");
        let parent = (n % 10 >= 7 && !roots.is_empty()).then(|| {
            let back = (n * 7919) % roots.len().min(40);
            roots[roots.len() - 1 - back].clone()
        });
        if parent.is_none() {
            roots.push(id.clone());
        }
        out.push(comment(id, ARTICLE, parent, start + n as i64 * 1_000));
    }
    out
}

struct Outcome {
    requests: usize,
    statuses: std::collections::BTreeMap<u16, usize>,
    latencies: Vec<Duration>,
}

async fn run(
    client: &reqwest::Client,
    url: &str,
    tag: Option<&str>,
    readers: usize,
    seconds: u64,
) -> Outcome {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let url = Arc::new(url.to_owned());
    let tag = Arc::new(tag.map(str::to_owned));
    let mut tasks = Vec::new();
    for _ in 0..readers {
        let (client, url, tag) = (client.clone(), url.clone(), tag.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut statuses = Vec::new();
            while Instant::now() < deadline {
                let mut request = client.get(url.as_str());
                if let Some(tag) = tag.as_deref() {
                    request = request.header("If-None-Match", tag);
                }
                let started = Instant::now();
                let status = match request.send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        status
                    }
                    Err(_) => 0,
                };
                latencies.push(started.elapsed());
                statuses.push(status);
            }
            (latencies, statuses)
        }));
    }
    let mut outcome = Outcome {
        requests: 0,
        statuses: Default::default(),
        latencies: Vec::new(),
    };
    for task in tasks {
        let (latencies, statuses) = task.await.unwrap();
        outcome.requests += statuses.len();
        for status in statuses {
            *outcome.statuses.entry(status).or_default() += 1;
        }
        outcome.latencies.extend(latencies);
    }
    outcome.latencies.sort();
    outcome
}

fn report(name: &str, outcome: &Outcome, seconds: u64) {
    let percentile = |p: f64| {
        let l = &outcome.latencies;
        l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
            .as_secs_f64()
            * 1000.0
    };
    let statuses: Vec<String> = outcome
        .statuses
        .iter()
        .map(|(status, n)| format!("{n}×{status}"))
        .collect();
    println!(
        "reads: {name:<34} {:>7.0} req/s   p50 {:>6.2} ms   p99 {:>6.2} ms   ({})",
        outcome.requests as f64 / seconds as f64,
        percentile(0.50),
        percentile(0.99),
        statuses.join(", ")
    );
}

#[tokio::main]
async fn main() {
    let count = setting("BENCH_COMMENTS", 10_000) as usize;
    let readers = setting("BENCH_READERS", 16) as usize;
    let seconds = setting("BENCH_SECONDS", 5);
    let dir = tempfile::tempdir().unwrap();
    let database = std::env::var("BENCH_DATABASE")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("reads.db").display()));
    let engine = if database.starts_with("postgres") {
        "postgres"
    } else {
        "sqlite"
    };

    let store = Store::open(&database).await.unwrap();
    let started = Instant::now();
    let mut rows = long_thread(count);
    for article in 0..50 {
        for n in 0..(article % 7) {
            rows.push(comment(
                format!("bench-a{article}-{n}"),
                &format!("bench-{article}"),
                None,
                1_700_000_000_000 + n as i64,
            ));
        }
    }
    let added = store
        .insert_many(&rows, comment_service::clock::now_ms())
        .await
        .unwrap();
    println!(
        "reads: {engine}: {count} comments on one article, 50 more articles; {added} stored in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    for plan in store.explain_paging(true).await.unwrap() {
        println!("reads: plan with the table as it is:\n{plan}");
    }
    store.close().await;

    // The articles, each taking comments (the service answers only for those).
    let folder = dir.path().join("articles");
    std::fs::create_dir_all(&folder).unwrap();
    let ids = std::iter::once(ARTICLE.to_owned()).chain((0..50).map(|n| format!("bench-{n}")));
    for id in ids {
        let article = format!(
            r#"{{"id":"{id}","headline":"{id}","published":"2025-01-17","comments":{{"url":"/api/articles/{id}/comments"}}}}"#
        );
        std::fs::write(folder.join(format!("{id}.json")), article).unwrap();
    }
    let folder = folder.display().to_string();
    let (mut child, base) = start_service(&database, &["--articles", &folder]);
    let client = reqwest::Client::new();
    let api = format!("{base}/api/articles/{ARTICLE}/comments");

    // The first page, and the middle one (following `next`, as the widget would).
    let first = format!("{api}?per_page=50&order=oldest");
    let mut middle = first.clone();
    let mut pages = 1;
    loop {
        let page: Value = client
            .get(&middle)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let Some(next) = page["next"].as_str() else {
            break;
        };
        pages += 1;
        let next = format!("{api}{next}");
        if pages > (count * 7 / 10) / 50 / 2 {
            middle = next;
            break;
        }
        middle = next;
    }
    let articles: Vec<String> = (0..50).map(|n| format!("bench-{n}")).collect();
    let counts = format!("{base}/api/comment-counts?articles={}", articles.join(","));
    println!(
        "reads: {readers} concurrent readers, {seconds} s per scenario; the middle page is page {pages}"
    );

    for (name, url) in [
        ("first page (50 threads)", &first),
        ("middle page", &middle),
        ("counts of 50 articles", &counts),
    ] {
        let answer = client.get(url.as_str()).send().await.unwrap();
        assert_eq!(answer.status().as_u16(), 200, "{url}");
        let tag = answer.headers()["etag"].to_str().unwrap().to_owned();
        let size = answer.bytes().await.unwrap().len();
        report(
            &format!("{name}, {size} B"),
            &run(&client, url, None, readers, seconds).await,
            seconds,
        );
        report(
            &format!("{name}, revalidated (304)"),
            &run(&client, url, Some(&tag), readers, seconds).await,
            seconds,
        );
    }
    let _ = child.kill();
    let _ = child.wait();
}
