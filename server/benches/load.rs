//! Load check for the comment service: N concurrent posters for a fixed time against the real
//! binary on 127.0.0.1, then a look in the database that every 201 is there exactly once.
//!
//! Settings (environment): BENCH_POSTERS (16), BENCH_SECONDS (10), BENCH_DATABASE (a fresh
//! SQLite file; a postgres:// URL to load PostgreSQL). The service runs with flood control
//! off and approve-all moderation, so that it measures storing comments, not refusing them.

use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use comment_service::store::Store;
use serde_json::{json, Value};

mod support;
use support::{setting, start_service};

#[tokio::main]
async fn main() {
    let posters = setting("BENCH_POSTERS", 16) as usize;
    let seconds = setting("BENCH_SECONDS", 10);
    let dir = tempfile::tempdir().unwrap();
    let database = std::env::var("BENCH_DATABASE")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let (mut child, base) = start_service(
        &database,
        &["--flood-seconds", "0", "--moderation", "approve-all"],
    );
    let url = Arc::new(format!("{base}/api/articles/russia-iran-treaty/comments"));
    println!(
        "load: {posters} posters for {seconds} s against {base} ({})",
        if database.starts_with("postgres") {
            "postgres"
        } else {
            "sqlite"
        }
    );

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let client = reqwest::Client::new();
    let mut tasks = Vec::new();
    for poster in 0..posters {
        let (url, client) = (url.clone(), client.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut created = Vec::new();
            let mut failures = 0usize;
            let mut n = 0;
            while Instant::now() < deadline {
                n += 1;
                let rendered_at = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64 - 10_000;
                let body = json!({"parent": null, "author": format!("Poster {poster}"), "email": format!("poster{poster}@example.com"),
                    "website": "", "content": format!("Load comment {n} from poster {poster}."), "honeypot": "", "rendered_at": rendered_at});
                let started = Instant::now();
                let response = client
                    .post(url.as_str())
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", format!("bench-{poster}-{n}"))
                    .body(body.to_string())
                    .send()
                    .await;
                let elapsed = started.elapsed();
                match response {
                    Ok(response) if response.status().as_u16() == 201 => {
                        let value: Value = response.json().await.unwrap_or(Value::Null);
                        created.push(value["comment"]["id"].as_str().unwrap_or_default().to_owned());
                        latencies.push(elapsed);
                    }
                    _ => failures += 1,
                }
            }
            (latencies, created, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut created = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (l, c, f) = task.await.unwrap();
        latencies.extend(l);
        created.extend(c);
        failures += f;
    }
    latencies.sort();
    let percentile = |p: f64| {
        latencies
            .get(((latencies.len() as f64 * p) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    let _ = child.kill();
    let _ = child.wait();

    let store = Store::open(&database).await.unwrap();
    let stored = store.comments_with_status(None).await.unwrap();
    let mut stored_ids: Vec<&str> = stored.iter().map(|c| c.id.as_str()).collect();
    stored_ids.sort();
    let mut acknowledged: Vec<&str> = created.iter().map(String::as_str).collect();
    acknowledged.sort();
    let exactly_once = stored_ids == acknowledged;
    println!(
        "load: {} comments acknowledged (201), {failures} failed requests",
        created.len()
    );
    println!(
        "load: {:.0} comments per second",
        created.len() as f64 / seconds as f64
    );
    println!(
        "load: latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        ms(percentile(0.50)),
        ms(percentile(0.99)),
        ms(percentile(1.0))
    );
    println!(
        "load: every 201 in the database exactly once: {} ({} rows for {} acknowledgements)",
        if exactly_once { "yes" } else { "NO" },
        stored_ids.len(),
        acknowledged.len()
    );
    if !exactly_once {
        std::process::exit(1);
    }
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
