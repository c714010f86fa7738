//! Likes (issue 20) on both engines: the store (a like and its undo, exact counts under
//! concurrency, one's own comment and held comments refused, the address's limit, the
//! activity a like moves, "Best first" paged by keyset) and the HTTP endpoint (foreign
//! origins, oversized and unreadable bodies, unknown ids, held comments, one's own comment,
//! the list's counts and marks, the public list's validator). PostgreSQL is the database
//! `COMMENTS_TEST_POSTGRES` names (emptied first). The benchmark (`--ignored`) prints likes
//! per second on one comment.

mod common;

use std::time::Instant;

use article_widget::domain::thread::ThreadOrder;
use comment_service::store::{Cursor, LikeLimit, LikeOutcome, PageRequest, Store};
use common::{Service, ARTICLE, TOKEN};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// A comment stored by SQL as it is (root of its own thread), so this suite does not depend
/// on the fields of the store's comment type.
async fn insert(
    (pool, postgres): &(sqlx::AnyPool, bool),
    id: &str,
    status: &str,
    at: i64,
    token: Option<&str>,
) {
    let mut sql = "INSERT INTO comments (id, article_id, parent_id, author, email, website,
         content, status, created_at, client_address, author_token, notify, root_id)
         VALUES (?, 'article', NULL, 'Ann', 'ann@example.com', NULL, 'A comment.', ?, ?,
         '127.0.0.1', ?, 0, ?)"
        .to_owned();
    if *postgres {
        for n in 1..=5 {
            sql = sql.replacen('?', &format!("${n}"), 1);
        }
    }
    sqlx::query(&sql)
        .bind(id)
        .bind(status)
        .bind(at)
        .bind(token)
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
}

fn unlimited() -> LikeLimit {
    LikeLimit {
        subject: "like:test".into(),
        window_ms: 0,
        turns: 0,
    }
}

async fn like(store: &Store, id: &str, reader: &str, liked: bool) -> LikeOutcome {
    store
        .set_like("article", id, reader, liked, 1_000, &unlimited())
        .await
        .unwrap()
}

async fn page(
    store: &Store,
    order: ThreadOrder,
    per_page: usize,
    after: Option<Cursor>,
) -> (Vec<String>, Option<Cursor>) {
    let page = store
        .comment_page(
            "article",
            None,
            &PageRequest {
                per_page,
                order,
                after,
            },
            None,
        )
        .await
        .unwrap();
    (page.comments.into_iter().map(|c| c.id).collect(), page.next)
}

async fn storage_suite(url: &str) {
    let store = Store::open(url).await.unwrap();
    let pool = (
        sqlx::AnyPool::connect(url).await.unwrap(),
        url.starts_with("postgres"),
    );
    let token = "a".repeat(64);
    insert(&pool, "c1", "approved", 100, Some(&token)).await;
    insert(&pool, "c2", "approved", 200, None).await;
    insert(&pool, "c3", "approved", 300, None).await;
    insert(&pool, "held", "pending", 400, Some("b")).await;
    // Counted as a moderation would have (the likes below must leave the count alone).
    sqlx::query(
        "INSERT INTO article_activity (article_id, changed_at, approved) VALUES ('article', 400, 3)",
    )
    .execute(&pool.0)
    .await
    .unwrap();

    // A like, the same like again (nothing more), and its undo.
    let before = store.activity("article").await.unwrap().unwrap();
    assert_eq!(
        like(&store, "c2", "r1", true).await,
        LikeOutcome::Counted {
            likes: 1,
            liked: true
        }
    );
    let after = store.activity("article").await.unwrap().unwrap();
    assert!(
        after.changed_at > before.changed_at,
        "a like moves the validator"
    );
    assert_eq!(
        after.approved, before.approved,
        "and not the count of comments"
    );
    assert_eq!(
        like(&store, "c2", "r1", true).await,
        LikeOutcome::Counted {
            likes: 1,
            liked: true
        }
    );
    let unchanged = store.activity("article").await.unwrap().unwrap();
    assert_eq!(
        unchanged, after,
        "a like that changes nothing moves nothing"
    );
    assert_eq!(
        like(&store, "c2", "r1", false).await,
        LikeOutcome::Counted {
            likes: 0,
            liked: false
        }
    );
    assert_eq!(
        like(&store, "c2", "r1", false).await,
        LikeOutcome::Counted {
            likes: 0,
            liked: false
        }
    );
    assert!(store.activity("article").await.unwrap().unwrap().changed_at > after.changed_at);

    // Refused: one's own comment, held ones, unknown ids, another article's comment.
    assert_eq!(
        like(&store, "c1", &token, true).await,
        LikeOutcome::OwnComment
    );
    assert_eq!(
        like(&store, "held", "r1", true).await,
        LikeOutcome::NoSuchComment
    );
    assert_eq!(
        like(&store, "nope", "r1", true).await,
        LikeOutcome::NoSuchComment
    );
    assert_eq!(
        store
            .set_like("other", "c2", "r1", true, 1_000, &unlimited())
            .await
            .unwrap(),
        LikeOutcome::NoSuchComment
    );
    assert_eq!(store.like_rows("c1").await.unwrap(), 0);

    // Exact under concurrency: 40 readers at once, each liking twice, then half undoing.
    let tasks = (0..80).map(|n| {
        let store = store.clone();
        tokio::spawn(async move { like(&store, "c3", &format!("reader-{}", n % 40), true).await })
    });
    common::futures_join(tasks).await;
    assert_eq!(store.like_counts(&["c3".into()]).await.unwrap()["c3"], 40);
    assert_eq!(store.like_rows("c3").await.unwrap(), 40);
    let tasks = (0..20).map(|n| {
        let store = store.clone();
        tokio::spawn(async move { like(&store, "c3", &format!("reader-{n}"), false).await })
    });
    common::futures_join(tasks).await;
    assert_eq!(store.like_counts(&["c3".into()]).await.unwrap()["c3"], 20);
    assert_eq!(store.like_rows("c3").await.unwrap(), 20);

    // The address's limit: 3 turns a window, the fourth refused with the wait, a new window.
    let limit = LikeLimit {
        subject: "like:192.0.2.1".into(),
        window_ms: 60_000,
        turns: 3,
    };
    for n in 0..3 {
        let outcome = store
            .set_like("article", "c2", &format!("l{n}"), true, 10_000 + n, &limit)
            .await
            .unwrap();
        assert!(
            matches!(outcome, LikeOutcome::Counted { liked: true, .. }),
            "{outcome:?}"
        );
    }
    assert_eq!(
        store
            .set_like("article", "c2", "l3", true, 20_000, &limit)
            .await
            .unwrap(),
        LikeOutcome::TooMany(50_000)
    );
    assert_eq!(
        store.like_rows("c2").await.unwrap(),
        3,
        "a refused like adds nothing"
    );
    assert!(matches!(
        store
            .set_like("article", "c2", "l3", true, 70_000, &limit)
            .await
            .unwrap(),
        LikeOutcome::Counted {
            likes: 4,
            liked: true
        }
    ));

    // "Best first": c3 (20), c2 (4), c1 (0), a page at a time by keyset.
    let (first, next) = page(&store, ThreadOrder::BestFirst, 1, None).await;
    assert_eq!(first, ["c3"]);
    let next = next.unwrap();
    assert_eq!(next.likes, Some(20));
    let (second, next) = page(&store, ThreadOrder::BestFirst, 1, Some(next)).await;
    assert_eq!(second, ["c2"]);
    let (third, next) = page(&store, ThreadOrder::BestFirst, 1, next).await;
    assert_eq!(third, ["c1"]);
    assert!(next.is_none());
    let (all, _) = page(&store, ThreadOrder::BestFirst, 10, None).await;
    assert_eq!(all, ["c3", "c2", "c1"]);
    // As many likes: oldest first.
    insert(&pool, "c4", "approved", 50, None).await;
    let (all, _) = page(&store, ThreadOrder::BestFirst, 10, None).await;
    assert_eq!(all, ["c3", "c2", "c4", "c1"]);
    let page_with_likes = store
        .comment_page(
            "article",
            Some("reader-30"),
            &PageRequest {
                per_page: 10,
                order: ThreadOrder::OldestFirst,
                after: None,
            },
            None,
        )
        .await
        .unwrap();
    assert_eq!(page_with_likes.likes.get("c3"), Some(&20));
    assert!(page_with_likes.liked.contains("c3") && page_with_likes.liked.len() == 1);

    // A deleted comment's likes go with it.
    store.delete("c3", 80_000).await.unwrap();
    assert_eq!(store.like_rows("c3").await.unwrap(), 0);
    pool.0.close().await;
    store.close().await;
}

async fn send_like(
    service: &Service,
    id: &str,
    body: &str,
    token: Option<&str>,
    origin: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = Client::new()
        .post(service.url(&format!("/api/articles/{ARTICLE}/comments/{id}/likes")))
        .header("Content-Type", "application/json")
        .body(body.to_owned());
    if let Some(token) = token {
        request = request.header("Comment-Author-Token", token);
    }
    if let Some(origin) = origin {
        request = request.header("Origin", origin);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The moderation queue (every status) as a moderator sees it, signed in as a browser does.
async fn moderation_queue(service: &Service) -> String {
    let (client, session) = common::moderator_session(service, "mia").await;
    client
        .get(service.url("/moderate?status=all"))
        .header("Cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn http_suite(service: Service) {
    let reader = "token-of-bobs-browser-000002";
    let (status, _, posted) = common::post(
        &service,
        "k1",
        &common::body("Ann", "ann@example.com", "Liked by Bob"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = posted["comment"]["id"].as_str().unwrap().to_owned();
    let liked = r#"{"liked": true}"#;

    // The public list before, and its validator.
    let public = Client::new()
        .get(service.comments_url())
        .send()
        .await
        .unwrap();
    let tag = public.headers()["etag"].to_str().unwrap().to_owned();
    let value: Value = public.json().await.unwrap();
    assert_eq!(value["comments"][0]["likes"], 0);

    let (status, answer) = send_like(&service, &id, liked, Some(reader), None).await;
    assert_eq!(
        (status, answer),
        (StatusCode::OK, json!({"likes": 1, "liked": true}))
    );
    let (status, answer) = send_like(&service, &id, liked, Some(reader), None).await;
    assert_eq!(
        (status, answer),
        (StatusCode::OK, json!({"likes": 1, "liked": true})),
        "the same wish twice is one like"
    );

    // The public list shows the count, under a new validator; the reader's list marks it.
    let revalidated = Client::new()
        .get(service.comments_url())
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        revalidated.status(),
        StatusCode::OK,
        "a cached list is not stale"
    );
    let value: Value = revalidated.json().await.unwrap();
    assert_eq!(value["comments"][0]["likes"], 1);
    assert!(
        value["comments"][0].get("liked").is_none() && value["comments"][0].get("mine").is_none()
    );
    let theirs = common::list(&service, Some(reader)).await;
    assert_eq!(
        (theirs[0]["likes"].clone(), theirs[0]["liked"].clone()),
        (json!(1), json!(true))
    );
    let annes = common::list(&service, Some(TOKEN)).await;
    assert_eq!(
        (annes[0]["mine"].clone(), annes[0].get("liked")),
        (json!(true), None)
    );

    // The moderation queue shows the count.
    let queue = moderation_queue(&service).await;
    assert!(queue.contains(" · 1 like"), "{queue}");

    // Undone.
    let (status, answer) =
        send_like(&service, &id, r#"{"liked": false}"#, Some(reader), None).await;
    assert_eq!(
        (status, answer),
        (StatusCode::OK, json!({"likes": 0, "liked": false}))
    );

    // Refusals, each in words.
    let refused = [
        (
            send_like(&service, &id, liked, Some(TOKEN), None).await,
            StatusCode::FORBIDDEN,
            "own comment",
        ),
        (
            send_like(
                &service,
                "000000000000000000000000",
                liked,
                Some(reader),
                None,
            )
            .await,
            StatusCode::NOT_FOUND,
            "no published comment",
        ),
        (
            send_like(&service, &id, liked, None, None).await,
            StatusCode::UNAUTHORIZED,
            "Comment-Author-Token",
        ),
        (
            send_like(
                &service,
                &id,
                liked,
                Some(reader),
                Some("https://evil.example"),
            )
            .await,
            StatusCode::FORBIDDEN,
            "may not use",
        ),
        (
            send_like(
                &service,
                &id,
                &format!(r#"{{"liked": true, "x": "{}"}}"#, "x".repeat(4096)),
                Some(reader),
                None,
            )
            .await,
            StatusCode::PAYLOAD_TOO_LARGE,
            "too long",
        ),
        (
            send_like(&service, &id, "yes please", Some(reader), None).await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{\"liked\": true}",
        ),
    ];
    for ((status, answer), want, words) in refused {
        assert_eq!(status, want, "{answer}");
        assert!(
            answer["error"].as_str().unwrap().contains(words),
            "{answer}"
        );
    }

    // A held comment is as unknown as a made-up id, and so is a rejected one.
    let mut service = service;
    service.restart(&["--moderation", "hold-all", "--flood-seconds", "0"]);
    let (status, _, held) = common::post(
        &service,
        "k2",
        &common::body("Cy", "cy@example.com", "Held for now"),
    )
    .await;
    assert_eq!(
        (status, held["comment"]["status"].clone()),
        (StatusCode::CREATED, json!("pending"))
    );
    let held_id = held["comment"]["id"].as_str().unwrap();
    let (status, answer) = send_like(&service, held_id, liked, Some(reader), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("no published comment"));
    assert_eq!(service.moderate(&["reject", &id]).0, 0);
    let (status, answer) = send_like(&service, &id, liked, Some(reader), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");

    // "Best first" through the API, with its cursor.
    let response = Client::new()
        .get(format!("{}?per_page=1&order=best", service.comments_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bad = Client::new()
        .get(format!(
            "{}?per_page=1&order=best&after=1.x",
            service.comments_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn likes_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("likes.db").display());
    storage_suite(&sqlite).await;
    let flags = ["--moderation", "approve-all", "--flood-seconds", "0"];
    http_suite(Service::start(&flags)).await;
    let mut engines = vec!["sqlite"];
    if let Some(url) = common::postgres_url() {
        common::empty_postgres(&url).await;
        storage_suite(&url).await;
        common::empty_postgres(&url).await;
        http_suite(Service::start_on(Some(&url), &flags)).await;
        engines.push("postgres");
    }
    println!("likes tested on: {}", engines.join(", "));
}

/// Likes per second on one comment, each from another reader (the address's limit off):
/// `cargo test -p comment-service --release --test likes -- --ignored --nocapture`.
#[tokio::test]
#[ignore]
async fn likes_per_second_on_one_comment() {
    let dir = tempfile::tempdir().unwrap();
    let mut urls = vec![format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    )];
    if let Some(url) = common::postgres_url() {
        common::empty_postgres(&url).await;
        urls.push(url);
    }
    for url in urls {
        let store = Store::open(&url).await.unwrap();
        let pool = (
            sqlx::AnyPool::connect(&url).await.unwrap(),
            url.starts_with("postgres"),
        );
        insert(&pool, "liked", "approved", 1, None).await;
        pool.0.close().await;
        let (likes, concurrency) = (4_000, 16);
        let started = Instant::now();
        let tasks = (0..concurrency).map(|worker| {
            let store = store.clone();
            tokio::spawn(async move {
                for n in (worker..likes).step_by(concurrency) {
                    like(&store, "liked", &format!("reader-{n}"), true).await;
                }
            })
        });
        common::futures_join(tasks).await;
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(
            store.like_counts(&["liked".into()]).await.unwrap()["liked"],
            likes as i64
        );
        println!(
            "{}: {likes} likes on one comment, {concurrency} at a time: {:.0} likes/s",
            store.engine().name(),
            likes as f64 / seconds
        );
        store.close().await;
    }
}
