//! Operations, against the real binary: metrics (off by default, on their own listener),
//! readiness, and graceful shutdown on SIGTERM. The metrics and readiness cases run on
//! PostgreSQL too (`COMMENTS_TEST_POSTGRES`, a database of its own: it is emptied; `skip`
//! leaves it out).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use common::*;
use reqwest::StatusCode;

/// The service started with these flags, and its stdout's lines after the first (the
/// listening line, which sets `base`), read on a thread until the process closes its stdout.
fn start_reading_stdout(
    database: Option<&str>,
    extra: &[&str],
) -> (Service, std::sync::mpsc::Receiver<String>) {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().to_owned();
    let database = database.map_or_else(
        || format!("sqlite://{}", dir_path.join("comments.db").display()),
        str::to_owned,
    );
    let mut child = spawn(&database, extra);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let start = first
        .find("http://")
        .expect("the service prints its address");
    let base = first[start..].split_whitespace().next().unwrap().to_owned();
    let (lines, received) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                break;
            }
        }
    });
    let service = Service {
        child,
        base,
        database,
        _dir: dir,
        dir_path,
    };
    (service, received)
}

/// The metrics' address from the second line ("metrics on http://…/metrics").
fn metrics_url(lines: &std::sync::mpsc::Receiver<String>) -> String {
    let line = lines
        .recv_timeout(Duration::from_secs(10))
        .expect("a second line names the metrics' address");
    let start = line
        .find("http://")
        .expect("the metrics line has an address");
    line[start..].split_whitespace().next().unwrap().to_owned()
}

fn terminate(child: &Child) {
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    // SAFETY: kill(2) with a pid of a child this test started and has not reaped.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
}

fn wait_for_exit(child: &mut Child, within: Duration) -> ExitStatus {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        assert!(
            started.elapsed() < within,
            "the service did not exit within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The sum of the samples of `name` whose labels include every one of `labels` (`None`:
/// there is none).
fn sample(scrape: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    let found: Vec<f64> = scrape
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            (metric == name
                && labels
                    .iter()
                    .all(|(key, value)| rest.contains(&format!("{key}=\"{value}\""))))
            .then(|| value.parse().ok())?
        })
        .collect();
    (!found.is_empty()).then(|| found.iter().sum())
}

#[tokio::test]
async fn metrics_are_off_by_default() {
    let (mut service, lines) = start_reading_stdout(None, &[]);
    let client = reqwest::Client::new();
    let public = client.get(service.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND);
    // No second listener: stdout ends (at exit) without a metrics line.
    terminate(&service.child);
    assert!(wait_for_exit(&mut service.child, Duration::from_secs(25)).success());
    let rest: Vec<String> = lines.iter().collect();
    assert!(
        rest.iter().all(|line| !line.contains("metrics")),
        "without --metrics-address no metrics listener: {rest:?}"
    );
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_on_their_own_address() {
    metrics_count_requests_by_route_template_on(None).await;
}

async fn metrics_count_requests_by_route_template_on(database: Option<&str>) {
    let (service, lines) = start_reading_stdout(database, &["--metrics-address", "127.0.0.1:0"]);
    let metrics = metrics_url(&lines);
    assert_ne!(
        metrics.split('/').nth(2),
        service.base.split('/').nth(2),
        "metrics listen apart from the public address"
    );
    let client = reqwest::Client::new();
    // A new author's comment is held: one message for the moderators waits in the outbox.
    let (status, _, _) = post(
        &service,
        "ops-key-1",
        &body("Anne", "anne@example.org", "Hello"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    for article in [ARTICLE, ARTICLE, "another-article"] {
        let url = service.url(&format!("/api/articles/{article}/comments"));
        client.get(url).send().await.unwrap();
    }
    let missing = client
        .get(service.url("/no/such/page/123"))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    // The public address has no /metrics, with metrics on too.
    let public = client.get(service.url("/metrics")).send().await.unwrap();
    assert_eq!(public.status(), StatusCode::NOT_FOUND);

    let scrape = client.get(&metrics).send().await.unwrap();
    assert_eq!(scrape.status(), StatusCode::OK);
    let content_type = scrape.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("text/plain; version=0.0.4"),
        "{content_type}"
    );
    let text = scrape.text().await.unwrap();
    let route = "/api/articles/{id}/comments";
    let requests = "comments_http_requests_total";
    assert_eq!(
        sample(
            &text,
            requests,
            &[("route", route), ("method", "POST"), ("status", "201")]
        ),
        Some(1.0),
        "{text}"
    );
    // Three reads of two articles: one series, by the template.
    let reads = sample(&text, requests, &[("route", route), ("method", "GET")]);
    assert!(reads.is_some_and(|n| n >= 3.0), "{text}");
    assert!(
        !text.contains(ARTICLE) && !text.contains("another-article"),
        "raw paths: {text}"
    );
    assert!(!text.contains("/no/such/page"), "{text}");
    assert!(
        sample(&text, requests, &[("route", "other"), ("status", "404")]).is_some_and(|n| n >= 2.0),
        "{text}"
    );
    // A histogram per route: buckets, sum and count.
    let latency = "comments_http_request_duration_seconds";
    assert!(
        text.contains(&format!("# TYPE {latency} histogram")),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("{latency}_count"),
            &[("route", route), ("method", "POST")]
        ),
        Some(1.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            &format!("{latency}_bucket"),
            &[("route", route), ("method", "POST"), ("le", "+Inf")]
        ),
        Some(1.0),
        "{text}"
    );
    assert!(sample(
        &text,
        &format!("{latency}_sum"),
        &[("route", route), ("method", "POST")]
    )
    .is_some_and(|seconds| seconds > 0.0));
    // Read from the store at the scrape.
    assert_eq!(
        sample(&text, "comments_outbox_depth", &[]),
        Some(1.0),
        "{text}"
    );
    assert!(sample(&text, "comments_outbox_oldest_due_age_seconds", &[]).is_some_and(|s| s >= 0.0));
    assert_eq!(sample(&text, "comments_database_up", &[]), Some(1.0));
    assert!(
        sample(&text, "comments_db_pool_connections", &[("pool", "pool")])
            .is_some_and(|n| n >= 1.0),
        "{text}"
    );
    // SQLite's comments are written through a pool of one connection of their own.
    let writer = sample(
        &text,
        "comments_db_pool_max_connections",
        &[("pool", "writer")],
    );
    assert_eq!(writer, database.is_none().then_some(1.0), "{text}");
    assert!(sample(
        &text,
        "comments_db_pool_idle_connections",
        &[("pool", "pool")]
    )
    .is_some());
}

#[tokio::test]
async fn ready_only_with_every_migration_applied() {
    ready_only_with_every_migration_applied_on(None).await;
}

/// Both cases on PostgreSQL in one test, one after the other: they share its database.
#[tokio::test]
async fn metrics_and_readiness_on_postgres() {
    let Some(url) = postgres_url() else { return };
    empty_postgres(&url).await;
    metrics_count_requests_by_route_template_on(Some(&url)).await;
    empty_postgres(&url).await;
    ready_only_with_every_migration_applied_on(Some(&url)).await;
}

async fn ready_only_with_every_migration_applied_on(database: Option<&str>) {
    let service = Service::start_on(database, &[]);
    let client = reqwest::Client::new();
    let ready = client.get(service.url("/readyz")).send().await.unwrap();
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.headers()["content-type"], "application/json");
    let answer: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(answer["status"], "ready");

    // The newest migration's record gone, as if an older schema were behind this binary.
    let pool = service.database_pool().await;
    let newest: i64 = sqlx::query_scalar("SELECT MAX(version) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    sqlx::query(&format!(
        "DELETE FROM _sqlx_migrations WHERE version = {newest}"
    ))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let unready = client.get(service.url("/readyz")).send().await.unwrap();
    assert_eq!(unready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let answer: serde_json::Value = unready.json().await.unwrap();
    assert_eq!(answer["missing"], serde_json::json!([newest]), "{answer}");
    // Liveness is not readiness: the process and its database are fine.
    let live = client.get(service.url("/healthz")).send().await.unwrap();
    assert_eq!(live.status(), StatusCode::OK);
}

/// Reads an HTTP/1.1 response's head and its `Content-Length` body.
fn read_response(stream: &mut BufReader<TcpStream>) -> (u16, String) {
    let mut status_line = String::new();
    stream.read_line(&mut status_line).unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("a status line: {status_line:?}"));
    let mut length = 0;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap();
            }
        }
    }
    let mut body = vec![0; length];
    stream.read_exact(&mut body).unwrap();
    (status, String::from_utf8_lossy(&body).into_owned())
}

#[tokio::test]
async fn sigterm_finishes_the_request_in_flight_refuses_new_ones_and_exits_0() {
    let mut service = Service::start(&[]);
    let address = service.base.trim_start_matches("http://").to_owned();
    let comment = body("Anne", "anne@example.org", "Sent slowly, across a shutdown").to_string();
    let (first_half, second_half) = comment.as_bytes().split_at(comment.len() / 2);

    // A post whose body is still on its way: `Expect: 100-continue` makes the server say
    // when its handler starts reading it, so the request is known to be in flight.
    let stream = TcpStream::connect(&address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    write!(
        writer,
        "POST /api/articles/{ARTICLE}/comments HTTP/1.1\r\nHost: {address}\r\n\
         Content-Type: application/json\r\nIdempotency-Key: ops-slow-1\r\n\
         Comment-Author-Token: {TOKEN}\r\nContent-Length: {}\r\nExpect: 100-continue\r\n\r\n",
        comment.len()
    )
    .unwrap();
    let (continued, _) = read_response(&mut reader);
    assert_eq!(continued, 100);
    writer.write_all(first_half).unwrap();
    writer.flush().unwrap();

    terminate(&service.child);
    // No new connection once the signal is taken: wait until one is refused.
    let started = Instant::now();
    loop {
        match TcpStream::connect(&address) {
            Err(error) => {
                assert_eq!(error.kind(), std::io::ErrorKind::ConnectionRefused);
                break;
            }
            Ok(_) => {
                assert!(
                    started.elapsed() < Duration::from_secs(10),
                    "still accepting connections 10 s after SIGTERM"
                );
                std::thread::sleep(Duration::from_millis(10));
            }
        }
    }
    assert!(
        service.child.try_wait().unwrap().is_none(),
        "the process waits for the request in flight"
    );

    // The rest of the body: the request completes, stored and answered.
    writer.write_all(second_half).unwrap();
    writer.flush().unwrap();
    let (status, answer) = read_response(&mut reader);
    assert_eq!(status, 201, "{answer}");
    let answer: serde_json::Value = serde_json::from_str(&answer).unwrap();
    let id = answer["comment"]["id"].as_str().unwrap().to_owned();

    let exit = wait_for_exit(&mut service.child, Duration::from_secs(25));
    assert_eq!(exit.code(), Some(0), "{exit:?}");
    let pool = service.database_pool().await;
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM comments WHERE id = ?")
        .bind(&id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(stored, 1);
}

#[tokio::test]
async fn sigterm_stops_the_mail_worker_between_messages() {
    let smtp = SmtpServer::start();
    let port = smtp.port.to_string();
    let mut service = Service::start(&[
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--moderator-email",
        "desk@example.org",
        "--outbox-poll-ms",
        "100",
    ]);
    // A held comment: the worker sends the moderators' message, so it is running.
    let (status, _, _) = post(
        &service,
        "ops-mail-1",
        &body("Anne", "anne@example.org", "Held"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let started = Instant::now();
    while smtp.messages().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "no message sent"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The worker, between messages, stops at once: the process exits well before the
    // shutdown's 20 s grace, which it would wait out for a worker that went on.
    terminate(&service.child);
    let exit = wait_for_exit(&mut service.child, Duration::from_secs(5));
    assert_eq!(exit.code(), Some(0), "{exit:?}");
}

/// An SMTP server on 127.0.0.1 that holds its greeting until `go` is sent, then accepts
/// every message; `connected` says when the first client is there.
fn stalling_smtp() -> (
    u16,
    std::sync::mpsc::Receiver<()>,
    std::sync::mpsc::Sender<()>,
) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (connected, connection) = std::sync::mpsc::channel();
    let (go, wait) = std::sync::mpsc::channel::<()>();
    std::thread::spawn(move || {
        let mut first = true;
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            if first {
                first = false;
                let _ = connected.send(());
                let _ = wait.recv();
            }
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let _ = stream.write_all(b"220 stand-in ESMTP\r\n");
            let mut in_data = false;
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                let answer: &[u8] = if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        b"250 queued\r\n"
                    } else {
                        b""
                    }
                } else if line.to_ascii_uppercase().starts_with("DATA") {
                    in_data = true;
                    b"354 go on\r\n"
                } else if line.to_ascii_uppercase().starts_with("QUIT") {
                    let _ = stream.write_all(b"221 bye\r\n");
                    break;
                } else {
                    b"250 ok\r\n"
                };
                let _ = stream.write_all(answer);
                line.clear();
            }
        }
    });
    (port, connection, go)
}

#[tokio::test]
async fn sigterm_mid_send_finishes_that_message_and_gives_back_the_rest_of_the_batch() {
    let (port, connected, go) = stalling_smtp();
    let port = port.to_string();
    let mut service = Service::start(&[
        "--smtp-host",
        "127.0.0.1",
        "--smtp-port",
        &port,
        "--smtp-tls",
        "none",
        "--moderator-email",
        "desk@example.org",
        "--flood-seconds",
        "0",
        "--outbox-poll-ms",
        "2000",
    ]);
    // Three held comments, stored before the worker's next look (2 s after its first): one
    // batch of three claims.
    for n in 0..3 {
        let email = format!("reader{n}@example.org");
        let (status, _, _) = post(
            &service,
            &format!("ops-batch-{n}"),
            &body("Reader", &email, "Held"),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // The worker is sending the first (the server holds its greeting): stop it now.
    connected
        .recv_timeout(Duration::from_secs(20))
        .expect("the worker connects to the SMTP server");
    terminate(&service.child);
    go.send(()).unwrap();
    let exit = wait_for_exit(&mut service.child, Duration::from_secs(15));
    assert_eq!(exit.code(), Some(0), "{exit:?}");

    let pool = service.database_pool().await;
    let rows: Vec<(Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT sent_at, claimed_by FROM outbox WHERE kind = 'held'")
            .fetch_all(&pool)
            .await
            .unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    let sent = rows.iter().filter(|(sent, _)| sent.is_some()).count();
    assert_eq!(
        sent, 1,
        "the message being sent is finished and marked: {rows:?}"
    );
    assert!(
        rows.iter()
            .all(|(sent, claim)| sent.is_some() || claim.is_none()),
        "the rest are given back, not left claimed: {rows:?}"
    );
}
