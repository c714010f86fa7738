//! The moderation area at `/moderate`, as a moderator's browser meets it.

mod common;

use common::*;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use comment_service::store::{ModerationStatus, Store, StoredComment};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;

const SESSION: &str = "aw-moderator";
const SIGN_IN: &str = "aw-moderator-sign-in";
const PASSWORD: &str = "a long enough passphrase";
const LOCK_WINDOW_MS: i64 = 15 * 60 * 1000;

/// The moderation area: nothing of it without a session; sign-in with a lockout; a
/// session cookie that is HttpOnly, SameSite=Strict (and Secure behind HTTPS) and dead after
/// sign-out; every action needs the session's CSRF token; hostile text is shown as text;
/// blocks refuse comments; the link rule holds comments; the audit log says who did what.
#[tokio::test]
async fn the_moderation_area_is_for_signed_in_moderators_only() {
    let service = Service::start(&["--flood-seconds", "0"]);
    let (code, said) = add_moderator(&service, "editor", "short");
    assert_eq!(code, 2, "a short password is refused: {said}");
    let (code, said) = add_moderator(&service, "editor", "a long enough passphrase");
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("Added moderator editor"), "{said}");

    let (status, _, answer) = post(
        &service,
        "m1",
        &body(
            "<b>Mallory</b>",
            "mallory@example.com",
            "<script>alert(1)</script> held",
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(answer["comment"]["status"], "pending");
    let id = answer["comment"]["id"].as_str().unwrap().to_owned();

    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let url = |path: &str| service.url(path);
    // Nothing without a session.
    for path in ["/moderate", "/moderate/audit", "/moderate/blocks"] {
        let answer = client.get(url(path)).send().await.unwrap();
        assert_eq!(answer.status(), StatusCode::SEE_OTHER, "{path}");
        assert_eq!(answer.headers()["location"], "/moderate/sign-in");
    }
    let act = |cookie: Option<&str>, form: &[(&str, &str)]| {
        let mut request = client
            .post(url("/moderate/act"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).unwrap());
        if let Some(cookie) = cookie {
            request = request.header("Cookie", cookie);
        }
        request.send()
    };
    let approve = format!("approve:{id}");
    assert_eq!(
        act(None, &[("one", &approve)]).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );

    // Sign-in: wrong, then right (from the sign-in form, with its token and cookie).
    let (form_cookie, form_token) = sign_in_form(&client, &service).await;
    let sign_in = |password: &str, https: bool| {
        let mut request = client
            .post(url("/moderate/sign-in"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Cookie", &form_cookie)
            .body(
                serde_urlencoded::to_string([
                    ("name", "editor"),
                    ("password", password),
                    ("csrf", &form_token),
                ])
                .unwrap(),
            );
        if https {
            request = request.header("X-Forwarded-Proto", "https");
        }
        request.send()
    };
    assert_eq!(
        sign_in("wrong password", false).await.unwrap().status(),
        StatusCode::UNAUTHORIZED
    );
    let signed_in = sign_in("a long enough passphrase", false).await.unwrap();
    assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
    let set_cookie = set_cookie_line(&signed_in, SESSION).unwrap();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/moderate"] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain HTTP: {set_cookie}");
    // Over HTTPS the form's own cookie is the `__Host-` one (see
    // `over_https_the_sign_in_cookie_is_the_hosts_own`): the plain one is refused there.
    assert_eq!(
        sign_in("a long enough passphrase", true)
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let https_form = client
        .get(url("/moderate/sign-in"))
        .header("X-Forwarded-Proto", "https")
        .send()
        .await
        .unwrap();
    let https_cookie = set_cookie_line(&https_form, "__Host-aw-moderator-sign-in")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let https_token = csrf_of(&https_form.text().await.unwrap());
    let secure = client
        .post(url("/moderate/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("X-Forwarded-Proto", "https")
        .header("Cookie", https_cookie)
        .body(
            serde_urlencoded::to_string([
                ("name", "editor"),
                ("password", "a long enough passphrase"),
                ("csrf", https_token.as_str()),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap();
    assert!(set_cookie_line(&secure, SESSION)
        .unwrap()
        .contains("; Secure"));
    let cookie = set_cookie.split(';').next().unwrap().to_owned();

    // The queue: the held comment with its details, its text as text.
    let queue = client
        .get(url("/moderate"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(queue.status(), StatusCode::OK);
    assert_eq!(queue.headers()["cache-control"], "no-store");
    let page = queue.text().await.unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt; held"),
        "escaped"
    );
    assert!(!page.contains("<script>alert(1)"), "never as markup");
    assert!(page.contains("&lt;b&gt;Mallory&lt;/b&gt;"));
    assert!(page.contains("mallory@example.com") && page.contains("127.0.0.1"));
    assert!(
        page.contains("Russia and Iran sign a cooperation treaty"),
        "the article's title"
    );
    let csrf = csrf_of(&page);

    // Actions: refused without the token (or with another), done with it.
    assert_eq!(
        act(Some(&cookie), &[("one", &approve)])
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        act(
            Some(&cookie),
            &[("one", &approve), ("csrf", "not-the-token")]
        )
        .await
        .unwrap()
        .status(),
        StatusCode::FORBIDDEN
    );
    assert!(
        list(&service, None).await.is_empty(),
        "nothing approved yet"
    );
    let done = act(Some(&cookie), &[("one", &approve), ("csrf", &csrf)])
        .await
        .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(list(&service, None).await.len(), 1, "approved and public");
    let audit = client
        .get(url("/moderate/audit"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("editor") && audit.contains("approve") && audit.contains(&id));

    // A block refuses the next comment with the generic message; unblocked, it is taken.
    let blocks = |form: &[(&str, &str)]| {
        client
            .post(url("/moderate/blocks"))
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(form).unwrap())
            .send()
    };
    let block = [
        ("csrf", csrf.as_str()),
        ("kind", "email"),
        ("value", "Mallory@Example.com"),
        ("do", "add"),
    ];
    assert_eq!(
        blocks(&block).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    let (status, _, answer) = post(
        &service,
        "m2",
        &body("Mallory", "mallory@example.com", "Blocked now"),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer.to_string().contains("could not be accepted"),
        "{answer}"
    );
    let unblock = [
        ("csrf", csrf.as_str()),
        ("kind", "email"),
        ("value", "mallory@example.com"),
        ("do", "remove"),
    ];
    assert_eq!(
        blocks(&unblock).await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
    // Mallory has an approved comment now (published at once, as WordPress does) unless
    // the comment has two links: the link rule holds it.
    let (status, _, answer) = post(
        &service,
        "m3",
        &body("Mallory", "mallory@example.com", "Unblocked again"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(answer["comment"]["status"], "approved");
    let (_, _, answer) = post(
        &service,
        "m4",
        &body(
            "Mallory",
            "mallory@example.com",
            "See https://a.example and https://b.example",
        ),
    )
    .await;
    assert_eq!(answer["comment"]["status"], "pending", "two links: held");

    // The overview: the last weeks at a glance, as charts.
    let overview = client
        .get(url("/moderate/overview"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        overview.contains("aria-label=\"Last 28 days: 2 published, 1 held, 0 spam\""),
        "{overview}"
    );
    assert!(overview.contains("<rect") && overview.contains("Most discussed"));
    assert!(overview.contains("Russia and Iran sign a cooperation treaty in the Kremlin: 2"));

    // Signed out, the old cookie opens nothing.
    let out = client
        .post(url("/moderate/sign-out"))
        .header("Cookie", &cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}"))
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), StatusCode::SEE_OTHER);
    let after = client
        .get(url("/moderate"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the session is over");
    assert_eq!(
        act(Some(&cookie), &[("one", &approve), ("csrf", &csrf)])
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );

    // Five failures lock the account, the right password too.
    for _ in 0..5 {
        assert_eq!(
            sign_in("wrong again", false).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    assert_eq!(
        sign_in("a long enough passphrase", false)
            .await
            .unwrap()
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}

// ----- Helpers: the area as a browser meets it -----

/// A client that shows redirects instead of following them.
fn area_client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The whole `Set-Cookie` line that sets this cookie, if the answer sets it.
fn set_cookie_line(response: &Response, name: &str) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|line| line.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

/// `name=value` of a cookie the answer sets.
fn cookie_pair(response: &Response, name: &str) -> Option<String> {
    set_cookie_line(response, name).map(|line| line.split(';').next().unwrap().to_owned())
}

/// The sign-in form as a browser gets it: the pre-session cookie (`name=value`) and the token
/// in the form.
async fn sign_in_form(client: &Client, service: &Service) -> (String, String) {
    let answer = client
        .get(service.url("/moderate/sign-in"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::OK);
    // (Missing, it is the test of the form's token that says so.)
    let cookie = cookie_pair(&answer, SIGN_IN).unwrap_or_default();
    let page = answer.text().await.unwrap();
    let token = if page.contains("name=\"csrf\"") {
        csrf_of(&page)
    } else {
        String::new()
    };
    (cookie, token)
}

/// Posts the sign-in form (`form`: its cookie and token, as `sign_in_form` gave them).
async fn post_sign_in(
    client: &Client,
    service: &Service,
    form: &(String, String),
    name: &str,
    password: &str,
) -> Response {
    client
        .post(service.url("/moderate/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", &form.0)
        .body(
            serde_urlencoded::to_string([
                ("name", name),
                ("password", password),
                ("csrf", &form.1),
            ])
            .unwrap(),
        )
        .send()
        .await
        .unwrap()
}

/// Signs in as a browser does; the session cookie (`name=value`).
async fn signed_in(service: &Service, name: &str, password: &str) -> String {
    let client = area_client();
    let form = sign_in_form(&client, service).await;
    let answer = post_sign_in(&client, service, &form, name, password).await;
    assert_eq!(
        answer.status(),
        StatusCode::SEE_OTHER,
        "signed in as {name}"
    );
    cookie_pair(&answer, SESSION).expect("a session cookie")
}

/// A page of the area with this session cookie: its status and text.
async fn area_page(service: &Service, cookie: &str, path: &str) -> (StatusCode, String) {
    let answer = area_client()
        .get(service.url(path))
        .header("Cookie", cookie)
        .send()
        .await
        .unwrap();
    (answer.status(), answer.text().await.unwrap())
}

/// A session is alive when the queue answers it (a dead one is sent to sign in).
async fn session_alive(service: &Service, cookie: &str) -> bool {
    area_page(service, cookie, "/moderate").await.0 == StatusCode::OK
}

/// How many failed sign-ins the database holds for a subject in the current window.
async fn failures_recorded(database: &str, subject: &str) -> i64 {
    let store = Store::open(database).await.unwrap();
    let failures = store
        .signin_failures(subject, now_ms(), LOCK_WINDOW_MS)
        .await
        .unwrap();
    store.close().await;
    failures
}

fn count_by_status(statuses: &[StatusCode]) -> BTreeMap<u16, usize> {
    let mut counts = BTreeMap::new();
    for status in statuses {
        *counts.entry(status.as_u16()).or_default() += 1;
    }
    counts
}

// ----- Sign-in -----

/// §3: sixty wrong passwords for one account at once check at most five passwords: each
/// attempt is reserved in the database before its password is checked, so the sixth and
/// later are refused (429) without being tried, and no answer is a 503. On both engines.
#[tokio::test]
async fn concurrent_wrong_passwords_check_no_more_than_the_limit() {
    let service = Service::start(&[]);
    concurrent_wrong_passwords(&service, "sqlite").await;
    if let Some(url) = postgres_url() {
        empty_postgres(&url).await;
        let service = Service::start_on(Some(&url), &[]);
        concurrent_wrong_passwords(&service, "postgres").await;
    }
}

async fn concurrent_wrong_passwords(service: &Service, engine: &str) {
    let (code, said) = add_moderator(service, "editor", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let client = area_client();
    let form = sign_in_form(&client, service).await;
    let attempts = (0..60).map(|n| {
        let (client, form, service_url) = (client.clone(), form.clone(), service.url(""));
        tokio::spawn(async move {
            client
                .post(format!("{service_url}/moderate/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", &form.0)
                .body(
                    serde_urlencoded::to_string([
                        ("name", "editor"),
                        ("password", &format!("wrong password {n}")),
                        ("csrf", &form.1),
                    ])
                    .unwrap(),
                )
                .send()
                .await
                .map(|answer| answer.status())
        })
    });
    let statuses: Vec<StatusCode> = futures_join(attempts)
        .await
        .into_iter()
        .map(|answer| answer.expect("every attempt is answered"))
        .collect();
    let counts = count_by_status(&statuses);
    let checked = counts.get(&401).copied().unwrap_or(0);
    assert!(
        (1..=5).contains(&checked),
        "{engine}: at most five passwords checked, the rest refused unchecked: {counts:?}"
    );
    assert_eq!(
        counts.get(&429).copied().unwrap_or(0),
        60 - checked,
        "{engine}: every other attempt refused as locked (no 503): {counts:?}"
    );
    let recorded = failures_recorded(&service.database, "account:editor").await;
    assert!(
        recorded <= 5,
        "{engine}: {recorded} failures recorded for one account (limit 5)"
    );
    let right = post_sign_in(&client, service, &form, "editor", PASSWORD).await;
    assert_eq!(
        right.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "{engine}: locked, the right password too"
    );
}

/// §3: a burst of sign-ins checks its passwords off the request workers, so a reader's
/// comment list is answered meanwhile, not after them, and nothing fails on the database
/// pool. Twelve unknown names from one address (under its limit of twenty): every one is
/// checked (401).
#[tokio::test]
async fn a_burst_of_sign_ins_does_not_stall_readers() {
    let service = Service::start(&[]);
    let client = area_client();
    let form = sign_in_form(&client, &service).await;
    // Idle: the slowest of a few reads.
    let mut idle = Duration::ZERO;
    for _ in 0..5 {
        let started = Instant::now();
        list(&service, None).await;
        idle = idle.max(started.elapsed());
    }
    let attempts: Vec<_> = (0..12)
        .map(|n| {
            let (client, form, base) = (client.clone(), form.clone(), service.url(""));
            tokio::spawn(async move {
                let started = Instant::now();
                let status = client
                    .post(format!("{base}/moderate/sign-in"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .header("Cookie", &form.0)
                    .body(
                        serde_urlencoded::to_string([
                            ("name", format!("stranger-{n}").as_str()),
                            ("password", "not a password of anyone"),
                            ("csrf", &form.1),
                        ])
                        .unwrap(),
                    )
                    .send()
                    .await
                    .map(|answer| answer.status());
                (status, started.elapsed())
            })
        })
        .collect();
    // Reads while the burst is being checked: each answered, none waiting on the burst.
    let burst_started = Instant::now();
    let mut slowest_read = Duration::ZERO;
    let mut reads = 0;
    while attempts.iter().any(|task| !task.is_finished()) && reads < 40 {
        let started = Instant::now();
        let answer = Client::new()
            .get(service.comments_url())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), StatusCode::OK, "a read during the burst");
        slowest_read = slowest_read.max(started.elapsed());
        reads += 1;
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let answers = futures_join(attempts.into_iter()).await;
    let burst = burst_started.elapsed();
    let statuses: Vec<StatusCode> = answers
        .iter()
        .map(|(status, _)| *status.as_ref().expect("answered"))
        .collect();
    assert_eq!(
        count_by_status(&statuses),
        BTreeMap::from([(401, 12)]),
        "each checked and refused, none failed on the pool"
    );
    assert!(reads >= 2, "reads were made during the burst ({burst:?})");
    // The burst takes seconds of Argon2 on two cores (more in a debug build); a read that
    // waited for it would take as long. Generous: a read may be slowed by the shared CPU,
    // never held behind the checks.
    let bound = (idle * 20).max(Duration::from_millis(750));
    assert!(
        slowest_read < bound && slowest_read * 3 < burst,
        "slowest read {slowest_read:?} during a {burst:?} burst (idle {idle:?}, bound {bound:?})"
    );
}

/// §12: a sign-in's name is capped: a name over 64 characters (or a body of megabytes) is
/// refused before anything is looked up, counted or stored.
#[tokio::test]
async fn an_overlong_sign_in_name_is_refused_before_any_work() {
    let service = Service::start(&[]);
    let client = area_client();
    let form = sign_in_form(&client, &service).await;
    let long = "n".repeat(65);
    let answer = post_sign_in(&client, &service, &form, &long, "whatever it is").await;
    assert_eq!(answer.status(), StatusCode::BAD_REQUEST);
    assert!(answer.text().await.unwrap().contains("too long"));
    let huge = "x".repeat(1_900_000);
    // The service answers 413 as soon as the body passes the area's limit and closes the
    // connection: the client, still sending, may see that answer or only the closed
    // connection. Either way nothing is read or stored (checked below). On a client of its
    // own, so the connection the service closes is never offered to the next request.
    let sent = area_client()
        .post(service.url("/moderate/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Cookie", &form.0)
        .body(
            serde_urlencoded::to_string([
                ("name", huge.as_str()),
                ("password", "whatever it is"),
                ("csrf", &form.1),
            ])
            .unwrap(),
        )
        .send()
        .await;
    match sent {
        Ok(answer) => assert!(
            answer.status() == StatusCode::PAYLOAD_TOO_LARGE
                || answer.status() == StatusCode::BAD_REQUEST,
            "{}",
            answer.status()
        ),
        Err(error) => assert!(error.is_request(), "closed mid-body: {error}"),
    }
    // A name of 64 is tried (and fails) as usual, so the database is looked at: only it is there.
    let longest = "m".repeat(64);
    let answer = post_sign_in(&client, &service, &form, &longest, "whatever it is").await;
    assert_eq!(answer.status(), StatusCode::UNAUTHORIZED);
    let store = Store::open(&service.database).await.unwrap();
    assert_eq!(
        store
            .signin_failures(&format!("account:{longest}"), now_ms(), LOCK_WINDOW_MS)
            .await
            .unwrap(),
        1,
        "the 64-character name was counted"
    );
    for name in [&long, &huge] {
        assert_eq!(
            store
                .signin_failures(&format!("account:{name}"), now_ms(), LOCK_WINDOW_MS)
                .await
                .unwrap(),
            0,
            "nothing stored for a name of {} characters",
            name.len()
        );
    }
    assert_eq!(
        store
            .signin_failures("address:127.0.0.1", now_ms(), LOCK_WINDOW_MS)
            .await
            .unwrap(),
        1,
        "the refused ones did not count against the address either"
    );
    store.close().await;
    let (code, said) = add_moderator(&service, &"a".repeat(65), PASSWORD);
    assert_eq!(code, 2, "the command line refuses such a name too: {said}");
}

/// §12 (login CSRF): the sign-in form carries a token bound to a cookie set with it; a
/// sign-in without the matching pair (a form posted from another site) is refused with a
/// page that says so and offers the form again, and signs no one in.
#[tokio::test]
async fn a_sign_in_without_the_forms_token_is_refused() {
    let service = Service::start(&[]);
    let (code, said) = add_moderator(&service, "editor", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let client = area_client();
    let form = sign_in_form(&client, &service).await;
    let (other_cookie, other_token) = sign_in_form(&client, &service).await;
    assert!(
        form.0.starts_with(SIGN_IN),
        "the sign-in form sets its cookie"
    );
    assert_ne!(form.1, other_token, "each browser its own token");
    let mismatched = [
        (None, None),
        (None, Some(form.1.clone())),
        (Some(form.0.clone()), None),
        (Some(form.0.clone()), Some(other_token.clone())),
        (Some(other_cookie.clone()), Some(form.1.clone())),
        (Some(form.0.clone()), Some(String::new())),
    ];
    for (cookie, token) in mismatched {
        let mut fields = vec![
            ("name", "editor".to_owned()),
            ("password", PASSWORD.to_owned()),
        ];
        if let Some(token) = &token {
            fields.push(("csrf", token.clone()));
        }
        let mut request = client
            .post(service.url("/moderate/sign-in"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&fields).unwrap());
        if let Some(cookie) = &cookie {
            request = request.header("Cookie", cookie);
        }
        let answer = request.send().await.unwrap();
        assert_eq!(
            answer.status(),
            StatusCode::FORBIDDEN,
            "cookie {cookie:?}, token {token:?}"
        );
        assert!(cookie_pair(&answer, SESSION).is_none(), "no session");
        let page = answer.text().await.unwrap();
        assert!(page.contains("did not come from this site"), "{page}");
        assert!(
            page.contains("action=\"/moderate/sign-in\"") && page.contains("name=\"csrf\""),
            "the form again, to try from here"
        );
    }
    assert_eq!(
        failures_recorded(&service.database, "account:editor").await,
        0,
        "a refused sign-in is not tried, so it counts for nothing"
    );
    // The refusal's own form works: it binds to the browser's cookie, or sets a new one.
    let refused = client
        .post(service.url("/moderate/sign-in"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("name=editor&password=x")
        .send()
        .await
        .unwrap();
    let again = (
        cookie_pair(&refused, SIGN_IN).expect("a new pre-session cookie"),
        csrf_of(&refused.text().await.unwrap()),
    );
    let answer = post_sign_in(&client, &service, &again, "editor", PASSWORD).await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let cleared = set_cookie_line(&answer, SIGN_IN).expect("the sign-in cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    let line = set_cookie_line(&form_answer(&client, &service).await, SIGN_IN).unwrap();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/moderate/sign-in"] {
        assert!(line.contains(part), "{line}");
    }
}

async fn form_answer(client: &Client, service: &Service) -> Response {
    client
        .get(service.url("/moderate/sign-in"))
        .send()
        .await
        .unwrap()
}

/// Issue 22: twenty failed sign-ins from one client address, over any accounts, lock every
/// account from that address, the right password too.
#[tokio::test]
async fn twenty_failures_from_one_address_lock_every_account() {
    let service = Service::start(&[]);
    let (code, said) = add_moderator(&service, "editor", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let client = area_client();
    let form = sign_in_form(&client, &service).await;
    // Five names, four failures each: no account reaches its own limit of five. At once, so
    // the test waits for the password checks two at a time, not one by one.
    let attempts = (0..20).map(|n| {
        let (client, form, base) = (client.clone(), form.clone(), service.url(""));
        tokio::spawn(async move {
            client
                .post(format!("{base}/moderate/sign-in"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", &form.0)
                .body(format!(
                    "name=guess-{}&password=wrong&csrf={}",
                    n % 5,
                    form.1
                ))
                .send()
                .await
                .map(|answer| answer.status())
        })
    });
    let statuses: Vec<StatusCode> = futures_join(attempts)
        .await
        .into_iter()
        .map(|status| status.expect("answered"))
        .collect();
    assert_eq!(
        count_by_status(&statuses),
        BTreeMap::from([(401, 20)]),
        "twenty tried and failed"
    );
    assert_eq!(
        failures_recorded(&service.database, "account:editor").await,
        0
    );
    let answer = post_sign_in(&client, &service, &form, "editor", PASSWORD).await;
    assert_eq!(
        answer.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the address is locked: no account signs in from it"
    );
    assert!(answer
        .text()
        .await
        .unwrap()
        .contains("Too many failed attempts"));
}

/// §7 and issue 22: a new password (`moderators add NAME` again) ends that moderator's
/// sessions, as `moderators remove` does; the old password no longer signs in.
#[tokio::test]
async fn a_new_password_or_removal_ends_the_moderators_sessions() {
    let service = Service::start(&[]);
    let (code, said) = add_moderator(&service, "editor", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let (code, said) = add_moderator(&service, "other", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let first = signed_in(&service, "editor", PASSWORD).await;
    let second = signed_in(&service, "editor", PASSWORD).await;
    let others = signed_in(&service, "other", PASSWORD).await;
    assert!(session_alive(&service, &first).await && session_alive(&service, &second).await);

    let new_password = "a different long passphrase";
    let (code, said) = add_moderator(&service, "editor", new_password);
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("sessions have ended"), "{said}");
    assert!(
        !session_alive(&service, &first).await,
        "signed out by the new password"
    );
    assert!(
        !session_alive(&service, &second).await,
        "every session of theirs"
    );
    assert!(
        session_alive(&service, &others).await,
        "another moderator's is kept"
    );
    let client = area_client();
    let form = sign_in_form(&client, &service).await;
    let old = post_sign_in(&client, &service, &form, "editor", PASSWORD).await;
    assert_eq!(
        old.status(),
        StatusCode::UNAUTHORIZED,
        "the old password is over"
    );

    let current = signed_in(&service, "editor", new_password).await;
    assert!(session_alive(&service, &current).await);
    let output = std::process::Command::new(BINARY)
        .args([
            "--database",
            &service.database,
            "moderators",
            "remove",
            "editor",
        ])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        !session_alive(&service, &current).await,
        "removed: signed out"
    );
    let answer = post_sign_in(&client, &service, &form, "editor", new_password).await;
    assert_eq!(
        answer.status(),
        StatusCode::UNAUTHORIZED,
        "removed: no sign-in"
    );
    assert!(session_alive(&service, &others).await);
}

// ----- The area's pages -----

/// Issue 22: every answer of the area (pages, redirects, refusals) is not to be stored, not
/// to be framed, and under a policy that allows no script.
#[tokio::test]
async fn the_areas_answers_carry_its_security_headers() {
    let service = Service::start(&[]);
    let (code, said) = add_moderator(&service, "editor", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let cookie = signed_in(&service, "editor", PASSWORD).await;
    let client = area_client();
    let mut answers = Vec::new();
    for path in ["/moderate", "/moderate/sign-in", "/moderate/audit"] {
        answers.push((
            format!("GET {path} signed out"),
            client.get(service.url(path)).send().await.unwrap(),
        ));
    }
    for path in [
        "/moderate",
        "/moderate?status=all",
        "/moderate/audit",
        "/moderate/blocks",
        "/moderate/overview",
        "/moderate/sign-in",
    ] {
        let answer = client
            .get(service.url(path))
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap();
        answers.push((format!("GET {path} signed in"), answer));
    }
    let refused = client
        .post(service.url("/moderate/act"))
        .header("Cookie", &cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("one=approve:x")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    answers.push(("POST /moderate/act without its token".to_owned(), refused));
    for (what, answer) in &answers {
        let header = |name: &str| {
            answer
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(header("cache-control"), "no-store", "{what}");
        assert_eq!(header("x-frame-options"), "DENY", "{what}");
        let policy = header("content-security-policy");
        assert!(policy.contains("default-src 'none'"), "{what}: {policy}");
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{what}: {policy}"
        );
        assert!(
            !policy.contains("script-src"),
            "{what}: no script allowed: {policy}"
        );
        assert!(!policy.contains("unsafe-eval"), "{what}: {policy}");
    }
}

/// A comment posted to an article, as the widget posts it (a distinct author each time, so
/// `--moderation hold-all` holds it).
async fn comment_on(service: &Service, article: &str, author: &str, text: &str) -> String {
    let answer: Value = Client::new()
        .post(service.url(&format!("/api/articles/{article}/comments")))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", format!("{article}-{author}"))
        .body(
            body(
                author,
                &format!("{}@example.com", author.to_lowercase()),
                text,
            )
            .to_string(),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer["comment"]["status"], "pending", "{answer}");
    answer["comment"]["id"].as_str().unwrap().to_owned()
}

/// Issue 22: reject, spam, delete, the bulk buttons, the search and the per-article filter
/// in the area each do what they say, and the public thread shows it.
#[tokio::test]
async fn moderators_reject_mark_spam_delete_in_bulk_search_and_filter() {
    let service = Service::start(&["--moderation", "hold-all", "--flood-seconds", "0"]);
    let (code, said) = add_moderator(&service, "editor", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let cookie = signed_in(&service, "editor", PASSWORD).await;
    let explainer = "russia-iran-explainer";
    let alice = comment_on(&service, ARTICLE, "Alice", "A fair point about the treaty.").await;
    let bob = comment_on(&service, ARTICLE, "Bob", "Buy cheap watches now").await;
    let carol = comment_on(&service, ARTICLE, "Carol", "Off topic rant").await;
    let dave = comment_on(&service, ARTICLE, "Dave", "A question on the sanctions.").await;
    let erin = comment_on(&service, explainer, "Erin", "Thanks for the explainer.").await;
    let (_, queue) = area_page(&service, &cookie, "/moderate").await;
    assert!(queue.contains("Held for moderation (5)"), "{queue}");
    let csrf = csrf_of(&queue);
    let client = area_client();
    let act = |form: Vec<(&'static str, String)>| {
        let mut form = form;
        form.push(("csrf", csrf.clone()));
        client
            .post(service.url("/moderate/act"))
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&form).unwrap())
            .send()
    };
    let public_ids = |comments: Vec<Value>| -> Vec<String> {
        let mut ids: Vec<String> = comments
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        ids.sort();
        ids
    };

    // Search: by author, by email, by text, case-insensitive; none for a stranger.
    for (query, expected) in [
        ("alice", &alice),
        ("BOB@EXAMPLE", &bob),
        ("sanctions", &dave),
    ] {
        let (_, page) = area_page(
            &service,
            &cookie,
            &format!("/moderate?status=all&q={query}"),
        )
        .await;
        assert!(page.contains("All comments (1)"), "{query}: {page}");
        assert!(page.contains(expected.as_str()), "{query}");
    }
    let (_, page) = area_page(
        &service,
        &cookie,
        "/moderate?status=all&q=nobody-wrote-this",
    )
    .await;
    assert!(page.contains("All comments (0)") && page.contains("Nothing here."));
    // One article's comments.
    let (_, page) = area_page(
        &service,
        &cookie,
        &format!("/moderate?status=all&article={explainer}"),
    )
    .await;
    assert!(
        page.contains("All comments (1)") && page.contains(&erin),
        "{page}"
    );
    assert!(!page.contains(&alice));
    let (_, page) = area_page(
        &service,
        &cookie,
        &format!("/moderate?status=all&article={ARTICLE}"),
    )
    .await;
    assert!(page.contains("All comments (4)") && !page.contains(&erin));

    // Bulk: approve Alice and Dave at once: both public.
    let done = act(vec![
        ("bulk", "approve".into()),
        ("ids", alice.clone()),
        ("ids", dave.clone()),
    ])
    .await
    .unwrap();
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    let mut expected = vec![alice.clone(), dave.clone()];
    expected.sort();
    assert_eq!(public_ids(list(&service, None).await), expected);
    // Spam and reject, one by one: listed under their status, not public.
    act(vec![("one", format!("spam:{bob}"))]).await.unwrap();
    act(vec![("one", format!("reject:{carol}"))]).await.unwrap();
    let (_, spam) = area_page(&service, &cookie, "/moderate?status=spam").await;
    assert!(spam.contains("Spam (1)") && spam.contains(&bob), "{spam}");
    let (_, rejected) = area_page(&service, &cookie, "/moderate?status=rejected").await;
    assert!(
        rejected.contains("Rejected (1)") && rejected.contains(&carol),
        "{rejected}"
    );
    let (_, held) = area_page(&service, &cookie, "/moderate").await;
    assert!(
        held.contains("Held for moderation (1)") && held.contains(&erin),
        "{held}"
    );
    assert_eq!(
        public_ids(list(&service, None).await),
        expected,
        "spam and rejected stay hidden"
    );
    // A published comment marked as spam leaves the thread.
    act(vec![("one", format!("spam:{dave}"))]).await.unwrap();
    assert_eq!(public_ids(list(&service, None).await), vec![alice.clone()]);
    // Delete: gone from the area and the thread; bulk delete too.
    act(vec![("one", format!("delete:{alice}"))]).await.unwrap();
    assert!(list(&service, None).await.is_empty());
    act(vec![
        ("bulk", "delete".into()),
        ("ids", bob.clone()),
        ("ids", carol.clone()),
    ])
    .await
    .unwrap();
    let (_, all) = area_page(&service, &cookie, "/moderate?status=all").await;
    assert!(all.contains("All comments (2)"), "{all}");
    for gone in [&alice, &bob, &carol] {
        assert!(!all.contains(gone.as_str()), "deleted");
    }
    // Bulk reject and spam from the queue.
    act(vec![("bulk", "reject".into()), ("ids", erin.clone())])
        .await
        .unwrap();
    let (_, page) = area_page(&service, &cookie, "/moderate?status=rejected").await;
    assert!(page.contains(&erin));
    act(vec![("bulk", "spam".into()), ("ids", erin.clone())])
        .await
        .unwrap();
    let (_, page) = area_page(&service, &cookie, "/moderate?status=spam").await;
    assert!(page.contains("Spam (2)") && page.contains(&erin), "{page}");
    assert!(thread_of(&service, explainer).await.is_empty());
    // Each of these is in the audit log.
    let (_, audit) = area_page(&service, &cookie, "/moderate/audit").await;
    for action in ["approve", "spam", "reject", "delete"] {
        assert!(
            audit.contains(&format!("<td>{action}</td>")),
            "{action}: {audit}"
        );
    }
}

/// What a commenter wrote is shown as text wherever the area shows it (queue, reply context,
/// blocks, audit log), whatever the row holds (imports and old rows may hold anything the
/// comment rules now refuse): markup, quotes that would end an attribute, a `javascript:`
/// website, control characters and bidirectional overrides (shown as visible escapes, so
/// none can reorder what a moderator reads). A search reflected into the page stays text too.
#[tokio::test]
async fn hostile_text_is_shown_as_text_in_the_area() {
    let service = Service::start(&[]);
    let (code, said) = add_moderator(&service, "editor", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let hostile = |id: &str, parent: Option<&str>, author: &str, content: &str| StoredComment {
        id: id.to_owned(),
        article_id: ARTICLE.to_owned(),
        parent_id: parent.map(str::to_owned),
        author: author.to_owned(),
        email: "eve\"<b>@example.com".to_owned(),
        website: Some("javascript:alert(1)\" onmouseover=\"alert(2)".to_owned()),
        content: content.to_owned(),
        status: ModerationStatus::Pending,
        created_at: now_ms(),
        client_address: "192.0.2.7".to_owned(),
        author_token: None,
        account: None,
        badges: None,
        notify: false,
    };
    let parent = "c0ffee0000000000000000000000aaaa";
    let reply = "c0ffee0000000000000000000000bbbb";
    let store = Store::open(&service.database).await.unwrap();
    let rows = [
        hostile(
            parent,
            None,
            "\"><script>alert('name')</script>",
            "</p><script>alert(\"text\")</script><img src=x onerror=alert(3)> & done",
        ),
        hostile(
            reply,
            Some(parent),
            "Eve \u{202e}evE\u{2066}",
            "invoice\u{202e}fdp.exe\u{1b}[2J\u{0} end",
        ),
    ];
    assert_eq!(
        store
            .insert_many(&rows, comment_service::clock::now_ms())
            .await
            .unwrap(),
        2
    );
    store.close().await;
    let cookie = signed_in(&service, "editor", PASSWORD).await;
    let no_markup_of_theirs = |page: &str, what: &str| {
        let lower = page.to_lowercase();
        for raw in [
            "<script",
            "<img",
            "<b>",
            "onmouseover=\"",
            "href=\"javascript",
        ] {
            assert!(!lower.contains(raw), "{what}: {raw} as markup in {page}");
        }
        let unseen: Vec<char> = page
            .chars()
            .filter(|c| {
                (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
                    || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
            })
            .collect();
        assert!(unseen.is_empty(), "{what}: raw {unseen:?} in the page");
    };

    let (status, queue) = area_page(&service, &cookie, "/moderate").await;
    assert_eq!(status, StatusCode::OK);
    no_markup_of_theirs(&queue, "queue");
    for shown in [
        "&quot;&gt;&lt;script&gt;alert('name')&lt;/script&gt;",
        "&lt;/p&gt;&lt;script&gt;alert(&quot;text&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(3)&gt; &amp; done",
        "eve&quot;&lt;b&gt;@example.com",
        "javascript:alert(1)&quot; onmouseover=&quot;alert(2)",
        "Eve \\u{202e}evE\\u{2066}",
        "invoice\\u{202e}fdp.exe\\u{1b}[2J\\u{0} end",
        // The reply's context: its parent's author and text.
        "In reply to &quot;&gt;&lt;script&gt;",
    ] {
        assert!(queue.contains(shown), "{shown} in {queue}");
    }

    // A search is reflected into the form (and the actions' way back) as text.
    let query = "<script>alert(\"text\")";
    let (_, found) = area_page(
        &service,
        &cookie,
        &format!("/moderate?status=all&q={}", url_encoded(query)),
    )
    .await;
    no_markup_of_theirs(&found, "search");
    assert!(found.contains("All comments (1)"), "{found}");
    assert!(
        found.contains("value=\"&lt;script&gt;alert(&quot;text&quot;)\""),
        "{found}"
    );

    // Blocked, the email is text on the blocks page and in the audit log, and the page's own
    // unblock form carries it back intact.
    let csrf = csrf_of(&queue);
    let client = area_client();
    let form = |path: &str, fields: &[(&str, &str)]| {
        client
            .post(service.url(path))
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).unwrap())
            .send()
    };
    let block = format!("block-email:{reply}");
    let answer = form("/moderate/act", &[("one", &block), ("csrf", &csrf)])
        .await
        .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let (_, blocks) = area_page(&service, &cookie, "/moderate/blocks").await;
    no_markup_of_theirs(&blocks, "blocks");
    assert!(
        blocks.contains("name=\"value\" value=\"eve&quot;&lt;b&gt;@example.com\""),
        "{blocks}"
    );
    let (_, audit) = area_page(&service, &cookie, "/moderate/audit").await;
    no_markup_of_theirs(&audit, "audit");
    assert!(audit.contains("eve&quot;&lt;b&gt;@example.com"), "{audit}");
    let answer = form(
        "/moderate/blocks",
        &[
            ("csrf", &csrf),
            ("kind", "email"),
            ("value", "eve\"<b>@example.com"),
            ("do", "remove"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let (_, blocks) = area_page(&service, &cookie, "/moderate/blocks").await;
    assert!(blocks.contains("No blocks."), "{blocks}");
}

fn url_encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Issue 18: an error on the area's routes is a page of the area, in its layout, with its
/// status and a message (never the comments API's JSON, nor a bare text): a database
/// failure, a method the route does not take, a query it cannot read, a form over the limit.
#[tokio::test]
async fn an_error_in_the_area_is_a_page_of_the_area() {
    use sqlx::Executor;
    let service = Service::start(&[]);
    let (code, said) = add_moderator(&service, "editor", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let cookie = signed_in(&service, "editor", PASSWORD).await;
    let (_, queue) = area_page(&service, &cookie, "/moderate").await;
    let csrf = csrf_of(&queue);
    let client = area_client();
    let is_area_page = |answer: Response, status: StatusCode, message: &'static str| async move {
        assert_eq!(answer.status(), status, "{message}");
        let header = |name: &str| {
            answer
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert!(
            header("content-type").starts_with("text/html"),
            "{status}: {}",
            header("content-type")
        );
        assert_eq!(header("cache-control"), "no-store", "{status}");
        assert_eq!(header("x-frame-options"), "DENY", "{status}");
        let page = answer.text().await.unwrap();
        assert!(
            page.to_lowercase().starts_with("<!doctype html>")
                && page.contains("Comments · moderation"),
            "{status}: the area's layout: {page}"
        );
        assert!(page.contains(message), "{status}: {message} in {page}");
    };

    let wrong_method = client
        .get(service.url("/moderate/act"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    is_area_page(
        wrong_method,
        StatusCode::METHOD_NOT_ALLOWED,
        "does not take this kind of request",
    )
    .await;
    let unreadable_query = client
        .get(service.url("/moderate?status=spam&status=all"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    is_area_page(
        unreadable_query,
        StatusCode::BAD_REQUEST,
        "could not be read",
    )
    .await;
    // Just over the limit (64 KiB), small enough to be sent whole before the answer.
    let too_large = client
        .post(service.url("/moderate/act"))
        .header("Cookie", &cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(format!("csrf={csrf}&ids={}", "x".repeat(70 * 1024)))
        .send()
        .await
        .unwrap();
    is_area_page(too_large, StatusCode::PAYLOAD_TOO_LARGE, "too large").await;

    // The database fails under the blocks page (its table gone): 503, said on a page.
    let pool = service.database_pool().await;
    pool.execute("DROP TABLE blocks").await.unwrap();
    pool.close().await;
    let failed = client
        .get(service.url("/moderate/blocks"))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap();
    is_area_page(
        failed,
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable right now",
    )
    .await;
}

// ----- The command line -----

/// §10: `moderate list` shows what a commenter wrote with its control characters escaped:
/// no ESC, CR or other control byte reaches the terminal (old rows and imports may hold them).
#[tokio::test]
async fn moderate_list_escapes_control_characters() {
    let service = Service::start(&[]);
    let store = Store::open(&service.database).await.unwrap();
    let hostile = StoredComment {
        id: "c0ffee0000000000000000000000abcd".to_owned(),
        article_id: ARTICLE.to_owned(),
        parent_id: None,
        author: "Eve\u{1b}[2J\u{1b}]0;owned\u{7}".to_owned(),
        email: "eve@example.com\r".to_owned(),
        website: None,
        content: "Fine text\r\u{1b}[31mFAKE LINE\u{9b}1m \u{202e}desrever\nsecond line".to_owned(),
        status: ModerationStatus::Pending,
        created_at: now_ms(),
        client_address: "192.0.2.1".to_owned(),
        author_token: None,
        account: None,
        badges: None,
        notify: false,
    };
    assert_eq!(
        store
            .insert_many(&[hostile], comment_service::clock::now_ms())
            .await
            .unwrap(),
        1
    );
    store.close().await;
    let output = std::process::Command::new(BINARY)
        .args(["--database", &service.database, "moderate", "list"])
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let controls: Vec<char> = text
        .chars()
        .filter(|c| (c.is_control() && *c != '\n') || matches!(c, '\u{202a}'..='\u{202e}'))
        .collect();
    assert!(
        controls.is_empty(),
        "raw control characters {controls:?} in {text:?}"
    );
    assert!(
        text.contains("Eve\\u{1b}[2J\\u{1b}]0;owned\\u{7}"),
        "{text}"
    );
    assert!(
        text.contains("Fine text\\u{d}\\u{1b}[31mFAKE LINE\\u{9b}1m \\u{202e}desrever second line"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 2, "one comment, two lines: {text:?}");
}

/// Over HTTPS the sign-in form's cookie is a `__Host-` cookie (`Secure`, `Path=/`, no
/// `Domain`), which a sibling subdomain cannot set: a pair planted under the plain name is
/// not read there.
#[tokio::test]
async fn over_https_the_sign_in_cookie_is_the_hosts_own() {
    let service = Service::start(&[]);
    let (code, said) = add_moderator(&service, "editor", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let client = area_client();
    let https = |request: reqwest::RequestBuilder| request.header("X-Forwarded-Proto", "https");
    let answer = https(client.get(service.url("/moderate/sign-in")))
        .send()
        .await
        .unwrap();
    let set = answer.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set.starts_with("__Host-aw-moderator-sign-in="), "{set}");
    assert!(
        set.contains("; Path=/;") && set.contains("; Secure"),
        "{set}"
    );
    assert!(!set.to_lowercase().contains("domain="), "{set}");
    let pair = set.split(';').next().unwrap().to_owned();
    let token = csrf_of(&answer.text().await.unwrap());
    let sign_in = |cookie: String| {
        https(client.post(service.url("/moderate/sign-in")))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Cookie", cookie)
            .body(
                serde_urlencoded::to_string([
                    ("name", "editor"),
                    ("password", PASSWORD),
                    ("csrf", token.as_str()),
                ])
                .unwrap(),
            )
            .send()
    };
    let planted = pair.replace("__Host-aw-moderator-sign-in", "aw-moderator-sign-in");
    assert_eq!(
        sign_in(planted).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(sign_in(pair).await.unwrap().status(), StatusCode::SEE_OTHER);
}

/// Review finding: a held comment's author may edit it while it waits; Approve names the
/// version the moderator was shown, so text nobody saw is never approved.
#[tokio::test]
async fn approve_refuses_a_comment_edited_after_the_page_was_shown() {
    let service = Service::start(&["--moderation", "hold-all", "--flood-seconds", "0"]);
    let (code, said) = add_moderator(&service, "editor", PASSWORD);
    assert_eq!(code, 0, "{said}");
    let cookie = signed_in(&service, "editor", PASSWORD).await;
    let token = "token-of-the-authors-browser-0001";
    let posted: Value = Client::new()
        .post(service.url(&format!("/api/articles/{ARTICLE}/comments")))
        .header("Content-Type", "application/json")
        .header("Idempotency-Key", "edited-meanwhile")
        .header("Comment-Author-Token", token)
        .body(body("Mallory", "mallory@example.com", "A harmless remark.").to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = posted["comment"]["id"].as_str().unwrap().to_owned();
    let (_, queue) = area_page(&service, &cookie, "/moderate").await;
    let shown = format!("approve:{id}:0");
    assert!(queue.contains(&shown), "Approve names the version shown: {queue}");
    let csrf = csrf_of(&queue);
    // The author rewrites it while the moderator reads.
    let edited = Client::new()
        .post(service.url(&format!("/api/articles/{ARTICLE}/comments/{id}/edit")))
        .header("Content-Type", "application/json")
        .header("Comment-Author-Token", token)
        .body(r#"{"content": "Something the moderator never saw."}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    let approve = |value: String| {
        let form = vec![("one", value), ("csrf", csrf.clone())];
        area_client()
            .post(service.url("/moderate/act"))
            .header("Cookie", &cookie)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(&form).unwrap())
            .send()
    };
    let refused = approve(shown).await.unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    assert!(refused.text().await.unwrap().contains("edited this comment after this page was shown"));
    // Ticked and approved in bulk, as the page showed it: refused too.
    assert!(queue.contains(&format!(r#"name="ids" value="{id}:0""#)), "{queue}");
    let bulk = vec![
        ("bulk", "approve".to_owned()),
        ("ids", format!("{id}:0")),
        ("csrf", csrf.clone()),
    ];
    let refused = area_client()
        .post(service.url("/moderate/act"))
        .header("Cookie", &cookie)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(serde_urlencoded::to_string(&bulk).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::CONFLICT, "bulk approval of an edited comment");
    assert!(common::list(&service, None).await.is_empty(), "nothing approved");
    // Shown again, with its new text: approved.
    let (_, queue) = area_page(&service, &cookie, "/moderate").await;
    assert!(queue.contains("Something the moderator never saw."));
    let version = queue
        .split(&format!("approve:{id}:"))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    assert_ne!(version, "0");
    let approved = approve(format!("approve:{id}:{version}")).await.unwrap();
    assert_eq!(approved.status(), StatusCode::SEE_OTHER);
    assert_eq!(common::list(&service, None).await.len(), 1);
}
