//! Readers' data rights (issue 21; GDPR articles 15 and 17) through the real binary and a
//! real SMTP server: a reader asks at /my-data, gets a link by mail, opens it once, downloads
//! their data and erases it (anonymised or removed, as `--erasure` says); the same words for
//! an unknown address, and no mail; used-twice, forged and malformed links refused; a foreign
//! origin refused; a moderator's page does the same; everything audited without the address.
//! (A link's expiry is the unit test `reader_data::tests`: time is its argument.)
//! And what a security review found: the link names no address (a nonce and a MAC), the
//! request log keeps paths and never tokens, an erasure leaves no flood row, stored answer or
//! webhook body behind and keeps the address on the do-not-mail list, an address the comment
//! form refuses (the Kelvin sign) is refused, and behind a proxy that drops `Host`'s port the
//! `--public-url`'s origin is this site's.

mod common;

use common::*;

use reqwest::{Client, Response, StatusCode};
use serde_json::{json, Value};

const SAME_WORDS: &str = "If comments or subscriptions are held under that address, a link is \
                          on its way; it lasts 24 hours.";
const OPEN_LINK: &str = "https://news.example/my-data/open?token=";
const CONFIRM_LINK: &str = "https://news.example/notifications/confirm?token=";

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Posts a comment; its id.
async fn comment(service: &Service, key: &str, body: &Value) -> String {
    let (status, _, answer) = post(service, key, body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer["comment"]["id"].as_str().unwrap().to_owned()
}

/// Posts a comment from this client address (the service trusting 127.0.0.1 as its proxy).
async fn comment_from(service: &Service, key: &str, body: &Value, client: &str) -> String {
    let (status, _, answer) = post_from(service, key, body, Some(client)).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    answer["comment"]["id"].as_str().unwrap().to_owned()
}

fn approve(service: &Service, id: &str) {
    let (code, output) = service.moderate(&["approve", id]);
    assert_eq!(code, 0, "approve {id}: {output}");
}

fn reply_to(parent: &str, author: &str, email: &str, content: &str) -> Value {
    let mut reply = body(author, email, content);
    reply["parent"] = json!(parent);
    reply
}

/// The messages (bodies decoded) whose `To:` is this address, in any case.
fn messages_to(smtp: &SmtpServer, address: &str) -> Vec<String> {
    smtp.messages()
        .into_iter()
        .filter(|m| {
            m.lines()
                .any(|l| l.to_lowercase() == format!("to: {}", address.to_lowercase()))
        })
        .map(|m| match m.split_once("\n\n") {
            Some((headers, body)) => format!("{headers}\n\n{}", quoted_printable(body)),
            None => m,
        })
        .collect()
}

/// Waits (10 s at most) for a message to `address` that contains `text`.
async fn wait_for_mail(smtp: &SmtpServer, address: &str, text: &str) -> String {
    for _ in 0..200 {
        if let Some(found) = messages_to(smtp, address)
            .into_iter()
            .find(|m| m.contains(text))
        {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!(
        "no message to {address} with {text:?}: {:?}",
        smtp.messages()
    );
}

/// The link in a message that starts with `prefix`.
fn link_in(message: &str, prefix: &str) -> String {
    let at = message
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in {message}"));
    message[at..].split_whitespace().next().unwrap().to_owned()
}

fn token_of(link: &str) -> String {
    link.split_once("token=").unwrap().1.to_owned()
}

/// A form posted as this site's page posts it (its own `Origin`), with a cookie maybe.
async fn form(
    service: &Service,
    path: &str,
    fields: &[(&str, &str)],
    cookie: Option<&str>,
) -> Response {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(fields)
        .finish();
    let mut request = client()
        .post(service.url(path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", service.base.clone())
        .body(body);
    if let Some(cookie) = cookie {
        request = request.header("Cookie", cookie);
    }
    request.send().await.unwrap()
}

async fn text_of(response: Response) -> (StatusCode, String) {
    (response.status(), response.text().await.unwrap())
}

/// Asks for a link to `email`'s data: the page's words.
async fn ask(service: &Service, email: &str) -> String {
    let (status, page) = text_of(form(service, "/my-data", &[("email", email)], None).await).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(SAME_WORDS), "{page}");
    page
}

/// Opens a link's page (GET) and presses its button (POST): the session cookie.
async fn open(service: &Service, token: &str) -> String {
    let (status, page) = text_of(
        client()
            .get(service.url(&format!("/my-data/open?token={token}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("Open my data"), "{page}");
    // Two presses at once (two tabs, two instances): one opens, the other is refused.
    let fields = [("token", token)];
    let (first, second) = tokio::join!(
        form(service, "/my-data/open", &fields, None),
        form(service, "/my-data/open", &fields, None),
    );
    let mut statuses = [first.status(), second.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::SEE_OTHER, StatusCode::CONFLICT]);
    let answer = if first.status() == StatusCode::SEE_OTHER {
        first
    } else {
        second
    };
    assert_eq!(answer.headers()["location"], "/my-data/held");
    let line = answer.headers()["set-cookie"].to_str().unwrap().to_owned();
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Path=/my-data",
        "Max-Age=1800",
    ] {
        assert!(line.contains(part), "{part} in {line}");
    }
    line.split(';').next().unwrap().to_owned()
}

fn csrf_in(page: &str) -> String {
    csrf_of(page)
}

async fn audit_rows(service: &Service) -> Vec<(String, String, String, String)> {
    let pool = service.database_pool().await;
    let rows = sqlx::query_as(
        "SELECT moderator, action, target, detail FROM audit_log ORDER BY at, action",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows
}

async fn count(service: &Service, sql: &str) -> i64 {
    let pool = service.database_pool().await;
    let n = sqlx::query_scalar(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

/// A held comment from a new address: its message to the moderators arrives after every
/// message due before it (the worker claims them oldest first).
async fn marker(service: &Service, smtp: &SmtpServer, name: &str) {
    let text = format!("Marker comment {name}");
    comment(
        service,
        &format!("marker-{name}"),
        &body("Mark", &format!("mark-{name}@example.com"), &text),
    )
    .await;
    wait_for_mail(smtp, "desk@news.example", &text).await;
}

/// Ann's two comments (one asking for replies, her address confirmed), Bob's reply to the
/// first, all approved: (Ann's first, Ann's second, Bob's reply).
async fn ann_and_bob(service: &Service, smtp: &SmtpServer) -> (String, String, String) {
    let mut first = with_notify(body("Ann", "ann@example.com", "Ann's first comment"));
    first["website"] = json!("https://ann.example");
    let first = comment(service, "ann-1", &first).await;
    approve(service, &first);
    let mail = wait_for_mail(smtp, "ann@example.com", CONFIRM_LINK).await;
    let link = link_in(&mail, CONFIRM_LINK);
    let (status, page) = text_of(
        form(
            service,
            "/notifications/confirm",
            &[("token", &token_of(&link))],
            None,
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let second = comment(
        service,
        "ann-2",
        &body("Ann", "Ann@Example.com", "Ann again"),
    )
    .await;
    let reply = comment(
        service,
        "bob-1",
        &reply_to(&first, "Bob", "bob@example.com", "Bob answers Ann"),
    )
    .await;
    approve(service, &reply);
    // Ann is confirmed: Bob's reply was mailed to her.
    wait_for_mail(smtp, "ann@example.com", "Bob answers Ann").await;
    (first, second, reply)
}

/// The whole path for a reader, with `--erasure mode`, on this database (or a new SQLite).
async fn a_reader_downloads_and_erases(database: Option<&str>, mode: &str) {
    let smtp = SmtpServer::start();
    let mut args = mail_args(smtp.port);
    args.extend(["--erasure".to_owned(), mode.to_owned()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start_on(database, &args);
    let (first, second, reply) = ann_and_bob(&service, &smtp).await;

    // An unknown address reads the same words as a known one, and is mailed nothing.
    let unknown = ask(&service, "nobody@example.com").await;
    let known = ask(&service, " ANN@example.com ").await;
    assert_eq!(unknown, known);
    // Asked again at once: the same words, and no second link (one per 10 minutes).
    assert_eq!(ask(&service, "ann@example.com").await, known);
    let mail = wait_for_mail(&smtp, "ANN@example.com", OPEN_LINK).await;
    assert!(mail.contains("works once, for 24 hours"), "{mail}");
    marker(&service, &smtp, "after-ask").await;
    assert!(messages_to(&smtp, "nobody@example.com").is_empty());
    assert_eq!(
        count(
            &service,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'data-link'"
        )
        .await,
        1
    );
    let token = token_of(&link_in(&mail, OPEN_LINK));

    // Forged and malformed links are refused in plain words, with a way to ask again; the
    // GET changes nothing (it can be opened twice).
    let mut forged = token.clone();
    let last = forged.pop().unwrap();
    forged.push(if last == '0' { '1' } else { '0' });
    for (bad, words) in [
        (forged.as_str(), "This link is not valid"),
        ("not-a-token", "This link is not valid"),
        ("", "This link is not valid"),
    ] {
        let (status, page) = text_of(
            client()
                .get(service.url(&format!("/my-data/open?token={bad}")))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {page}");
        assert!(
            page.contains(words) && page.contains("Ask for a new link"),
            "{page}"
        );
        let (status, _) =
            text_of(form(&service, "/my-data/open", &[("token", bad)], None).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
    }
    let cookie = open(&service, &token).await;
    // Used twice: refused, on the page and on its button.
    let (status, page) = text_of(
        client()
            .get(service.url(&format!("/my-data/open?token={token}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::CONFLICT, "{page}");
    assert!(page.contains("This link was already used"), "{page}");
    let (status, _) =
        text_of(form(&service, "/my-data/open", &[("token", &token)], None).await).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // What is held.
    let (status, page) = text_of(
        client()
            .get(service.url("/my-data/held"))
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("2 comments"), "{page}");
    assert!(
        page.contains("The address is confirmed for replies."),
        "{page}"
    );
    let csrf = csrf_in(&page);
    // Without the session, or without its token: refused.
    let (status, _) = text_of(
        client()
            .get(service.url("/my-data/held"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = text_of(
        form(
            &service,
            "/my-data/download",
            &[("csrf", "wrong")],
            Some(&cookie),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The download: every comment, the subscriptions, as an attachment never cached.
    let answer = form(
        &service,
        "/my-data/download",
        &[("csrf", &csrf)],
        Some(&cookie),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment; filename="));
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let data: Value = answer.json().await.unwrap();
    let comments = data["comments"].as_array().unwrap();
    assert_eq!(comments.len(), 2, "{data}");
    let ann_first = comments.iter().find(|c| c["id"] == first.as_str()).unwrap();
    assert_eq!(ann_first["article"], ARTICLE);
    assert_eq!(ann_first["text"], "Ann's first comment");
    assert_eq!(ann_first["name"], "Ann");
    assert_eq!(ann_first["website"], "https://ann.example");
    assert_eq!(ann_first["status"], "approved");
    assert_eq!(ann_first["parent"], Value::Null);
    assert!(ann_first["created_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(ann_first["reply_notifications"], true);
    let ann_second = comments
        .iter()
        .find(|c| c["id"] == second.as_str())
        .unwrap();
    // Published at once: her address already had an approved comment.
    assert_eq!(ann_second["status"], "approved");
    assert_eq!(ann_second["email"], "ann@example.com");
    assert_eq!(
        data["subscriptions"]["reply_notifications_asked_on"],
        json!([first])
    );
    assert!(
        data["subscriptions"]["address_confirmed_at"].is_string(),
        "{data}"
    );
    assert!(!data.to_string().contains("Bob"), "only Ann's data: {data}");

    // Erasure asks first, then erases.
    let (status, page) = text_of(
        form(
            &service,
            "/my-data/erase",
            &[("csrf", &csrf)],
            Some(&cookie),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("This cannot be undone") && page.contains("name=\"confirm\""),
        "{page}"
    );
    assert_eq!(
        count(
            &service,
            "SELECT COUNT(*) FROM comments WHERE lower(email) = 'ann@example.com'"
        )
        .await,
        2,
        "nothing erased before the confirmation"
    );
    let answer = form(
        &service,
        "/my-data/erase",
        &[("csrf", &csrf), ("confirm", "yes")],
        Some(&cookie),
    )
    .await;
    assert!(answer.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let (status, page) = text_of(answer).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("2 comments"), "{page}");
    // The session ended with the erasure.
    let (status, _) = text_of(
        client()
            .get(service.url("/my-data/held"))
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Nothing under her address any more, no subscription.
    assert_eq!(
        count(
            &service,
            "SELECT COUNT(*) FROM comments WHERE lower(email) = 'ann@example.com'"
        )
        .await,
        0
    );
    assert_eq!(
        count(&service, "SELECT COUNT(*) FROM confirmed_addresses").await,
        0
    );
    // Both her keys' stored answers say the comment was erased, and nothing of it.
    let answers = rows_of(&service, "SELECT idempotency_key, body FROM idempotency").await;
    let erased_answers = answers
        .iter()
        .filter(|(_, body)| {
            body.as_deref()
                .is_some_and(|b| b.contains("erased at its author"))
        })
        .count();
    assert_eq!(erased_answers, 2, "{answers:?}");
    for (key, body) in &answers {
        for hers in ["Ann's first comment", "Ann again", "ann.example"] {
            assert!(
                !body.as_deref().unwrap_or_default().contains(hers),
                "{key}: {body:?}"
            );
        }
    }
    let thread = thread_of(&service, ARTICLE).await;
    match mode {
        "anonymise" => {
            let shown = thread.iter().find(|c| c["id"] == first.as_str()).unwrap();
            assert_eq!(shown["author"], "Former reader", "{shown}");
            assert_eq!(shown["content"], "Ann's first comment");
            assert!(
                shown["website"].is_null() || shown["website"] == "",
                "{shown}"
            );
            // A later reply to her comment mails nobody.
            let later = comment(
                &service,
                "bob-2",
                &reply_to(&first, "Bob", "bob@example.com", "Bob again, later"),
            )
            .await;
            approve(&service, &later);
            marker(&service, &smtp, "after-erasure").await;
            assert!(
                !smtp
                    .messages()
                    .iter()
                    .any(|m| m.contains("Bob again, later")
                        && !m.to_lowercase().contains("to: desk@news.example")),
                "a reply was mailed after the erasure"
            );
        }
        _ => {
            assert!(
                thread.iter().all(|c| c["id"] != first.as_str()),
                "{thread:?}"
            );
            // Bob's reply stays (shown at the top level, as after a moderator's deletion).
            assert!(
                thread.iter().any(|c| c["id"] == reply.as_str()),
                "{thread:?}"
            );
        }
    }

    // The audit log: requested (three times: the unknown address, and once too often),
    // opened, downloaded, erased; by the reader; naming no address.
    let rows = audit_rows(&service).await;
    let actions: Vec<&str> = rows
        .iter()
        .map(|(_, action, _, _)| action.as_str())
        .collect();
    for action in [
        "data link requested",
        "data link opened",
        "data downloaded",
        "data erased",
    ] {
        assert!(actions.contains(&action), "{action} in {rows:?}");
    }
    assert_eq!(
        actions
            .iter()
            .filter(|a| **a == "data link requested")
            .count(),
        3
    );
    let details: Vec<&str> = rows
        .iter()
        .map(|(_, _, _, detail)| detail.as_str())
        .collect();
    for detail in [
        "link mailed",
        "nothing held: no link",
        "asked too often: no link",
    ] {
        assert!(details.contains(&detail), "{detail} in {rows:?}");
    }
    let erased = rows.iter().find(|(_, a, _, _)| a == "data erased").unwrap();
    assert_eq!(erased.0, "(the reader, by link)");
    assert_eq!(erased.3, format!("{mode}: 2 comments on 1 articles"));
    let opened = rows
        .iter()
        .find(|(_, a, _, _)| a == "data link opened")
        .unwrap();
    assert_eq!(opened.2, erased.2, "one address, one digest");
    assert!(
        !format!("{rows:?}").to_lowercase().contains("ann@"),
        "{rows:?}"
    );
}

#[tokio::test]
async fn a_reader_downloads_and_anonymises_their_data_on_sqlite() {
    a_reader_downloads_and_erases(None, "anonymise").await;
}

#[tokio::test]
async fn a_reader_downloads_and_removes_their_data_on_sqlite() {
    a_reader_downloads_and_erases(None, "remove").await;
}

/// PostgreSQL: both modes, one after the other on the one test database.
#[tokio::test]
async fn a_reader_downloads_and_erases_their_data_on_postgres() {
    let Some(url) = postgres_url() else { return };
    for mode in ["anonymise", "remove"] {
        empty_postgres(&url).await;
        a_reader_downloads_and_erases(Some(&url), mode).await;
    }
}

/// A form from another site is refused before anything is read or written; a malformed
/// address is told so (which says nothing about anyone's data).
#[tokio::test]
async fn a_foreign_origin_is_refused_and_nothing_is_mailed() {
    let service = Service::start(&["--flood-seconds", "0"]);
    comment(&service, "c-1", &body("Ann", "ann@example.com", "Held")).await;
    for (name, value) in [
        ("Origin", "https://evil.example"),
        ("Sec-Fetch-Site", "cross-site"),
    ] {
        let answer = client()
            .post(service.url("/my-data"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header(name, value)
            .body("email=ann%40example.com")
            .send()
            .await
            .unwrap();
        assert_eq!(answer.headers()["cache-control"], "no-store");
        let (status, page) = text_of(answer).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{page}");
        assert!(page.contains("another site"), "{page}");
    }
    let (status, page) =
        text_of(form(&service, "/my-data", &[("email", "not an address")], None).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{page}");
    assert_eq!(
        count(
            &service,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'data-link'"
        )
        .await,
        0
    );
    assert_eq!(count(&service, "SELECT COUNT(*) FROM audit_log").await, 0);
    // The form itself.
    let (status, page) = text_of(client().get(service.url("/my-data")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("action=\"/my-data\""), "{page}");
}

/// A moderator's "Readers' data" page: look up, download, erase after a confirmation (CSRF as
/// the area's other forms), audited under the moderator's name.
#[tokio::test]
async fn a_moderator_downloads_and_erases_a_readers_data() {
    let service = Service::start(&["--flood-seconds", "0", "--erasure", "remove"]);
    let held = comment(
        &service,
        "c-1",
        &body("Zoe", "zoe@example.com", "Zoe's words"),
    )
    .await;
    let (code, said) = add_moderator(&service, "editor", "a long enough passphrase");
    assert_eq!(code, 0, "{said}");
    // Signed in as the area's tests do.
    let answer = client()
        .get(service.url("/moderate/sign-in"))
        .send()
        .await
        .unwrap();
    let pre = answer.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let token = csrf_of(&answer.text().await.unwrap());
    let answer = form(
        &service,
        "/moderate/sign-in",
        &[
            ("csrf", &token),
            ("name", "editor"),
            ("password", "a long enough passphrase"),
        ],
        Some(&pre),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::SEE_OTHER);
    let session = answer.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let (status, page) = text_of(
        client()
            .get(service.url("/moderate/readers"))
            .header("Cookie", &session)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(
        page.contains("Readers&#39; data") || page.contains("Readers' data"),
        "{page}"
    );
    let csrf = csrf_of(&page);
    // Without the CSRF token: refused, nothing read.
    let (status, _) = text_of(
        form(
            &service,
            "/moderate/readers/download",
            &[("email", "zoe@example.com")],
            Some(&session),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, page) = text_of(
        form(
            &service,
            "/moderate/readers",
            &[("csrf", &csrf), ("email", "ZOE@example.com")],
            Some(&session),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("1 comments under"), "{page}");
    let answer = form(
        &service,
        "/moderate/readers/download",
        &[("csrf", &csrf), ("email", "zoe@example.com")],
        Some(&session),
    )
    .await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert!(answer.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    let data: Value = answer.json().await.unwrap();
    assert_eq!(data["comments"][0]["id"], held.as_str());
    assert_eq!(data["comments"][0]["text"], "Zoe's words");
    let (status, page) = text_of(
        form(
            &service,
            "/moderate/readers/erase",
            &[("csrf", &csrf), ("email", "zoe@example.com")],
            Some(&session),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("This cannot be undone"), "{page}");
    assert_eq!(count(&service, "SELECT COUNT(*) FROM comments").await, 1);
    let (status, page) = text_of(
        form(
            &service,
            "/moderate/readers/erase",
            &[
                ("csrf", &csrf),
                ("email", "zoe@example.com"),
                ("confirm", "yes"),
            ],
            Some(&session),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("1 comments on 1 articles"), "{page}");
    assert_eq!(count(&service, "SELECT COUNT(*) FROM comments").await, 0);
    let rows = audit_rows(&service).await;
    let by_editor: Vec<&str> = rows
        .iter()
        .filter(|(who, action, _, _)| who == "editor" && action.starts_with("data"))
        .map(|(_, action, _, _)| action.as_str())
        .collect();
    assert_eq!(by_editor, ["data downloaded", "data erased"], "{rows:?}");
    assert!(!format!("{rows:?}").contains("zoe@"), "{rows:?}");
    // The audit page shows them.
    let (_, page) = text_of(
        client()
            .get(service.url("/moderate/audit"))
            .header("Cookie", &session)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(
        page.contains("data erased") && page.contains("remove: 1 comments"),
        "{page}"
    );
}

/// The mailed link's token: a nonce and a MAC only, in hex (issue 21's review: it carried the
/// address in hex, so any log of the URL named the reader).
fn assert_opaque(token: &str, email: &str) {
    let hex_of = |text: &str| text.bytes().map(|b| format!("{b:02x}")).collect::<String>();
    let parts: Vec<&str> = token.split('.').collect();
    assert!(
        parts.len() == 2
            && parts[0].len() == 32
            && parts[1].len() == 64
            && token.bytes().all(|b| b == b'.' || b.is_ascii_hexdigit()),
        "a nonce and a MAC: {token}"
    );
    let local = email.split('@').next().unwrap();
    assert!(
        !token.contains(&hex_of(local)) && !token.contains(local),
        "{token} names {email}"
    );
}

/// A receiver's address where nothing listens: every webhook waits, retried.
fn unreachable_webhook() -> Vec<String> {
    vec![
        "--webhook".to_owned(),
        format!("http://127.0.0.1:{}/hook", free_port()),
        "--webhook-secret".to_owned(),
        "a secret of the desk".to_owned(),
        "--webhook-retry-seconds".to_owned(),
        "3600".to_owned(),
    ]
}

async fn rows_of(service: &Service, sql: &str) -> Vec<(String, Option<String>)> {
    let pool = service.database_pool().await;
    let rows = sqlx::query_as(sql).fetch_all(&pool).await.unwrap();
    pool.close().await;
    rows
}

async fn execute(service: &Service, sql: &str) {
    let pool = service.database_pool().await;
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

/// The reader's whole path to an erasure: asks, opens the mailed link, confirms.
async fn erase_by_link(service: &Service, smtp: &SmtpServer, email: &str) {
    ask(service, email).await;
    let mail = wait_for_mail(smtp, email, OPEN_LINK).await;
    let token = token_of(&link_in(&mail, OPEN_LINK));
    assert_opaque(&token, email);
    let cookie = open(service, &token).await;
    let (_, page) = text_of(
        client()
            .get(service.url("/my-data/held"))
            .header("Cookie", &cookie)
            .send()
            .await
            .unwrap(),
    )
    .await;
    let csrf = csrf_in(&page);
    let (status, page) = text_of(
        form(
            service,
            "/my-data/erase",
            &[("csrf", &csrf), ("confirm", "yes")],
            Some(&cookie),
        )
        .await,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains("do-not-email list"), "{page}");
}

/// What the review found an erasure left behind, on this database, with `--erasure mode`:
/// flood control's row named by the address, the idempotency key's stored answer (name,
/// website, text: and a retry of the key must not bring the comment back), the webhooks'
/// bodies (author and excerpt), sent or waiting; and the address must stay on the do-not-mail
/// list, so that posting with it and asking for replies mails it nothing.
async fn an_erasure_leaves_nothing_behind(database: Option<&str>, mode: &str) {
    let smtp = SmtpServer::start();
    let mut args: Vec<String> = mail_args(smtp.port)
        .into_iter()
        .filter(|a| a != "--flood-seconds" && a != "0")
        .collect();
    // Flood control on, each post from a client address of its own (through a trusted proxy).
    args.extend(
        [
            "--flood-seconds",
            "60",
            "--trusted-proxy",
            "127.0.0.1/32",
            "--erasure",
            mode,
        ]
        .map(str::to_owned),
    );
    args.extend(unreachable_webhook());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let service = Service::start_on(database, &args);
    let email = "annabel@example.com";
    let mut first = with_notify(body("Annabel Lee", email, "Words about the treaty"));
    first["website"] = json!("https://annabel.example");
    let id = comment_from(&service, "annabel-1", &first, "203.0.113.1").await;
    approve(&service, &id);
    wait_for_mail(&smtp, email, CONFIRM_LINK).await;
    let confirmations = messages_to(&smtp, email).len();
    // Two events (held, approved), each waiting for the receiver; one of them as if it had
    // been delivered.
    let webhooks =
        format!("SELECT id, payload FROM outbox WHERE kind = 'webhook' AND comment_id = '{id}'");
    let before = rows_of(&service, &webhooks).await;
    assert_eq!(before.len(), 2, "{before:?}");
    assert!(before
        .iter()
        .all(|(_, p)| p.as_deref().unwrap().contains("Annabel Lee")));
    execute(
        &service,
        &format!(
            "UPDATE outbox SET sent_at = 1, next_attempt_at = 1 WHERE id = '{}'",
            before[0].0
        ),
    )
    .await;
    let flood = format!("SELECT COUNT(*) FROM flood WHERE subject = 'email:{email}'");
    assert_eq!(count(&service, &flood).await, 1);
    // She liked Bob's comment from the browser that wrote hers (a like is stored under the
    // digest her comment keeps as its author token).
    let bobs = comment_from(
        &service,
        "bob-1",
        &body("Bob", "bob@example.com", "Bob's words"),
        "203.0.113.9",
    )
    .await;
    approve(&service, &bobs);
    execute(
        &service,
        &format!("UPDATE comments SET author_token = 'annabels-browser', account = 'https://news.example|annabel' WHERE id = '{id}'"),
    )
    .await;
    execute(&service, &format!("INSERT INTO comment_likes (comment_id, reader, liked_at) VALUES ('{bobs}', 'annabels-browser', 1)")).await;
    // And signed in as the publisher's account her comment was written under (another
    // browser: a like by account is kept under the account).
    execute(&service, &format!("INSERT INTO comment_likes (comment_id, reader, liked_at) VALUES ('{bobs}', 'account:https://news.example|annabel', 1)")).await;
    execute(
        &service,
        &format!("UPDATE comments SET likes = 2 WHERE id = '{bobs}'"),
    )
    .await;
    let bobs_likes = format!("SELECT likes FROM comments WHERE id = '{bobs}'");
    assert_eq!(count(&service, &bobs_likes).await, 2);
    let answers = "SELECT idempotency_key, body FROM idempotency";
    assert!(rows_of(&service, answers)
        .await
        .iter()
        .any(|(_, body)| body.as_deref().unwrap_or_default().contains("Annabel Lee")));

    erase_by_link(&service, &smtp, email).await;

    // Flood control's row for the address: gone.
    assert_eq!(count(&service, &flood).await, 0);
    // Her like: gone, and Bob's count with it.
    let hers = "SELECT COUNT(*) FROM comment_likes
                WHERE reader IN ('annabels-browser', 'account:https://news.example|annabel')";
    assert_eq!(count(&service, hers).await, 0);
    assert_eq!(count(&service, &bobs_likes).await, 0);
    // No stored answer repeats her name, website or words.
    for (key, body) in rows_of(&service, answers).await {
        let body = body.unwrap_or_default();
        for hers in ["Annabel", "annabel.example", "Words about the treaty"] {
            assert!(!body.contains(hers), "{key}: {body}");
        }
    }
    // A retry of her key (the widget resends a comment whose answer it never saw): told it
    // was erased, nothing stored again, nothing of it shown.
    let (status, _, answer) = post_from(&service, "annabel-1", &first, Some("203.0.113.1")).await;
    assert_eq!(status, StatusCode::GONE, "{answer}");
    assert!(!answer.to_string().contains("treaty"), "{answer}");
    assert_eq!(
        count(
            &service,
            "SELECT COUNT(*) FROM comments WHERE lower(email) = 'annabel@example.com' \
             OR author = 'Annabel Lee'"
        )
        .await,
        0
    );
    let stored = count(
        &service,
        "SELECT COUNT(*) FROM comments WHERE content = 'Words about the treaty'",
    )
    .await;
    assert_eq!(stored, if mode == "anonymise" { 1 } else { 0 });
    // The webhooks: none names her; removed, none keeps a body, and none still waits.
    let after = rows_of(&service, &webhooks).await;
    assert_eq!(after.len(), 2, "{after:?}");
    for (row, payload) in &after {
        match mode {
            "anonymise" => {
                let payload: Value = serde_json::from_str(payload.as_deref().unwrap()).unwrap();
                assert_eq!(payload["comment"]["author"], "Former reader", "{row}");
                assert_eq!(payload["comment"]["id"], id.as_str());
            }
            _ => assert_eq!(payload, &None, "{row}"),
        }
    }
    if mode != "anonymise" {
        let waiting =
            format!("SELECT COUNT(*) FROM outbox WHERE comment_id = '{id}' AND sent_at IS NULL");
        assert_eq!(count(&service, &waiting).await, 0);
        let given_up = format!(
            "SELECT COUNT(*) FROM outbox WHERE comment_id = '{id}' AND kind = 'webhook' \
             AND last_error = 'erased'"
        );
        assert_eq!(count(&service, &given_up).await, 1);
    }
    // On the do-not-mail list, the address alone.
    assert_eq!(
        count(
            &service,
            &format!("SELECT COUNT(*) FROM unsubscribed WHERE email = '{email}'")
        )
        .await,
        1
    );
    // Posting with it again at once (flood control's turn for it went with the erasure) and
    // asking for replies mails it nothing.
    let again = comment_from(
        &service,
        "annabel-2",
        &with_notify(body("Someone", "Annabel@Example.com", "Notify me, please")),
        "203.0.113.2",
    )
    .await;
    approve(&service, &again);
    marker(&service, &smtp, &format!("after-{mode}")).await;
    assert_eq!(
        messages_to(&smtp, email).len(),
        confirmations + 1,
        "only the data link since: {:?}",
        messages_to(&smtp, email)
    );
}

#[tokio::test]
async fn an_anonymising_erasure_leaves_nothing_behind_on_sqlite() {
    an_erasure_leaves_nothing_behind(None, "anonymise").await;
}

#[tokio::test]
async fn a_removing_erasure_leaves_nothing_behind_on_sqlite() {
    an_erasure_leaves_nothing_behind(None, "remove").await;
}

/// PostgreSQL, on a database of its own (the other PostgreSQL test runs beside it): both
/// modes, and an address PostgreSQL's lower() folds into another reader's.
#[tokio::test]
async fn erasures_leave_nothing_behind_and_folded_addresses_are_refused_on_postgres() {
    let Some(server) = postgres_url() else { return };
    let database = postgres_database(&server, "rights2").await;
    for mode in ["anonymise", "remove"] {
        empty_postgres(&database).await;
        an_erasure_leaves_nothing_behind(Some(&database), mode).await;
    }
    empty_postgres(&database).await;
    an_address_the_form_refuses_is_refused(Some(&database)).await;
}

#[tokio::test]
async fn an_address_the_form_refuses_is_refused_on_sqlite() {
    an_address_the_form_refuses_is_refused(None).await;
}

/// The Kelvin sign (U+212A) is `k` to PostgreSQL's lower(): asked for "Kim" with it, the link
/// to kim@example.com's comments would go to another mailbox. Refused as the comment form
/// refuses it, and nothing issued.
async fn an_address_the_form_refuses_is_refused(database: Option<&str>) {
    let service = Service::start_on(database, &["--flood-seconds", "0"]);
    comment(
        &service,
        "kim-1",
        &body("Kim", "kim@example.com", "Kim's words"),
    )
    .await;
    for refused in ["\u{212A}im@example.com", "kïm@example.com"] {
        let (status, page) =
            text_of(form(&service, "/my-data", &[("email", refused)], None).await).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}: {page}");
        assert!(page.contains("Enter an email address"), "{page}");
    }
    assert_eq!(count(&service, "SELECT COUNT(*) FROM data_links").await, 0);
    assert_eq!(
        count(
            &service,
            "SELECT COUNT(*) FROM outbox WHERE kind = 'data-link'"
        )
        .await,
        0
    );
}

/// Behind a proxy that forwards `Host` without the port (nginx's `$host`), the page's own
/// `Origin` is `--public-url`'s: the forms are taken (they were all refused), and the comments
/// API, which decides it with the same function, agrees; another origin is still refused.
#[tokio::test]
async fn behind_a_proxy_the_public_urls_origin_is_this_site() {
    let service = Service::start(&[
        "--flood-seconds",
        "0",
        "--public-url",
        "https://news.example:8443",
    ]);
    let send = |path: &str, origin: &'static str, body: &'static str, kind: &'static str| {
        client()
            .post(service.url(path))
            .header("Host", "news.example")
            .header("Origin", origin)
            .header("Content-Type", kind)
            .body(body)
            .send()
    };
    let form = "application/x-www-form-urlencoded";
    let answer = send(
        "/my-data",
        "https://news.example:8443",
        "email=ann%40example.com",
        form,
    )
    .await
    .unwrap();
    let (status, page) = text_of(answer).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert!(page.contains(SAME_WORDS), "{page}");
    // Another port of the same host is another origin.
    let answer = send(
        "/my-data",
        "https://news.example:9443",
        "email=ann%40example.com",
        form,
    )
    .await
    .unwrap();
    assert_eq!(answer.status(), StatusCode::FORBIDDEN);
    let comment = body("Ann", "ann@example.com", "Through the proxy");
    let json = comment.to_string();
    let path = format!("/api/articles/{ARTICLE}/comments");
    for (origin, expected) in [
        ("https://news.example:8443", StatusCode::CREATED),
        ("https://evil.example", StatusCode::FORBIDDEN),
    ] {
        let answer = client()
            .post(service.url(&path))
            .header("Host", "news.example")
            .header("Origin", origin)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", format!("proxy-{expected}"))
            .body(json.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), expected, "{origin}");
    }
}

/// The request log (INFO) names each request's path, never its query: the mailed links carry
/// their tokens there (`/my-data/open`, `/unsubscribe`, `/notifications/confirm`).
#[tokio::test]
async fn the_request_log_keeps_paths_not_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("service.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut child = std::process::Command::new(BINARY)
        .current_dir(repo_root())
        .args([
            "--database",
            &format!("sqlite://{}", dir.path().join("comments.db").display()),
            "serve",
            "--address",
            "127.0.0.1:0",
        ])
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::piped())
        .stderr(log)
        .spawn()
        .unwrap();
    let base = read_address(&mut child);
    let secrets = [
        (
            "/my-data/open",
            "0123456789abcdef0123456789abcdef.secret-of-the-data-link",
        ),
        ("/unsubscribe", "secret-of-the-unsubscribe-link"),
        ("/notifications/confirm", "secret-of-the-confirmation-link"),
    ];
    for (path, token) in secrets {
        client()
            .get(format!("{base}{path}?token={token}"))
            .send()
            .await
            .unwrap();
    }
    // The line for the last request is written after its answer: wait for it.
    let mut written = String::new();
    for _ in 0..100 {
        written = std::fs::read_to_string(&log_path).unwrap();
        if written.contains("/notifications/confirm") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = child.kill();
    let _ = child.wait();
    for (path, token) in secrets {
        assert!(written.contains(path), "{path} in {written}");
        assert!(!written.contains(token), "{token} in {written}");
        assert!(!written.contains("token="), "{written}");
    }
}

/// PostgreSQL reads committed rows statement by statement: a comment another instance commits
/// while an erasure runs is erased whole (its stored answer rewritten too) or left whole, never
/// anonymised with its stored answer still naming her. The test holds a table the erasure
/// writes after reading her comments, stores her second comment meanwhile, then lets it go.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_comment_committed_during_an_erasure_is_left_whole_on_postgres() {
    use comment_service::store::{
        AuditedBy, Claim, Erasure, ModerationStatus, Store, StoredAnswer, StoredComment,
        FORMER_READER,
    };
    let Some(url) = postgres_url() else { return };
    let url = postgres_database(&url, "erasure_race").await;
    let store = Store::open(&url).await.unwrap();
    let now = now_ms();
    let hers = |id: &str, at: i64| StoredComment {
        id: id.into(),
        article_id: "russia-iran-treaty".into(),
        parent_id: None,
        author: "Ann".into(),
        email: "ann@example.com".into(),
        website: None,
        content: format!("Ann's comment {id}"),
        status: ModerationStatus::Approved,
        created_at: at,
        client_address: "192.0.2.1".into(),
        author_token: None,
        account: None,
        badges: None,
        notify: false,
    };
    let store_one = |comment: StoredComment| {
        let store = store.clone();
        async move {
            let key = format!("key-{}", comment.id);
            let claim = store.claim(&key, &comment.article_id, comment.created_at, 60_000);
            assert_eq!(claim.await.unwrap(), Claim::Claimed);
            let answer = |c: &StoredComment| StoredAnswer {
                status: 201,
                body: json!({"comment": {"id": c.id, "author": c.author}}).to_string(),
            };
            let stored = store.insert_comment(&comment, &key, comment.created_at, &[], 0, answer);
            assert!(stored.await.unwrap().is_ok());
        }
    };
    store_one(hers("c1", now)).await;
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&url).await.unwrap();
    let mut holder = pool.begin().await.unwrap();
    sqlx::query("LOCK TABLE flood IN ACCESS EXCLUSIVE MODE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let erasing = {
        let store = store.clone();
        tokio::spawn(async move {
            let by = AuditedBy {
                actor: "test",
                target: "a digest",
            };
            store
                .erase_reader_data("ann@example.com", Erasure::Anonymise, by, now + 1)
                .await
        })
    };
    // The erasure has read her comments and waits on the table the test holds.
    let waiting = "SELECT COUNT(*) FROM pg_stat_activity
                   WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM flood%'";
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sqlx::query_scalar::<_, i64>(waiting)
        .fetch_one(&pool)
        .await
        .unwrap()
        == 0
    {
        assert!(std::time::Instant::now() < deadline, "the erasure never reached the lock");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Another instance stores her second comment meanwhile.
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        store_one(hers("c2", now + 2)),
    )
    .await
    .expect("storing a comment takes no lock the test holds");
    holder.commit().await.unwrap();
    erasing.await.unwrap().unwrap();
    let row = |id: &'static str| {
        let pool = pool.clone();
        async move {
            let comment: (String, String) =
                sqlx::query_as(&format!("SELECT author, email FROM comments WHERE id = '{id}'"))
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            let answer: (i64, String) = sqlx::query_as(&format!(
                "SELECT status_code, body FROM idempotency WHERE idempotency_key = 'key-{id}'"
            ))
            .fetch_one(&pool)
            .await
            .unwrap();
            (comment, answer)
        }
    };
    let ((author, email), (status, _)) = row("c1").await;
    assert_eq!((author.as_str(), email.as_str(), status), (FORMER_READER, "", 410));
    let ((author, email), (status, body)) = row("c2").await;
    let left_whole = author == "Ann" && email == "ann@example.com" && body.contains("Ann");
    let erased_whole = author == FORMER_READER && email.is_empty() && status == 410;
    assert!(
        left_whole || erased_whole,
        "c2 half erased: {author} <{email}>, its answer {status} {body}"
    );
    pool.close().await;
    store.close().await;
}
