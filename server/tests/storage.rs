//! The storage interface, against both engines: SQLite, and the PostgreSQL server that
//! `COMMENTS_TEST_POSTGRES` names (scripts/test.sh installs and starts one on loopback). Without
//! it the suite fails saying so (`postgres_url()` in the shared harness); `skip` leaves
//! PostgreSQL out on purpose, said aloud. The output says which engines ran.

mod common;

use article_widget::domain::thread::ThreadOrder;
use comment_service::store::{
    Claim, CommentPage, ModerationStatus, NotStored, PageRequest, Store, StoredAnswer,
    StoredComment, TooSoon,
};

fn comment(id: &str, email: &str, status: &str, at: i64, token: Option<&str>) -> StoredComment {
    StoredComment {
        id: id.into(),
        article_id: "article".into(),
        parent_id: None,
        author: "Ann".into(),
        email: email.into(),
        website: None,
        content: format!("comment {id}"),
        status: ModerationStatus::try_from(status.to_owned()).unwrap(),
        created_at: at,
        client_address: "127.0.0.1".into(),
        author_token: token.map(Into::into),
        account: None,
        badges: None,
        notify: false,
    }
}

/// What a viewer sees of an article's thread, as the service reads it: its first page (all of
/// these tests' threads fit in one).
async fn visible(store: &Store, article: &str, viewer: Option<&str>) -> Vec<StoredComment> {
    store
        .comment_page(
            article,
            viewer,
            &PageRequest {
                per_page: 100,
                order: ThreadOrder::OldestFirst,
                after: None,
            },
            None,
        )
        .await
        .unwrap()
        .comments
}

fn created(c: &StoredComment) -> StoredAnswer {
    StoredAnswer {
        status: 201,
        body: format!("{{\"id\":\"{}\"}}", c.id),
    }
}

async fn insert(
    store: &Store,
    c: &StoredComment,
    subjects: &[String],
    window: i64,
) -> Result<StoredAnswer, NotStored> {
    let key = format!("key-{}", c.id);
    assert_eq!(
        store
            .claim(&key, &c.article_id, c.created_at, 60_000)
            .await
            .unwrap(),
        Claim::Claimed
    );
    let result = store
        .insert_comment(c, &key, c.created_at, subjects, window, created)
        .await
        .unwrap();
    if result.is_err() {
        store.release(&key, c.created_at).await.unwrap();
    }
    result
}

async fn suite(store: Store) {
    let engine = store.engine().name();

    // Comments, visibility and moderation.
    insert(
        &store,
        &comment("a", "ann@example.com", "approved", 1_000, None),
        &[],
        0,
    )
    .await
    .unwrap();
    insert(
        &store,
        &comment("b", "bob@example.com", "pending", 2_000, Some("bob-token")),
        &[],
        0,
    )
    .await
    .unwrap();
    let ids = |list: Vec<StoredComment>| list.into_iter().map(|c| c.id).collect::<Vec<_>>();
    assert_eq!(
        ids(visible(&store, "article", None).await),
        ["a"],
        "{engine}"
    );
    // The public thread changed when "a" was published, not when "b" was held.
    assert_eq!(
        store.changed_at("article").await.unwrap(),
        Some(1_000),
        "{engine}"
    );
    assert_eq!(store.changed_at("other").await.unwrap(), None);
    assert_eq!(
        ids(visible(&store, "article", Some("bob-token")).await),
        ["a", "b"],
        "{engine}"
    );
    assert_eq!(
        ids(visible(&store, "article", Some("eve-token")).await),
        ["a"],
        "{engine}"
    );
    assert!(store.has_approved("ann@example.com").await.unwrap());
    assert!(!store.has_approved("bob@example.com").await.unwrap());
    assert!(store
        .set_status(
            "b",
            ModerationStatus::Approved,
            comment_service::clock::now_ms()
        )
        .await
        .unwrap());
    assert!(!store
        .set_status(
            "nope",
            ModerationStatus::Approved,
            comment_service::clock::now_ms()
        )
        .await
        .unwrap());
    let approved_at = store.changed_at("article").await.unwrap().unwrap();
    assert!(approved_at > 1_000, "approval is a change ({engine})");
    assert_eq!(
        ids(store
            .comments_with_status(Some(ModerationStatus::Approved))
            .await
            .unwrap()),
        ["b", "a"],
        "newest first"
    );
    assert!(store
        .delete("b", comment_service::clock::now_ms())
        .await
        .unwrap());
    assert!(!store
        .delete("b", comment_service::clock::now_ms())
        .await
        .unwrap());
    assert!(
        store.changed_at("article").await.unwrap().unwrap() > approved_at,
        "a deletion is a later change, even within the same millisecond ({engine})"
    );
    assert_eq!(
        store.comment("a").await.unwrap().unwrap().content,
        "comment a"
    );

    // Idempotency claims.
    assert_eq!(
        store.claim("k", "article", 10_000, 60_000).await.unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        store.claim("k", "article", 10_001, 60_000).await.unwrap(),
        Claim::InProgress
    );
    // Only the holder's release counts (the claim's time is its token)…
    store.release("k", 10_001).await.unwrap();
    assert_eq!(
        store.claim("k", "article", 10_001, 60_000).await.unwrap(),
        Claim::InProgress
    );
    // …and a refusal releases its claim: nothing of it is left to repeat.
    store.release("k", 10_000).await.unwrap();
    assert_eq!(
        store.claim("k", "article", 10_002, 60_000).await.unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        store.claim("stale", "article", 0, 60_000).await.unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        store
            .claim("stale", "article", 70_000, 60_000)
            .await
            .unwrap(),
        Claim::Claimed,
        "an abandoned claim is taken over"
    );

    // Fenced: a request whose claim was taken over by a retry stores nothing, whether it
    // comes before or after the retry's comment; the retry's comment is the key's one.
    let slow = comment("fenced-slow", "slow@example.com", "approved", 200_000, None);
    let retry = comment(
        "fenced-retry",
        "slow@example.com",
        "approved",
        206_000,
        None,
    );
    assert_eq!(
        store
            .claim("fenced", "article", 200_000, 5_000)
            .await
            .unwrap(),
        Claim::Claimed
    );
    assert_eq!(
        store
            .claim("fenced", "article", 206_000, 5_000)
            .await
            .unwrap(),
        Claim::Claimed
    );
    {
        let (first, second) = (&slow, &retry);
        assert_eq!(
            store
                .insert_comment(first, "fenced", 200_000, &[], 0, created)
                .await
                .unwrap(),
            Err(NotStored::ClaimLost),
            "{engine}: the first holder lost its claim"
        );
        assert!(store
            .insert_comment(second, "fenced", 206_000, &[], 0, created)
            .await
            .unwrap()
            .is_ok());
        assert_eq!(
            store
                .insert_comment(
                    first,
                    "fenced",
                    200_000,
                    // With flood control: the transaction's path (the other is one statement).
                    &["email:fenced@example.com".to_owned()],
                    1_000,
                    created
                )
                .await
                .unwrap(),
            Err(NotStored::ClaimLost),
            "{engine}: nor after the retry stored"
        );
    }
    assert!(
        store.comment("fenced-slow").await.unwrap().is_none(),
        "{engine}: one comment a key"
    );
    assert!(store.comment("fenced-retry").await.unwrap().is_some());
    assert_eq!(store.answer("fenced").await.unwrap(), Some(created(&retry)));
    // The slow request's release leaves the retry's answer alone.
    store.release("fenced", 200_000).await.unwrap();
    assert_eq!(store.answer("fenced").await.unwrap(), Some(created(&retry)));

    // Concurrent claims of one key: exactly one wins.
    let claims = (0..24).map(|_| {
        let store = store.clone();
        tokio::spawn(async move {
            store
                .claim("race", "article", 20_000, 60_000)
                .await
                .unwrap()
        })
    });
    let mut winners = 0;
    for claim in claims.collect::<Vec<_>>() {
        if claim.await.unwrap() == Claim::Claimed {
            winners += 1;
        }
    }
    assert_eq!(winners, 1, "{engine}: one claim of a key wins");

    // Flood control, atomic across concurrent posters.
    let subjects = vec![
        "email:cy@example.com".to_owned(),
        "address:10.0.0.1".to_owned(),
    ];
    assert!(insert(
        &store,
        &comment("c1", "cy@example.com", "approved", 100_000, None),
        &subjects,
        15_000
    )
    .await
    .is_ok());
    assert_eq!(
        insert(
            &store,
            &comment("c2", "cy@example.com", "approved", 105_000, None),
            &subjects,
            15_000
        )
        .await,
        Err(NotStored::TooSoon(TooSoon(10_000)))
    );
    assert!(
        store.comment("c2").await.unwrap().is_none(),
        "{engine}: a refused comment leaves nothing"
    );
    assert!(insert(
        &store,
        &comment("c3", "cy@example.com", "approved", 115_000, None),
        &subjects,
        15_000
    )
    .await
    .is_ok());
    let racers = (0..12).map(|n| {
        let store = store.clone();
        let subjects = vec!["email:dee@example.com".to_owned()];
        tokio::spawn(async move {
            insert(
                &store,
                &comment(
                    &format!("d{n}"),
                    "dee@example.com",
                    "approved",
                    200_000,
                    None,
                ),
                &subjects,
                15_000,
            )
            .await
            .is_ok()
        })
    });
    let mut allowed = 0;
    for racer in racers.collect::<Vec<_>>() {
        if racer.await.unwrap() {
            allowed += 1;
        }
    }
    assert_eq!(
        allowed, 1,
        "{engine}: twelve simultaneous comments from one address, one accepted"
    );

    // The answer for a stored comment is stored with it.
    assert_eq!(store.answer("key-c1").await.unwrap().unwrap().status, 201);
    paging(&store, engine).await;
    moderation_area(&store, engine).await;
    activity(&store, engine).await;
    webhook_receivers(&store).await;
    println!("storage suite passed on {engine}");
}

/// An article's activity (its approved count and last change, the list's validators) is exact
/// at every read while posts add publications of their own, folds move them into the
/// article's row, and moderation recounts: concurrent posts are each counted once, a post
/// dated before the last change (another instance's clock) does not take the time back, and
/// every moderation is a later change.
/// Webhook receivers are named by each instance's heartbeat: events write rows for a receiver
/// named within the hour and none for one not named since, and the rows of a receiver nobody
/// names any more are given up after a day (else they would wait for ever).
async fn webhook_receivers(store: &Store) {
    use comment_service::store::WEBHOOK_RECEIVER_HEARTBEAT_MS;
    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 86_400_000;
    let t0 = 5_000_000_000_000;
    let waiting = || async { store.outbox_counts().await.unwrap().0 };
    store
        .webhook_receivers_seen(&["00aa11bb22cc33dd".to_owned()], t0)
        .await
        .unwrap();
    let before = waiting().await;
    let held = comment("webhook-1", "wh@example.com", "pending", t0, None);
    insert(store, &held, &[], 0).await.unwrap();
    // The moderators' mail and the receiver's row.
    assert_eq!(waiting().await, before + 2);
    // Named again within the hour before the day is out: its row is kept.
    store
        .webhook_receivers_seen(&["00aa11bb22cc33dd".to_owned()], t0 + DAY - HOUR / 2)
        .await
        .unwrap();
    assert_eq!(
        store.give_up_orphan_webhooks(t0 + DAY + 1).await.unwrap(),
        0
    );
    // Not named for an hour and more: its row is given up…
    let later = t0 + DAY + HOUR;
    assert_eq!(store.give_up_orphan_webhooks(later).await.unwrap(), 1);
    assert_eq!(waiting().await, before + 1, "the mail still waits");
    // …and an event writes no row for it.
    assert!(store
        .set_status("webhook-1", ModerationStatus::Approved, later + 1)
        .await
        .unwrap());
    assert_eq!(waiting().await, before + 1);
    assert!(
        WEBHOOK_RECEIVER_HEARTBEAT_MS * 6 <= HOUR,
        "a receiver outlives several heartbeats"
    );
}

async fn activity(store: &Store, engine: &str) {
    let on_hot = |id: String, status: &str, at: i64| StoredComment {
        article_id: "hot".into(),
        ..comment(&id, &format!("{id}@example.com"), status, at, None)
    };
    let read = |store: &Store| {
        let store = store.clone();
        async move {
            let activity = store.activity("hot").await.unwrap().unwrap();
            (activity.approved, activity.changed_at)
        }
    };
    // Concurrent posts, more than a fold's worth, some held (which count for nothing).
    let posts = (0..80).map(|n| {
        let store = store.clone();
        let status = if n % 4 == 0 { "pending" } else { "approved" };
        let post = on_hot(format!("hot{n}"), status, 1_000_000 + n);
        tokio::spawn(async move { insert(&store, &post, &[], 0).await.is_ok() })
    });
    for post in posts.collect::<Vec<_>>() {
        assert!(post.await.unwrap());
    }
    let (approved, changed_at) = read(store).await;
    assert_eq!(approved, 60, "{engine}: each approved post counted once");
    assert!(changed_at >= 1_000_079, "{engine}: {changed_at}");
    assert_eq!(
        store.approved_counts(&["hot".into()]).await.unwrap(),
        [("hot".to_owned(), 60)]
    );
    // Folding changes what is stored, not what is read.
    store.fold("hot").await.unwrap();
    assert_eq!(read(store).await, (60, changed_at), "{engine}");
    // A post from a clock behind: counted, and the time does not go back.
    insert(store, &on_hot("late".into(), "approved", 5), &[], 0)
        .await
        .unwrap();
    let (approved, late_at) = read(store).await;
    assert_eq!(approved, 61, "{engine}");
    assert!(
        late_at > changed_at,
        "{engine}: {late_at} after {changed_at}"
    );
    // Moderation recounts, later than anything before it, even with an earlier clock.
    assert!(store
        .set_status("hot1", ModerationStatus::Rejected, 6)
        .await
        .unwrap());
    let (approved, rejected_at) = read(store).await;
    assert_eq!(approved, 60, "{engine}: a rejection counted");
    assert!(rejected_at > late_at, "{engine}");
    insert(store, &on_hot("after".into(), "approved", 7), &[], 0)
        .await
        .unwrap();
    assert!(store.delete("hot2", 8).await.unwrap());
    let (approved, deleted_at) = read(store).await;
    assert_eq!(approved, 60, "{engine}: one more, one deleted");
    assert!(deleted_at > rejected_at, "{engine}");
    store.fold("hot").await.unwrap();
    assert_eq!(read(store).await, (60, deleted_at), "{engine}");

    // Posts alternating between two articles: each article is folded after its own
    // `FOLD_EVERY` (32) publications, so neither's reads grow without end.
    for n in 0..140 {
        let article = if n % 2 == 0 { "left" } else { "right" };
        let post = StoredComment {
            article_id: article.into(),
            ..comment(
                &format!("{article}{n}"),
                "a@example.com",
                "approved",
                2_000_000 + n,
                None,
            )
        };
        insert(store, &post, &[], 0).await.unwrap();
    }
    for article in ["left", "right"] {
        let waiting = store.publications_waiting(article).await.unwrap();
        assert!(
            waiting < 32,
            "{engine}: {article} has {waiting} publications waiting"
        );
        let activity = store.activity(article).await.unwrap().unwrap();
        assert_eq!(activity.approved, 70, "{engine}: {article}");
    }
}

/// What the moderation area keeps: moderators, sessions, failed sign-ins, audit, blocks.
async fn moderation_area(store: &Store, engine: &str) {
    assert!(
        store
            .set_moderator("ed", "hash-1", comment_service::clock::now_ms())
            .await
            .unwrap(),
        "{engine}"
    );
    assert!(
        !store
            .set_moderator("ed", "hash-2", comment_service::clock::now_ms())
            .await
            .unwrap(),
        "a new password"
    );
    assert_eq!(
        store.moderator_password("ed").await.unwrap().as_deref(),
        Some("hash-2")
    );
    store
        .create_session("t1", "ed", "csrf-1", 5_000)
        .await
        .unwrap();
    assert_eq!(
        store.session("t1", 4_000).await.unwrap(),
        Some(("ed".to_owned(), "csrf-1".to_owned())),
        "{engine}"
    );
    assert_eq!(store.session("t1", 5_000).await.unwrap(), None, "expired");
    store
        .create_session("t2", "ed", "csrf-2", 9_000)
        .await
        .unwrap();
    store.end_session("t2", 1_000).await.unwrap();
    assert_eq!(
        store.session("t2", 1_000).await.unwrap(),
        None,
        "signed out"
    );
    // Attempts are reserved within their window up to the limit (per account and per
    // address), start again after it, and a success gives its reservation back.
    for now in [10_000, 11_000, 12_000] {
        assert!(store
            .reserve_signin_attempt(("account:ed", 3), ("address:a", 20), now, 60_000)
            .await
            .unwrap()
            .is_some());
    }
    assert_eq!(
        store
            .signin_failures("account:ed", 12_000, 60_000)
            .await
            .unwrap(),
        3,
        "{engine}"
    );
    assert!(
        store
            .reserve_signin_attempt(("account:ed", 3), ("address:a", 20), 13_000, 60_000)
            .await
            .unwrap()
            .is_none(),
        "{engine}: the account is at its limit"
    );
    assert_eq!(
        store
            .signin_failures("address:a", 13_000, 60_000)
            .await
            .unwrap(),
        3,
        "{engine}: a refused attempt reserves nothing"
    );
    assert_eq!(
        store
            .signin_failures("account:ed", 80_000, 60_000)
            .await
            .unwrap(),
        0,
        "{engine}: the window is over"
    );
    let reservation = store
        .reserve_signin_attempt(("account:ed", 3), ("address:b", 20), 80_000, 60_000)
        .await
        .unwrap()
        .expect("a new window");
    assert_eq!(
        store
            .signin_failures("account:ed", 80_000, 60_000)
            .await
            .unwrap(),
        1,
        "{engine}"
    );
    store.signin_succeeded(&reservation).await.unwrap();
    for subject in ["account:ed", "address:b"] {
        assert_eq!(
            store
                .signin_failures(subject, 80_000, 60_000)
                .await
                .unwrap(),
            0,
            "{engine}: {subject} after a success"
        );
    }
    store
        .audit("ed", "approve", "c1", "", comment_service::clock::now_ms())
        .await
        .unwrap();
    assert_eq!(store.audit_log(10).await.unwrap()[0].2, "approve");
    assert!(store
        .block(
            "email",
            "x@example.com",
            "ed",
            comment_service::clock::now_ms()
        )
        .await
        .unwrap());
    assert!(!store
        .block(
            "email",
            "x@example.com",
            "ed",
            comment_service::clock::now_ms()
        )
        .await
        .unwrap());
    assert!(
        store.is_blocked("x@example.com", "10.0.0.1").await.unwrap(),
        "{engine}"
    );
    assert!(!store.is_blocked("y@example.com", "10.0.0.1").await.unwrap());
    assert!(store.unblock("email", "x@example.com").await.unwrap());
    assert!(store.blocks().await.unwrap().is_empty());
    // The lists and search of the area.
    let found = store
        .search_comments(None, None, Some("COMMENT A"), 10)
        .await
        .unwrap();
    assert!(
        found.iter().any(|c| c.id == "a"),
        "{engine}: case-insensitive search"
    );
    assert!(store.remove_moderator("ed").await.unwrap());
    assert!(!store.remove_moderator("ed").await.unwrap());
}

/// Pages of threads on article "paged": roots r0…r4 (minutes 0…4), r1 with replies (a reply
/// to a reply too) that come after later roots, a held root visible to its author only, and
/// a reply whose root was rejected (on the first page, so no visible comment is on none).
async fn paging(store: &Store, engine: &str) {
    let at = |minute: i64| 1_800_000_000_000 + minute * 60_000;
    let add = |id: &str, parent: Option<&str>, status: &str, minute: i64, token: Option<&str>| {
        let mut c = comment(id, &format!("{id}@example.com"), status, at(minute), token);
        c.article_id = "paged".into();
        c.parent_id = parent.map(Into::into);
        c
    };
    let rows = [
        add("r0", None, "approved", 0, None),
        add("r1", None, "approved", 1, None),
        add("r2", None, "approved", 2, None),
        add("r3", None, "pending", 3, Some("mine")),
        add("r4", None, "approved", 4, None),
        add("r1a", Some("r1"), "approved", 5, None),
        add("r1b", Some("r1a"), "approved", 6, None),
        add("gone", None, "approved", 7, None),
        add("orphan", Some("gone"), "approved", 8, None),
    ];
    for row in &rows {
        insert(store, row, &[], 0).await.unwrap();
    }
    assert!(store
        .set_status(
            "gone",
            ModerationStatus::Rejected,
            comment_service::clock::now_ms()
        )
        .await
        .unwrap());
    let ids = |page: &CommentPage| {
        page.comments
            .iter()
            .map(|c| c.id.clone())
            .collect::<Vec<_>>()
    };
    let request = |per_page, order, after| PageRequest {
        per_page,
        order,
        after,
    };

    let first = store
        .comment_page(
            "paged",
            None,
            &request(2, ThreadOrder::OldestFirst, None),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&first),
        ["r0", "r1", "r1a", "r1b", "orphan"],
        "{engine}: two threads, the replies with theirs, the orphan on the first page"
    );
    assert_eq!(first.total, 7, "{engine}: every visible comment");
    let second = store
        .comment_page(
            "paged",
            None,
            &request(2, ThreadOrder::OldestFirst, first.next.clone()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&second),
        ["r2", "r4"],
        "{engine}: the held root is not shown to others"
    );
    assert_eq!(second.next, None, "{engine}: the last page");

    let mine = store
        .comment_page(
            "paged",
            Some("mine"),
            &request(2, ThreadOrder::OldestFirst, first.next.clone()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&mine),
        ["r2", "r3"],
        "{engine}: its author sees the held one"
    );
    assert_eq!(mine.total, 8);
    assert!(mine.next.is_some());

    let newest = store
        .comment_page(
            "paged",
            None,
            &request(3, ThreadOrder::NewestFirst, None),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&newest),
        ["r4", "r2", "r1", "r1a", "r1b", "orphan"],
        "{engine}: newest threads first, replies still oldest first"
    );
    let rest = store
        .comment_page(
            "paged",
            None,
            &request(3, ThreadOrder::NewestFirst, newest.next.clone()),
            None,
        )
        .await
        .unwrap();
    assert_eq!(ids(&rest), ["r0"], "{engine}");
    assert_eq!(rest.next, None);

    // The counts kept with each change: 7 approved (gone rejected, r3 held).
    let approved = |store: &Store| {
        let store = store.clone();
        async move { store.activity("paged").await.unwrap().unwrap().approved }
    };
    assert_eq!(approved(store).await, 7, "{engine}");
    assert_eq!(
        store.approved_counts(&["paged".into()]).await.unwrap(),
        [("paged".to_owned(), 7)]
    );
    // A deleted first comment: its replies become threads of their own, still on the pages.
    assert!(store
        .delete("r1", comment_service::clock::now_ms())
        .await
        .unwrap());
    assert_eq!(approved(store).await, 6, "{engine}");
    let all = store
        .comment_page(
            "paged",
            None,
            &request(10, ThreadOrder::OldestFirst, None),
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        ids(&all),
        ["r0", "r2", "r4", "r1a", "r1b", "orphan"],
        "{engine}: the replies of a deleted comment stay listed"
    );
    assert_eq!(all.total, 6);

    // Both paging queries (the statements comment_page runs) seek in an index: SQLite
    // SEARCHes it (a SCAN USING INDEX would read it whole), PostgreSQL scans it with an
    // Index Cond.
    let plans = store.explain_paging(false).await.unwrap();
    let seeks = |plan: &str, index: &str| match engine {
        "sqlite" => plan.contains(&format!("SEARCH comments USING INDEX {index} (")),
        _ => {
            (plan.contains(&format!(" using {index} on comments"))
                || plan.contains(&format!("Index Scan on {index}")))
                && plan.contains("Index Cond")
        }
    };
    assert!(
        seeks(&plans[0], "comments_roots"),
        "{engine}: the roots by their index: {}",
        plans[0]
    );
    assert!(
        seeks(&plans[1], "comments_by_root"),
        "{engine}: the replies by their index: {}",
        plans[1]
    );
    println!("{engine} paging plans:\n{}\n{}", plans[0], plans[1]);
}

/// Rows in sqlx's `_sqlx_migrations`: one per migration that ran.
async fn migrations_recorded(url: &str) -> i64 {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    count
}

/// The migrations `sqlx::migrate!` embeds: the `.sql` files in `server/migrations`, counted
/// (a constant went stale whenever a migration was added).
fn migrations_in_folder() -> i64 {
    let folder = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    let entries = std::fs::read_dir(folder).unwrap_or_else(|e| panic!("{folder}: {e}"));
    entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "sql"))
        .count() as i64
}

async fn reset_postgres(url: &str) {
    use sqlx::Executor;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url)
        .await
        .expect("the PostgreSQL server answers");
    pool.execute(
        // The whole schema, so that a table a new migration adds is never left behind.
        "DROP SCHEMA public CASCADE; CREATE SCHEMA public;",
    )
    .await
    .unwrap();
    pool.close().await;
}

/// A database made by the service before its migrations moved to sqlx (its own
/// `schema_migrations` table) opens with every comment kept.
#[tokio::test]
async fn a_database_from_before_sqlx_migrations_keeps_its_comments() {
    use sqlx::Executor;
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display());
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    for statement in [
        "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY)",
        "INSERT INTO schema_migrations (version) VALUES (1)",
        "CREATE TABLE comments (id TEXT PRIMARY KEY, article_id TEXT NOT NULL, parent_id TEXT,
            author TEXT NOT NULL, email TEXT NOT NULL, website TEXT, content TEXT NOT NULL,
            status TEXT NOT NULL, created_at BIGINT NOT NULL, client_address TEXT NOT NULL,
            author_token TEXT)",
        "INSERT INTO comments VALUES ('old1', 'article', NULL, 'Ann', 'ann@example.com', NULL,
            'from before', 'approved', 1000, '127.0.0.1', NULL)",
        "CREATE TABLE idempotency (idempotency_key TEXT PRIMARY KEY, article_id TEXT NOT NULL,
            status_code BIGINT, body TEXT, created_at BIGINT NOT NULL)",
        "CREATE TABLE flood (subject TEXT PRIMARY KEY, last_at BIGINT NOT NULL)",
    ] {
        pool.execute(statement).await.unwrap();
    }
    pool.close().await;
    let store = Store::open(&url).await.unwrap();
    let kept = visible(&store, "article", None).await;
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].content, "from before");
    store.close().await;
    assert_eq!(migrations_recorded(&url).await, migrations_in_folder());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_storage_suite_on_both_engines() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = format!("sqlite://{}", dir.path().join("suite.db").display());
    Store::open(&sqlite).await.unwrap().close().await;
    suite(Store::open(&sqlite).await.unwrap()).await;
    assert_eq!(
        migrations_recorded(&sqlite).await,
        migrations_in_folder(),
        "opened twice, migrated once"
    );
    // Durability: WAL and synchronous=FULL (2) on every connection the pool hands out, so
    // a committed comment is fsynced before its 201. Held together, so each is a new one.
    let store = Store::open(&sqlite).await.unwrap();
    let checks = (0..4).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.sqlite_durability().await.unwrap() })
    });
    for check in checks.collect::<Vec<_>>() {
        assert_eq!(check.await.unwrap(), Some(("wal".to_owned(), 2)));
    }
    store.close().await;
    let mut engines = vec!["sqlite"];
    if let Some(url) = common::postgres_url() {
        reset_postgres(&url).await;
        Store::open(&url).await.unwrap().close().await;
        suite(Store::open(&url).await.unwrap()).await;
        assert_eq!(
            migrations_recorded(&url).await,
            migrations_in_folder(),
            "opened twice, migrated once"
        );
        engines.push("postgres");
    }
    println!("storage engines tested: {}", engines.join(", "));
}
