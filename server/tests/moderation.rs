//! The moderation area at `/moderate`, as a moderator's browser meets it.

mod common;

use common::*;

use reqwest::{Client, StatusCode};

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

    // Sign-in: wrong, then right.
    let sign_in = |password: &str, https: bool| {
        let mut request = client
            .post(url("/moderate/sign-in"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(
                serde_urlencoded::to_string([("name", "editor"), ("password", password)]).unwrap(),
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
    let set_cookie = signed_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/moderate"] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    assert!(!set_cookie.contains("Secure"), "plain HTTP: {set_cookie}");
    let secure = sign_in("a long enough passphrase", true).await.unwrap();
    assert!(secure.headers()["set-cookie"]
        .to_str()
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
