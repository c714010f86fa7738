//! Edit and delete your own comment (issue 20) on both engines: the store (an edit within and
//! after the window, by its author's token or account and by someone else, a held comment
//! stays held, the link rule sends an approved one back to moderation, the previous text in
//! the audit log, a tombstone where there are replies and removal where there are none, the
//! counts and the validator moved) and the HTTP endpoints (foreign origins, oversized and
//! unreadable bodies, unknown ids, not yours, after the window, the lists' fields, the reading
//! page's tombstone). PostgreSQL is the database `COMMENTS_TEST_POSTGRES` names (emptied
//! first).

mod common;

use article_widget::domain::thread::ThreadOrder;
use comment_service::store::{
    AuthorChange, ChangeOutcome, Editor, LikeLimit, ModerationStatus, PageRequest, Store,
};
use common::{Service, ARTICLE, TOKEN};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const MINUTE: i64 = 60_000;
const WINDOW: i64 = 15 * MINUTE;

/// A comment stored by SQL as it is, so this suite does not depend on the fields of the
/// store's comment type: `parent` none for a root.
#[allow(clippy::too_many_arguments)]
async fn insert(
    (pool, postgres): &(sqlx::AnyPool, bool),
    id: &str,
    parent: Option<&str>,
    status: &str,
    at: i64,
    token: Option<&str>,
    account: Option<&str>,
) {
    let mut sql = "INSERT INTO comments (id, article_id, parent_id, author, email, website,
         content, status, created_at, client_address, author_token, notify, root_id, account)
         VALUES (?, 'article', ?, 'Ann', 'ann@example.com', 'https://ann.example/',
         'The first text.', ?, ?, '127.0.0.1', ?, 0, ?, ?)"
        .to_owned();
    if *postgres {
        for n in 1..=7 {
            sql = sql.replacen('?', &format!("${n}"), 1);
        }
    }
    sqlx::query(&sql)
        .bind(id)
        .bind(parent)
        .bind(status)
        .bind(at)
        .bind(token)
        .bind(parent.unwrap_or(id))
        .bind(account)
        .execute(pool)
        .await
        .unwrap();
}

fn unlimited() -> LikeLimit {
    LikeLimit {
        subject: "change:test".into(),
        window_ms: 0,
        turns: 0,
    }
}

async fn change(
    store: &Store,
    id: &str,
    editor: Editor<'_>,
    change: AuthorChange,
    now: i64,
) -> ChangeOutcome {
    store
        .change_own_comment("article", id, editor, &change, now, WINDOW, &unlimited())
        .await
        .unwrap()
}

fn edit(text: &str, hold: bool) -> AuthorChange {
    AuthorChange::Edit {
        content: text.into(),
        hold,
    }
}

fn by_token(token: &str) -> Editor<'_> {
    Editor {
        token: Some(token),
        account: None,
    }
}

/// The page as the public sees it: (id, author, content, edited, deleted) per comment.
async fn public_page(store: &Store) -> Vec<(String, String, String, bool, bool)> {
    let page = store
        .comment_page(
            "article",
            None,
            &PageRequest {
                per_page: 50,
                order: ThreadOrder::OldestFirst,
                after: None,
            },
            None,
        )
        .await
        .unwrap();
    page.comments
        .iter()
        .map(|c| {
            let revision = page.revisions.get(&c.id).copied().unwrap_or_default();
            (
                c.id.clone(),
                c.author.clone(),
                c.content.clone(),
                revision.edited_at.is_some(),
                revision.deleted,
            )
        })
        .collect()
}

async fn status_of(store: &Store, id: &str) -> Option<ModerationStatus> {
    store.comment(id).await.unwrap().map(|c| c.status)
}

async fn storage_suite(url: &str) {
    let store = Store::open(url).await.unwrap();
    let pool = (
        sqlx::AnyPool::connect(url).await.unwrap(),
        url.starts_with("postgres"),
    );
    let ann = "a".repeat(64);
    let bob = "b".repeat(64);
    let t0 = 1_000_000;
    insert(&pool, "c1", None, "approved", t0, Some(&ann), None).await;
    insert(&pool, "held", None, "pending", t0, Some(&ann), None).await;
    insert(&pool, "signed", None, "approved", t0, None, Some("iss|ann")).await;
    insert(&pool, "spam", None, "spam", t0, Some(&ann), None).await;
    insert(&pool, "parent", None, "approved", t0, Some(&ann), None).await;
    insert(
        &pool,
        "reply",
        Some("parent"),
        "approved",
        t0,
        Some(&bob),
        None,
    )
    .await;
    insert(&pool, "leaf", None, "approved", t0, Some(&ann), None).await;
    sqlx::query(
        "INSERT INTO article_activity (article_id, changed_at, approved) VALUES ('article', 1000000, 5)",
    )
    .execute(&pool.0)
    .await
    .unwrap();

    // Within the window, by the browser that wrote it: the text changes, `edited` is
    // recorded, the previous text is in the audit log, the validator moves, the count stays.
    // A live stream on the article, opened before any change (read at the end). On
    // PostgreSQL changes travel by NOTIFY to the listener `serve` runs: run it here, and
    // wait for the resync it sends once it listens.
    let mut live = store.subscribe_live("article", None);
    let listening = tokio_util::sync::CancellationToken::new();
    if pool.1 {
        let (listener, stop) = (store.clone(), listening.clone());
        tokio::spawn(async move { listener.listen_for_outbox(stop).await });
        let first = tokio::time::timeout(std::time::Duration::from_secs(10), live.receiver.recv())
            .await
            .expect("the listener listens within 10 s")
            .expect("the live stream is open");
        assert!(first.change.is_none(), "a resync first");
    }
    let before = store.activity("article").await.unwrap().unwrap();
    let now = t0 + MINUTE;
    assert_eq!(
        change(
            &store,
            "c1",
            by_token(&ann),
            edit("The second text.", false),
            now
        )
        .await,
        ChangeOutcome::Edited {
            status: ModerationStatus::Approved,
            edited_at: now
        }
    );
    assert_eq!(
        store.comment("c1").await.unwrap().unwrap().content,
        "The second text."
    );
    let after = store.activity("article").await.unwrap().unwrap();
    assert!(
        after.changed_at > before.changed_at,
        "an edit moves the validator"
    );
    assert_eq!(
        after.approved, 5,
        "an edit of an approved comment counts the same"
    );
    let page = public_page(&store).await;
    let c1 = page.iter().find(|c| c.0 == "c1").unwrap();
    assert!(c1.3 && !c1.4, "edited, not deleted: {c1:?}");
    let audit = store.audit_log(10).await.unwrap();
    assert!(
        audit
            .iter()
            .any(|(_, _, action, target, detail)| target == "c1"
                && action.contains("edited")
                && detail == "The first text."),
        "the previous text is in the audit log: {audit:?}"
    );

    // Someone else, nobody, and after the window: refused, nothing changed.
    assert_eq!(
        change(
            &store,
            "c1",
            by_token(&bob),
            edit("Bob's text.", false),
            now
        )
        .await,
        ChangeOutcome::NotYours
    );
    assert_eq!(
        change(&store, "c1", Editor::default(), AuthorChange::Delete, now).await,
        ChangeOutcome::NotYours
    );
    assert_eq!(
        change(
            &store,
            "c1",
            by_token(&ann),
            edit("Too late.", false),
            t0 + WINDOW
        )
        .await,
        ChangeOutcome::WindowOver(t0 + WINDOW)
    );
    assert_eq!(
        change(
            &store,
            "c1",
            by_token(&ann),
            AuthorChange::Delete,
            t0 + WINDOW + 1
        )
        .await,
        ChangeOutcome::WindowOver(t0 + WINDOW)
    );
    assert_eq!(
        store.comment("c1").await.unwrap().unwrap().content,
        "The second text."
    );
    // Unknown, marked spam, another article's: as unknown.
    assert_eq!(
        change(&store, "nope", by_token(&ann), edit("Text.", false), now).await,
        ChangeOutcome::NoSuchComment
    );
    assert_eq!(
        change(&store, "spam", by_token(&ann), edit("Text.", false), now).await,
        ChangeOutcome::NoSuchComment
    );
    assert_eq!(
        store
            .change_own_comment(
                "another",
                "c1",
                by_token(&ann),
                &edit("Text.", false),
                now,
                WINDOW,
                &unlimited()
            )
            .await
            .unwrap(),
        ChangeOutcome::NoSuchComment
    );

    // The signed-in account it was written under; another account is someone else.
    let account = |id| Editor {
        token: None,
        account: Some(id),
    };
    assert!(matches!(
        change(
            &store,
            "signed",
            account("iss|ann"),
            edit("By my account.", false),
            now
        )
        .await,
        ChangeOutcome::Edited { .. }
    ));
    assert_eq!(
        change(
            &store,
            "signed",
            account("iss|bob"),
            edit("Not mine.", false),
            now
        )
        .await,
        ChangeOutcome::NotYours
    );

    // A held comment stays held, whatever the text.
    assert!(matches!(
        change(
            &store,
            "held",
            by_token(&ann),
            edit("Still held.", false),
            now
        )
        .await,
        ChangeOutcome::Edited {
            status: ModerationStatus::Pending,
            ..
        }
    ));
    assert_eq!(
        status_of(&store, "held").await,
        Some(ModerationStatus::Pending)
    );

    // An approved comment whose edit the link rule holds goes back to moderation, and out
    // of the public count.
    assert!(matches!(
        change(
            &store,
            "signed",
            account("iss|ann"),
            edit("Two links.", true),
            now
        )
        .await,
        ChangeOutcome::Edited {
            status: ModerationStatus::Pending,
            ..
        }
    ));
    assert_eq!(
        status_of(&store, "signed").await,
        Some(ModerationStatus::Pending)
    );
    assert_eq!(
        store.activity("article").await.unwrap().unwrap().approved,
        4
    );

    // Deleting a comment with replies leaves a tombstone (no author, no text, no token),
    // which the public page still shows with its reply.
    assert_eq!(
        change(&store, "parent", by_token(&ann), AuthorChange::Delete, now).await,
        ChangeOutcome::Tombstoned
    );
    let tombstone = store.comment("parent").await.unwrap().unwrap();
    assert_eq!(
        (
            tombstone.author.as_str(),
            tombstone.email.as_str(),
            tombstone.content.as_str(),
            tombstone.website.as_deref(),
            tombstone.author_token.as_deref()
        ),
        ("", "", "", None, None)
    );
    let page = public_page(&store).await;
    assert!(
        page.iter()
            .any(|c| c.0 == "parent" && c.1.is_empty() && c.2.is_empty() && c.4),
        "{page:?}"
    );
    assert!(page.iter().any(|c| c.0 == "reply"));
    // A tombstone is not edited or deleted again.
    assert_eq!(
        change(&store, "parent", by_token(&ann), edit("Back.", false), now).await,
        ChangeOutcome::NoSuchComment
    );

    // Deleting one without replies removes it and counts again.
    assert_eq!(
        change(&store, "leaf", by_token(&ann), AuthorChange::Delete, now).await,
        ChangeOutcome::Removed
    );
    assert_eq!(store.comment("leaf").await.unwrap(), None);
    assert_eq!(
        store.activity("article").await.unwrap().unwrap().approved,
        3
    );
    // The tombstone's last reply deleted: the tombstone goes with it.
    assert_eq!(
        change(&store, "reply", by_token(&bob), AuthorChange::Delete, now).await,
        ChangeOutcome::Removed
    );
    assert_eq!(store.comment("parent").await.unwrap(), None);
    assert_eq!(
        store.activity("article").await.unwrap().unwrap().approved,
        1
    );
    let ids: Vec<String> = public_page(&store).await.into_iter().map(|c| c.0).collect();
    assert_eq!(ids, ["c1"]);

    // The address's limit: refused once its turns are taken, nothing changed.
    let limit = LikeLimit {
        subject: "change:127.0.0.1".into(),
        window_ms: MINUTE,
        turns: 2,
    };
    for n in 0..2 {
        assert!(matches!(
            store
                .change_own_comment(
                    "article",
                    "c1",
                    by_token(&ann),
                    &edit(&format!("Turn {n}."), false),
                    now,
                    WINDOW,
                    &limit
                )
                .await
                .unwrap(),
            ChangeOutcome::Edited { .. }
        ));
    }
    assert!(matches!(
        store
            .change_own_comment(
                "article",
                "c1",
                by_token(&ann),
                &edit("Turn 3.", false),
                now,
                WINDOW,
                &limit
            )
            .await
            .unwrap(),
        ChangeOutcome::TooMany(_)
    ));
    assert_eq!(
        store.comment("c1").await.unwrap().unwrap().content,
        "Turn 1."
    );

    // What the live stream said of it all: an approved comment's edits, and each comment
    // that stopped being public (held again, a tombstone, removed); nothing of a held
    // comment's edit or of a refusal.
    let mut heard = Vec::new();
    while let Ok(Ok(event)) =
        tokio::time::timeout(std::time::Duration::from_secs(3), live.receiver.recv()).await
    {
        match &event.change {
            Some(change) => heard.push(format!("{} {}", change.kind.name(), change.comment_id)),
            None => heard.push("resync".to_owned()),
        }
    }
    listening.cancel();
    assert_eq!(
        heard,
        [
            "edited c1",
            "edited signed",
            "deleted signed",
            "deleted parent",
            "deleted leaf",
            "deleted reply",
            "edited c1",
            "edited c1"
        ]
    );
    store.close().await;
    pool.0.close().await;
}

/// An edit or deletion as the widget sends it: JSON, the author token, optionally an origin.
async fn send(
    service: &Service,
    path: &str,
    body: &str,
    token: Option<&str>,
    origin: Option<&str>,
) -> (StatusCode, Value) {
    let mut request = Client::new()
        .post(service.url(path))
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

fn edit_path(id: &str) -> String {
    format!("/api/articles/{ARTICLE}/comments/{id}/edit")
}

fn delete_path(id: &str) -> String {
    format!("/api/articles/{ARTICLE}/comments/{id}/delete")
}

async fn http_suite(service: Service) {
    let bob = "token-of-bobs-browser-000002";
    let (status, _, posted) = common::post(
        &service,
        "k1",
        &common::body("Ann", "ann@example.com", "Written in haste"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = posted["comment"]["id"].as_str().unwrap().to_owned();
    assert!(
        posted["comment"]["editable_until"].is_string(),
        "the post's answer says until when it may be edited: {posted}"
    );
    // The author's list says so too; the public one does not.
    let mine = common::list(&service, Some(TOKEN)).await;
    assert!(mine[0]["editable_until"].is_string(), "{mine:?}");
    let public = common::list(&service, None).await;
    assert!(public[0].get("editable_until").is_none(), "{public:?}");
    let tag = Client::new()
        .get(service.comments_url())
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();

    // The edit: answered with the comment as it is now.
    let (status, answer) = send(
        &service,
        &edit_path(&id),
        r#"{"content": "Written with care"}"#,
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["comment"]["content"], "Written with care");
    assert!(answer["comment"]["edited"].is_string(), "{answer}");
    let public = common::list(&service, None).await;
    assert_eq!(public[0]["content"], "Written with care");
    assert!(
        public[0]["edited"].is_string(),
        "the public list says it was edited"
    );
    let revalidated = Client::new()
        .get(service.comments_url())
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        revalidated.status(),
        StatusCode::OK,
        "a cached list is not stale after an edit"
    );

    // Refusals, each in words, none changing the comment.
    let cases: Vec<(&str, String, &str, Option<&str>, Option<&str>, StatusCode)> = vec![
        (
            "foreign origin",
            edit_path(&id),
            r#"{"content": "From elsewhere"}"#,
            Some(TOKEN),
            Some("https://evil.example"),
            StatusCode::FORBIDDEN,
        ),
        (
            "someone else's",
            edit_path(&id),
            r#"{"content": "Bob was here"}"#,
            Some(bob),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "nobody's",
            edit_path(&id),
            r#"{"content": "Who am I"}"#,
            None,
            None,
            StatusCode::UNAUTHORIZED,
        ),
        (
            "unknown id",
            edit_path("doesnotexist"),
            r#"{"content": "Anything"}"#,
            Some(TOKEN),
            None,
            StatusCode::NOT_FOUND,
        ),
        (
            "too short",
            edit_path(&id),
            r#"{"content": "ab"}"#,
            Some(TOKEN),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "unreadable",
            edit_path(&id),
            r#"{"text": "wrong field"}"#,
            Some(TOKEN),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "someone else's deletion",
            delete_path(&id),
            "{}",
            Some(bob),
            None,
            StatusCode::FORBIDDEN,
        ),
        (
            "deletion from a foreign origin",
            delete_path(&id),
            "{}",
            Some(TOKEN),
            Some("https://evil.example"),
            StatusCode::FORBIDDEN,
        ),
    ];
    for (case, path, body, token, origin, expected) in cases {
        let (status, answer) = send(&service, &path, body, token, origin).await;
        assert_eq!(status, expected, "{case}: {answer}");
        let said = answer.to_string();
        assert!(said.len() > 20, "{case}: a refusal says why: {said}");
    }
    let (_, answer) = send(
        &service,
        &edit_path(&id),
        r#"{"content": "Bob"}"#,
        Some(bob),
        None,
    )
    .await;
    assert_eq!(answer["reason"], "not_yours");
    // Oversized, and not JSON.
    let huge = json!({ "content": "x".repeat(400 * 1024) }).to_string();
    let (status, _) = send(&service, &edit_path(&id), &huge, Some(TOKEN), None).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = send(
        &service,
        &delete_path(&id),
        &" ".repeat(4096),
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let form = Client::new()
        .post(service.url(&delete_path(&id)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Comment-Author-Token", TOKEN)
        .body("a=b")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(
        common::list(&service, None).await[0]["content"],
        "Written with care"
    );

    // A reply by Bob, then Ann deletes her comment: a tombstone holds the reply's place.
    let mut reply = common::body("Bob", "bob@example.com", "A reply to Ann");
    reply["parent"] = json!(id);
    let response = Client::new()
        .post(service.comments_url())
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "k2")
        .header("Comment-Author-Token", bob)
        .body(reply.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let reply_id = response.json::<Value>().await.unwrap()["comment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, answer) = send(&service, &delete_path(&id), "{}", Some(TOKEN), None).await;
    assert_eq!(
        (status, answer),
        (StatusCode::OK, json!({"deleted": "tombstone"}))
    );
    let public = common::list(&service, None).await;
    assert_eq!(public.len(), 2, "{public:?}");
    assert_eq!(public[0]["deleted"], true);
    assert_eq!(public[0]["author"], "");
    assert_eq!(public[0]["content"], "");
    assert!(public[0].get("editable_until").is_none());
    // The reading page says so in words, with the reply under it.
    let page = Client::new()
        .get(service.url(&format!("/read/{ARTICLE}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("This comment was deleted."),
        "the reading page's tombstone"
    );
    assert!(page.contains("A reply to Ann"));
    assert!(!page.contains("Written with care"));
    // Deleting again: gone already.
    let (status, _) = send(&service, &delete_path(&id), "{}", Some(TOKEN), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // After the window: refused in words (the comment made older in the database).
    let pool = service.database_pool().await;
    sqlx::query(&format!(
        "UPDATE comments SET created_at = created_at - {} WHERE id = '{reply_id}'",
        16 * MINUTE
    ))
    .execute(&pool)
    .await
    .unwrap();
    let (status, answer) = send(
        &service,
        &edit_path(&reply_id),
        r#"{"content": "Changed my mind"}"#,
        Some(bob),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{answer}");
    assert_eq!(answer["reason"], "window_over");
    assert!(answer["error"].as_str().unwrap().contains("15 minutes"));
    let mine = common::list(&service, Some(bob)).await;
    assert!(
        mine.iter().all(|c| c.get("editable_until").is_none()),
        "{mine:?}"
    );
    // Within it, Bob deletes his reply: the tombstone goes with its last reply.
    sqlx::query(&format!(
        "UPDATE comments SET created_at = created_at + {} WHERE id = '{reply_id}'",
        16 * MINUTE
    ))
    .execute(&pool)
    .await
    .unwrap();
    let (status, answer) = send(&service, &delete_path(&reply_id), "{}", Some(bob), None).await;
    assert_eq!(
        (status, answer),
        (StatusCode::OK, json!({"deleted": "removed"}))
    );
    assert!(common::list(&service, None).await.is_empty());
    pool.close().await;
}

/// With --moderation auto and --hold-links 2: an approved comment edited to two links goes
/// back to moderation (its author still sees it, as held).
async fn link_rule_suite(service: Service) {
    let (status, _, posted) = common::post(
        &service,
        "k1",
        &common::body("Ann", "ann@example.com", "No links here"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = posted["comment"]["id"].as_str().unwrap().to_owned();
    let pool = service.database_pool().await;
    sqlx::query(&format!(
        "UPDATE comments SET status = 'approved' WHERE id = '{id}'"
    ))
    .execute(&pool)
    .await
    .unwrap();
    let (status, answer) = send(
        &service,
        &edit_path(&id),
        r#"{"content": "See https://a.example and https://b.example"}"#,
        Some(TOKEN),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["comment"]["status"], "pending");
    assert!(common::list(&service, None).await.is_empty());
    assert_eq!(
        common::list(&service, Some(TOKEN)).await[0]["status"],
        "pending"
    );
    pool.close().await;
}

#[tokio::test]
async fn edits_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("edits.db").display());
    storage_suite(&sqlite).await;
    let flags = ["--moderation", "approve-all", "--flood-seconds", "0"];
    http_suite(Service::start(&flags)).await;
    let links = [
        "--moderation",
        "auto",
        "--hold-links",
        "2",
        "--flood-seconds",
        "0",
    ];
    link_rule_suite(Service::start(&links)).await;
    let mut engines = vec!["sqlite"];
    if let Some(url) = common::postgres_url() {
        common::empty_postgres(&url).await;
        storage_suite(&url).await;
        common::empty_postgres(&url).await;
        http_suite(Service::start_on(Some(&url), &flags)).await;
        common::empty_postgres(&url).await;
        link_rule_suite(Service::start_on(Some(&url), &links)).await;
        engines.push("postgres");
    }
    println!("edits tested on: {}", engines.join(", "));
}
