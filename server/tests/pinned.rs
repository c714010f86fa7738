//! Pinned comments and badges (issue 20) on both engines: the store (only an approved comment
//! that begins a thread is pinned, at most `MAX_PINNED` per article even when pinned at once,
//! unpinning, the pinned threads first on the first page and on no other page in every order,
//! a pin moving the article's activity) and the service over HTTP (the moderation area's pin
//! and unpin behind its CSRF token and in the audit log, a fourth pin refused in words, the
//! public list with `pinned` first; badges stored from the verified token, the moderator role
//! and the article's author account, never from the body); likes by account (one like per
//! account from any browser, none on its own comment, its list's marks). PostgreSQL is the database
//! `COMMENTS_TEST_POSTGRES` names (emptied first).

mod common;

use std::collections::HashSet;
use std::process::{Command, Stdio};

use article_widget::domain::thread::ThreadOrder;
use comment_service::store::{Cursor, ModerationStatus, PageRequest, PinOutcome, Store};
use common::{read_address, Service, ARTICLE, BINARY, TOKEN};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

/// A comment stored by SQL as it is: a root, or a reply in `root`'s thread.
async fn insert(
    (pool, postgres): &(sqlx::AnyPool, bool),
    id: &str,
    status: &str,
    at: i64,
    root: Option<&str>,
) {
    let mut sql = "INSERT INTO comments (id, article_id, parent_id, author, email, website,
         content, status, created_at, client_address, author_token, notify, root_id, likes)
         VALUES (?, 'article', ?, 'Ann', 'ann@example.com', NULL, 'A comment.', ?, ?,
         '127.0.0.1', NULL, 0, ?, ?)"
        .to_owned();
    if *postgres {
        for n in 1..=6 {
            sql = sql.replacen('?', &format!("${n}"), 1);
        }
    }
    // Likes that make "Best first" differ from both time orders.
    let likes = (at / 100) % 3;
    sqlx::query(&sql)
        .bind(id)
        .bind(root)
        .bind(status)
        .bind(at)
        .bind(root.unwrap_or(id))
        .bind(likes)
        .execute(pool)
        .await
        .unwrap();
}

/// Every page of the public thread in `order`, `per_page` threads each: the ids on each page,
/// and the ids the store said were pinned on each.
async fn pages(
    store: &Store,
    order: ThreadOrder,
    per_page: usize,
) -> Vec<(Vec<String>, HashSet<String>)> {
    let mut after: Option<Cursor> = None;
    let mut out = Vec::new();
    loop {
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
        out.push((
            page.comments.iter().map(|c| c.id.clone()).collect(),
            page.pinned,
        ));
        match page.next {
            Some(next) => after = Some(next),
            None => return out,
        }
    }
}

/// Checks the public thread in every order: the pinned threads (roots and their replies) lead
/// the first page and are on no other; every visible comment is on exactly one page.
async fn check_pages(store: &Store, pinned: &[&str], visible: &[&str]) {
    for order in [
        ThreadOrder::OldestFirst,
        ThreadOrder::NewestFirst,
        ThreadOrder::BestFirst,
    ] {
        let pages = pages(store, order, 2).await;
        let first = &pages[0].0;
        let leading: HashSet<&str> = first[..pinned.len()].iter().map(String::as_str).collect();
        assert_eq!(
            leading,
            pinned.iter().copied().collect::<HashSet<_>>(),
            "{order:?}: the pinned roots lead the first page: {pages:?}"
        );
        assert_eq!(
            pages[0].1,
            pinned
                .iter()
                .map(|id| id.to_string())
                .collect::<HashSet<_>>(),
            "{order:?}: the page says which are pinned"
        );
        assert!(
            pages[1..].iter().all(|(_, pinned)| pinned.is_empty()),
            "{order:?}: pinned only on the first page"
        );
        let all: Vec<&str> = pages
            .iter()
            .flat_map(|(ids, _)| ids.iter().map(String::as_str))
            .collect();
        let unique: HashSet<&str> = all.iter().copied().collect();
        assert_eq!(
            all.len(),
            unique.len(),
            "{order:?}: a comment on two pages: {pages:?}"
        );
        assert_eq!(
            unique,
            visible.iter().copied().collect::<HashSet<_>>(),
            "{order:?}: every visible comment once"
        );
    }
}

async fn storage_suite(url: &str) {
    let store = Store::open(url).await.unwrap();
    let pool = (
        sqlx::AnyPool::connect(url).await.unwrap(),
        url.starts_with("postgres"),
    );
    for n in 1..=7 {
        insert(&pool, &format!("r{n}"), "approved", n * 100, None).await;
    }
    insert(&pool, "r2-reply", "approved", 250, Some("r2")).await;
    insert(&pool, "r5-reply", "approved", 550, Some("r5")).await;
    insert(&pool, "held", "pending", 800, None).await;
    let visible = [
        "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r2-reply", "r5-reply",
    ];

    // Only an approved comment that begins a thread.
    assert_eq!(
        store.pin("r2-reply", 1_000).await.unwrap(),
        PinOutcome::NotAThread
    );
    assert_eq!(
        store.pin("held", 1_000).await.unwrap(),
        PinOutcome::NotApproved
    );
    assert_eq!(
        store.pin("nobody", 1_000).await.unwrap(),
        PinOutcome::NoSuchComment
    );
    check_pages(&store, &[], &visible).await;

    // Pinned: first on the first page in every order, with its replies, and nowhere else.
    let before = store.activity("article").await.unwrap();
    assert_eq!(store.pin("r5", 1_000).await.unwrap(), PinOutcome::Pinned);
    let after = store.activity("article").await.unwrap().unwrap();
    assert!(
        before.is_none_or(|before| after.changed_at > before.changed_at),
        "a pin moves the validator"
    );
    check_pages(&store, &["r5"], &visible).await;
    let first = &pages(&store, ThreadOrder::OldestFirst, 2).await[0].0;
    assert_eq!(
        first[..2],
        ["r5", "r1"],
        "pinned first, then the page's roots"
    );
    assert!(
        first.contains(&"r5-reply".to_owned()),
        "its replies with it"
    );

    // At most three; a fourth is refused, pinning again changes nothing.
    assert_eq!(store.pin("r3", 1_001).await.unwrap(), PinOutcome::Pinned);
    assert_eq!(store.pin("r7", 1_002).await.unwrap(), PinOutcome::Pinned);
    assert_eq!(store.pin("r3", 1_003).await.unwrap(), PinOutcome::Pinned);
    assert_eq!(store.pin("r1", 1_004).await.unwrap(), PinOutcome::Full);
    check_pages(&store, &["r5", "r3", "r7"], &visible).await;

    // Unpinned: back among the paged roots.
    assert_eq!(
        store.unpin("r3", 1_005).await.unwrap(),
        PinOutcome::Unpinned
    );
    assert_eq!(
        store.unpin("r3", 1_006).await.unwrap(),
        PinOutcome::Unpinned
    );
    assert_eq!(
        store.unpin("nobody", 1_006).await.unwrap(),
        PinOutcome::NoSuchComment
    );
    check_pages(&store, &["r5", "r7"], &visible).await;

    // A pinned comment held again is not shown (nor paged), and keeps its place: approved
    // again, it is pinned again, so it can never make a fourth.
    assert!(store
        .set_status("r7", ModerationStatus::Pending, 1_007)
        .await
        .unwrap());
    let without_r7: Vec<&str> = visible.iter().copied().filter(|id| *id != "r7").collect();
    check_pages(&store, &["r5"], &without_r7).await;
    assert_eq!(store.pin("r1", 1_008).await.unwrap(), PinOutcome::Pinned);
    assert_eq!(store.pin("r2", 1_009).await.unwrap(), PinOutcome::Full);
    assert!(store
        .set_status("r7", ModerationStatus::Approved, 1_010)
        .await
        .unwrap());
    check_pages(&store, &["r5", "r7", "r1"], &visible).await;
    assert_eq!(
        store
            .pinned_among(&["r1".into(), "r2".into(), "r7".into()])
            .await
            .unwrap(),
        HashSet::from(["r1".to_owned(), "r7".to_owned()])
    );

    // Pinned at once by several moderators: the last places are taken once.
    for id in ["r1", "r7"] {
        assert_eq!(store.unpin(id, 1_011).await.unwrap(), PinOutcome::Unpinned);
    }
    let attempts = ["r1", "r2", "r3", "r4", "r6", "r7"].map(|id| {
        let store = store.clone();
        tokio::spawn(async move { store.pin(id, 1_012).await.unwrap() })
    });
    let outcomes = common::futures_join(attempts.into_iter()).await;
    assert_eq!(
        outcomes
            .iter()
            .filter(|o| **o == PinOutcome::Pinned)
            .count(),
        2,
        "{outcomes:?}"
    );
    assert_eq!(
        outcomes.iter().filter(|o| **o == PinOutcome::Full).count(),
        4,
        "{outcomes:?}"
    );
    let pinned: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM comments WHERE pinned_at IS NOT NULL AND article_id = 'article'",
    )
    .fetch_one(&pool.0)
    .await
    .unwrap();
    assert_eq!(pinned, 3);

    // Edited by its author, a pinned comment is unpinned: a moderator pinned the text as it
    // was (review finding).
    sqlx::query("UPDATE comments SET author_token = 'r5-authors-digest' WHERE id = 'r5'")
        .execute(&pool.0)
        .await
        .unwrap();
    let limit = comment_service::store::LikeLimit {
        subject: "change:test".into(),
        window_ms: 60_000,
        turns: 30,
    };
    let editor = comment_service::store::Editor {
        token: Some("r5-authors-digest"),
        account: None,
    };
    let edit = comment_service::store::AuthorChange::Edit {
        content: "Rewritten after the pin.".into(),
        hold: false,
    };
    store
        .change_own_comment("article", "r5", editor, &edit, 600, 60_000, &limit)
        .await
        .unwrap();
    let r5_pinned: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM comments WHERE id = 'r5' AND pinned_at IS NOT NULL",
    )
    .fetch_one(&pool.0)
    .await
    .unwrap();
    assert_eq!(r5_pinned, 0, "an edit unpins");
    pool.0.close().await;
    store.close().await;
}

const SECRET: &str = "the publisher's shared secret, 32 bytes or more";
const ISSUER: &str = "https://news.example";
const AUDIENCE: &str = "comments.news.example";
/// The article's author's account, as its file names it (`authors[].account`).
const AUTHOR_SUB: &str = "author-7";

fn token(sub: &str, name: &str, roles: Value) -> String {
    let claims = json!({
        "iss": ISSUER, "aud": AUDIENCE, "sub": sub, "name": name,
        "exp": common::now_ms() / 1000 + 600, "roles": roles,
    });
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

/// The service with the publisher's sign-in, over a copy of the demo article whose first
/// author names an account.
fn start(database: Option<&str>) -> Service {
    let dir = tempfile::tempdir().unwrap();
    let dir_path = dir.path().to_owned();
    let articles = dir_path.join("articles");
    std::fs::create_dir(&articles).unwrap();
    let source = common::repo_root().join(format!("static/articles/{ARTICLE}.json"));
    let mut article: Value =
        serde_json::from_str(&std::fs::read_to_string(source).unwrap()).unwrap();
    article["authors"] =
        json!([{ "name": "Ann Author", "account": format!("{ISSUER}|{AUTHOR_SUB}") }]);
    std::fs::write(
        articles.join(format!("{ARTICLE}.json")),
        article.to_string(),
    )
    .unwrap();
    let database = database.map_or_else(
        || format!("sqlite://{}", dir_path.join("comments.db").display()),
        str::to_owned,
    );
    let mut child = Command::new(BINARY)
        .current_dir(common::repo_root())
        .args(["--database", &database, "serve", "--address", "127.0.0.1:0"])
        .arg("--articles")
        .arg(&articles)
        .args([
            "--sso-hs256-secret",
            SECRET,
            "--sso-audience",
            AUDIENCE,
            "--sso-issuer",
            ISSUER,
            "--moderation",
            "approve-all",
            "--flood-seconds",
            "0",
        ])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
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

/// A post as the widget sends it, signed in when `token` is given.
async fn post(service: &Service, key: &str, token: Option<&str>, body: &Value) -> Value {
    let mut request = Client::new()
        .post(service.comments_url())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", key)
        .header("Comment-Author-Token", TOKEN)
        .body(body.to_string());
    if let Some(token) = token {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let posted: Value = response.json().await.unwrap();
    posted["comment"].clone()
}

async fn stored_badges(service: &Service, id: &str) -> Option<String> {
    let pool = service.database_pool().await;
    let badges = sqlx::query_scalar("SELECT badges FROM comments WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    badges
}

/// A moderator signed in as a browser is: the client and the session's cookie.
async fn sign_in(service: &Service) -> (Client, String) {
    common::moderator_session(service, "mia").await
}

async fn get_page(client: &Client, session: &str, url: String) -> String {
    client
        .get(url)
        .header("Cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// One comment's action from the queue, with the CSRF token the queue page carries (or
/// another); its status and page.
async fn act(
    service: &Service,
    (client, session): &(Client, String),
    action: &str,
    id: &str,
    csrf: Option<&str>,
) -> (StatusCode, String) {
    let page = get_page(client, session, service.url("/moderate?status=all")).await;
    let real = common::csrf_of(&page);
    let response = client
        .post(service.url("/moderate/act"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", session)
        .body(
            serde_urlencoded::to_string([
                ("csrf", csrf.unwrap_or(&real)),
                ("one", &format!("{action}:{id}")),
                ("back", "/moderate?status=all"),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap())
}

/// The public list in an order: its comments, and its validator.
async fn public_list(service: &Service, order: &str) -> (Vec<Value>, String) {
    let response = Client::new()
        .get(format!("{}?order={order}", service.comments_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let etag = response
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let value: Value = response.json().await.unwrap();
    (value["comments"].as_array().unwrap().clone(), etag)
}

async fn http_suite(service: Service) {
    // Badges from what the service verified: the token's role, the article's author account.
    let moderator = token("mod-1", "Mo Derator", json!(["moderator"]));
    let author = token(AUTHOR_SUB, "Ann Author", json!("editor"));
    let reader = token("reader-9", "Rea Der", json!([]));
    let forged = |content: &str| {
        let mut body = common::body("", "", content);
        body["badges"] = json!(["moderator", "author"]);
        body["pinned"] = json!(true);
        body["roles"] = json!(["moderator"]);
        body
    };
    let by_moderator = post(&service, "k1", Some(&moderator), &forged("From the desk.")).await;
    let by_author = post(
        &service,
        "k2",
        Some(&author),
        &forged("Thanks for reading."),
    )
    .await;
    let by_reader = post(
        &service,
        "k3",
        Some(&reader),
        &forged("I am staff, honest."),
    )
    .await;
    let mut anonymous = forged("Me too.");
    anonymous["author"] = json!("Anon");
    anonymous["email"] = json!("anon@example.com");
    let by_anonymous = post(&service, "k4", None, &anonymous).await;
    let id = |posted: &Value| posted["id"].as_str().unwrap().to_owned();
    assert_eq!(
        by_moderator["badges"],
        json!(["moderator"]),
        "{by_moderator}"
    );
    assert_eq!(by_author["badges"], json!(["author"]), "{by_author}");
    for posted in [&by_reader, &by_anonymous] {
        assert!(
            posted.get("badges").is_none(),
            "a forged claim ignored: {posted}"
        );
        assert!(posted.get("pinned").is_none(), "{posted}");
    }
    assert_eq!(
        stored_badges(&service, &id(&by_moderator)).await.as_deref(),
        Some("moderator")
    );
    assert_eq!(
        stored_badges(&service, &id(&by_author)).await.as_deref(),
        Some("author")
    );
    assert_eq!(stored_badges(&service, &id(&by_reader)).await, None);
    assert_eq!(stored_badges(&service, &id(&by_anonymous)).await, None);
    let (list, _) = public_list(&service, "oldest").await;
    let badges: Vec<&Value> = list.iter().map(|c| &c["badges"]).collect();
    assert_eq!(
        badges,
        [
            &json!(["moderator"]),
            &json!(["author"]),
            &Value::Null,
            &Value::Null
        ],
        "the public list carries them"
    );

    // The moderation area: the queue shows the badges and offers Pin.
    let moderator_session = sign_in(&service).await;
    let (client, session) = &moderator_session;
    let queue = get_page(client, session, service.url("/moderate?status=all")).await;
    assert!(
        queue.contains(r#"<span class="badge">Moderator</span>"#),
        "{queue}"
    );
    assert!(
        queue.contains(r#"<span class="badge">Author</span>"#),
        "{queue}"
    );
    assert!(queue.contains(&format!(r#"value="pin:{}:"#, id(&by_anonymous))));

    // Without the session's CSRF token nothing is pinned.
    let last = id(&by_anonymous);
    let (status, _) = act(&service, &moderator_session, "pin", &last, Some("forged")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(public_list(&service, "oldest").await.0[3]
        .get("pinned")
        .is_none());

    // Pinned: first in every order, marked, the validator changed; audited.
    let (_, etag_before) = public_list(&service, "oldest").await;
    let (status, _) = act(&service, &moderator_session, "pin", &last, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    for order in ["oldest", "newest", "best"] {
        let (list, etag) = public_list(&service, order).await;
        assert_eq!(list[0]["id"], json!(last), "{order}");
        assert_eq!(list[0]["pinned"], json!(true), "{order}");
        assert!(
            list[1..].iter().all(|c| c.get("pinned").is_none()),
            "{order}"
        );
        assert_ne!(etag, etag_before, "{order}: a cached list is not stale");
    }
    let queue = get_page(client, session, service.url("/moderate?status=all")).await;
    assert!(queue.contains(r#"<span class="badge pinned">Pinned</span>"#));
    assert!(queue.contains(&format!(r#"value="unpin:{last}:"#)));
    let audit = get_page(client, session, service.url("/moderate/audit")).await;
    assert!(
        audit.contains("<td>pin</td>") && audit.contains(&last),
        "{audit}"
    );

    // A reply is not pinned, nor a fourth comment; the refusal says why.
    let mut reply = common::body("Bo", "bo@example.com", "A reply.");
    reply["parent"] = json!(id(&by_reader));
    let reply = post(&service, "k5", None, &reply).await;
    let (status, page) = act(&service, &moderator_session, "pin", &id(&reply), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(page.contains("not a reply"), "{page}");
    for posted in [&by_moderator, &by_author] {
        assert_eq!(
            act(&service, &moderator_session, "pin", &id(posted), None)
                .await
                .0,
            StatusCode::SEE_OTHER
        );
    }
    let (status, page) = act(&service, &moderator_session, "pin", &id(&by_reader), None).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        page.contains("This article already has 3 pinned comments: unpin one first."),
        "{page}"
    );

    // Unpinned, and audited.
    let (status, _) = act(&service, &moderator_session, "unpin", &last, None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (list, _) = public_list(&service, "oldest").await;
    let pinned: Vec<&str> = list
        .iter()
        .filter(|c| c.get("pinned").is_some())
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(pinned, [id(&by_moderator), id(&by_author)]);
    let audit = get_page(client, session, service.url("/moderate/audit")).await;
    assert!(audit.contains("<td>unpin</td>"), "{audit}");

    // The same from the command line (`moderate pin|unpin ID…`), refusals in the same words.
    let (code, output) = service.moderate(&["pin", &last]);
    assert_eq!(code, 0, "{output}");
    assert!(output.starts_with(&format!("{last}: pinned\n")), "{output}");
    let (code, output) = service.moderate(&["pin", &id(&by_reader), &id(&reply)]);
    assert_eq!(code, 1, "{output}");
    assert!(
        output.contains("This article already has 3 pinned comments"),
        "{output}"
    );
    assert!(output.contains("not a reply"), "{output}");
    let (code, output) = service.moderate(&["unpin", &last]);
    assert_eq!(code, 0, "{output}");
    assert!(
        output.starts_with(&format!("{last}: unpinned\n")),
        "{output}"
    );
    let (list, _) = public_list(&service, "oldest").await;
    assert!(list
        .iter()
        .all(|c| c["id"] != json!(last) || c.get("pinned").is_none()));
}

/// A like as the widget sends it: from a browser (its author token), signed in or not.
async fn like(
    service: &Service,
    id: &str,
    browser: &str,
    signed_in: Option<&str>,
    liked: bool,
) -> (StatusCode, Value) {
    let mut request = Client::new()
        .post(service.url(&format!("/api/articles/{ARTICLE}/comments/{id}/likes")))
        .header("Content-Type", "application/json")
        .header("Comment-Author-Token", browser)
        .body(json!({ "liked": liked }).to_string());
    if let Some(token) = signed_in {
        request = request.header("Authorization", format!("Bearer {token}"));
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Likes by account (issue 20): a signed-in reader likes once whatever the browser, never
/// their account's own comment, and their list marks what the account likes and wrote.
async fn likes_by_account_suite(service: Service) {
    let bea = token("bea-3", "Bea", json!([]));
    let ann = post(
        &service,
        "k1",
        None,
        &common::body("Ann", "ann@example.com", "Liked."),
    )
    .await;
    let beas = post(&service, "k2", Some(&bea), &common::body("", "", "By Bea.")).await;
    let id = |posted: &Value| posted["id"].as_str().unwrap().to_owned();
    let (laptop, phone) = ("token-of-beas-laptop-000001", "token-of-beas-phone-0000001");
    let counted =
        |likes: i64, liked: bool| (StatusCode::OK, json!({ "likes": likes, "liked": liked }));

    assert_eq!(
        like(&service, &id(&ann), laptop, Some(&bea), true).await,
        counted(1, true)
    );
    assert_eq!(
        like(&service, &id(&ann), phone, Some(&bea), true).await,
        counted(1, true),
        "the same account from another browser: still one like"
    );
    assert_eq!(
        like(&service, &id(&ann), phone, Some(&bea), false).await,
        counted(0, false)
    );
    assert_eq!(
        like(&service, &id(&ann), laptop, Some(&bea), true).await,
        counted(1, true)
    );
    // Its own comment, from a browser that did not write it: refused.
    let (status, _) = like(&service, &id(&beas), phone, Some(&bea), true).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // A token the service refuses is refused, not taken as the browser alone.
    let forged = format!("{}x", token("bea-3", "Bea", json!([])));
    let (status, body) = like(&service, &id(&ann), phone, Some(&forged), true).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // The list, asked for by a third browser with the account's token, is the account's.
    let response = Client::new()
        .get(service.comments_url())
        .header("Comment-Author-Token", "token-of-beas-tablet-000001")
        .header("Authorization", format!("Bearer {bea}"))
        .send()
        .await
        .unwrap();
    let cache = response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    let vary: Vec<&str> = response
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let vary = vary.join(", ");
    assert!(cache.starts_with("private"), "{cache}");
    assert!(vary.contains("authorization"), "{vary}");
    let list: Value = response.json().await.unwrap();
    let marks: Vec<(Value, Value, Value)> = list["comments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["likes"].clone(), c["liked"].clone(), c["mine"].clone()))
        .collect();
    assert_eq!(
        marks,
        [
            (json!(1), json!(true), Value::Null),
            (json!(0), Value::Null, json!(true))
        ]
    );
    // Without the token the same browser is itself: its own like, and no marks of Bea's.
    let anonymous = common::list(&service, Some("token-of-beas-tablet-000001")).await;
    assert!(anonymous
        .iter()
        .all(|c| c.get("liked").is_none() && c.get("mine").is_none()));
}

#[tokio::test]
async fn pinned_comments_and_badges_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("pinned.db").display());
    storage_suite(&sqlite).await;
    http_suite(start(None)).await;
    likes_by_account_suite(start(None)).await;
    let mut engines = vec!["sqlite"];
    if let Some(url) = common::postgres_url() {
        common::empty_postgres(&url).await;
        storage_suite(&url).await;
        common::empty_postgres(&url).await;
        http_suite(start(Some(&url))).await;
        common::empty_postgres(&url).await;
        likes_by_account_suite(start(Some(&url))).await;
        engines.push("postgres");
    }
    println!(
        "pinned comments and badges tested on: {}",
        engines.join(", ")
    );
}
