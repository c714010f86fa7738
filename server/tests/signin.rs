//! Readers signed in by the publisher (issue 20), over HTTP on both engines: tokens signed in
//! the test (HS256 with a shared secret, EdDSA with a key pair made for the tests in
//! `tests/fixtures/sso/`), sent as the widget sends them (`Authorization: Bearer`).

mod common;

use common::*;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const SECRET: &str = "the publisher's shared secret, 32 bytes or more";
const ISSUER: &str = "https://news.example";
const AUDIENCE: &str = "comments.news.example";

fn hs256_flags(trusted: bool) -> Vec<&'static str> {
    let mut flags = vec![
        "--sso-hs256-secret",
        SECRET,
        "--sso-audience",
        AUDIENCE,
        "--sso-issuer",
        ISSUER,
        "--flood-seconds",
        "0",
    ];
    if trusted {
        flags.push("--sso-trusted");
    }
    flags
}

fn claims(sub: &str, name: &str, exp_from_now_s: i64) -> Value {
    json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": sub,
        "name": name,
        "email": format!("{sub}@readers.example"),
        "exp": now_ms() / 1000 + exp_from_now_s,
    })
}

fn hs256(claims: &Value) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(SECRET.as_bytes()),
    )
    .unwrap()
}

fn eddsa(claims: &Value) -> String {
    let pem =
        std::fs::read(repo_root().join("server/tests/fixtures/sso/ed25519-private.pem")).unwrap();
    encode(
        &Header::new(Algorithm::EdDSA),
        claims,
        &EncodingKey::from_ed_pem(&pem).unwrap(),
    )
    .unwrap()
}

/// A post as the widget sends it, with the token when there is one.
async fn post_signed(
    service: &Service,
    key: &str,
    token: Option<&str>,
    body: &Value,
) -> (StatusCode, Option<String>, Value) {
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
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_owned());
    let text = response.text().await.unwrap();
    (
        status,
        challenge,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// What a signed-in reader's form sends: no name, no email.
fn signed_in_body(content: &str) -> Value {
    body("", "", content)
}

async fn stored_account(service: &Service, id: &str) -> (Option<String>, String, String) {
    let pool = service.database_pool().await;
    let row = sqlx::query("SELECT account, author, email FROM comments WHERE id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    use sqlx::Row;
    (row.get(0), row.get(1), row.get(2))
}

async fn stored_count(service: &Service) -> i64 {
    let pool = service.database_pool().await;
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) FROM comments")
        .fetch_one(&pool)
        .await
        .unwrap()
        .get(0)
}

/// The whole story on one engine: a signed-in post under the account's name (the body's name
/// and email ignored), held the first time without `--sso-trusted`; refusals in plain words
/// that store nothing and leave the key free for the anonymous post that follows.
async fn signed_in_reader(service: Service) {
    // The body names someone else: the token's name wins, the body's address is not kept.
    let token = hs256(&claims("ann-42", "Ann Reader", 600));
    let (status, _, answer) = post_signed(
        &service,
        "k-signed-1",
        Some(&token),
        &body("Mallory", "mallory@example.com", "Signed in, first time."),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["comment"]["author"], "Ann Reader");
    assert_eq!(answer["comment"]["status"], "pending", "held: not trusted");
    let id = answer["comment"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        stored_account(&service, &id).await,
        (
            Some(format!("{ISSUER}|ann-42")),
            "Ann Reader".to_owned(),
            "ann-42@readers.example".to_owned()
        )
    );
    // A form without name and email is refused without a token: the rules are the same.
    let (status, _, answer) =
        post_signed(&service, "k-anon-empty", None, &signed_in_body("No name")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");

    let before = stored_count(&service).await;
    let mut another_audience = claims("ann-42", "Ann Reader", 600);
    another_audience["aud"] = json!("another-site");
    let refusals = [
        (hs256(&claims("ann-42", "Ann Reader", -120)), "expired"),
        (
            encode(
                &Header::new(Algorithm::HS256),
                &claims("ann-42", "Ann Reader", 600),
                &EncodingKey::from_secret(b"a forger's guess at the secret, long enough"),
            )
            .unwrap(),
            "could not be verified",
        ),
        (hs256(&another_audience), "could not be verified"),
        (
            eddsa(&claims("ann-42", "Ann Reader", 600)),
            "could not be verified",
        ),
        ("not.a.token".to_owned(), "could not be verified"),
    ];
    for (n, (token, words)) in refusals.iter().enumerate() {
        let key = format!("k-refused-{n}");
        let (status, challenge, answer) =
            post_signed(&service, &key, Some(token), &signed_in_body("Refused?")).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{n}: {answer}");
        assert_eq!(challenge.as_deref(), Some("Bearer error=\"invalid_token\""));
        let message = answer["error"].as_str().unwrap();
        assert!(message.contains(words), "{n}: {message}");
        assert!(message.contains("name and email"), "{n}: {message}");
        // The same key, now anonymously, as the widget retries after a refusal: stored.
        let (status, _, answer) = post_signed(
            &service,
            &key,
            None,
            &body(
                "Ann",
                "ann@example.com",
                &format!("Anonymous after refusal {n}."),
            ),
        )
        .await;
        assert_eq!(status, StatusCode::CREATED, "{n}: {answer}");
    }
    assert_eq!(
        stored_count(&service).await,
        before + refusals.len() as i64,
        "no refused token stored anything"
    );
}

#[tokio::test]
async fn signed_in_readers_on_sqlite() {
    signed_in_reader(Service::start(&hs256_flags(false))).await;
}

#[tokio::test]
async fn signed_in_readers_on_postgres() {
    let Some(url) = postgres_url() else { return };
    empty_postgres(&url).await;
    signed_in_reader(Service::start_on(Some(&url), &hs256_flags(false))).await;
}

#[tokio::test]
async fn a_trusted_publisher_skips_the_first_comment_hold_but_not_the_link_rule() {
    let service = Service::start(&hs256_flags(true));
    let token = hs256(&claims("bea", "Bea", 600));
    let (status, _, answer) = post_signed(
        &service,
        "k-1",
        Some(&token),
        &signed_in_body("Trusted at once."),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    assert_eq!(answer["comment"]["status"], "approved");
    let public = list(&service, None).await;
    assert_eq!(public.len(), 1);
    assert_eq!(public[0]["author"], "Bea");
    assert!(public[0].get("account").is_none() && public[0].get("email").is_none());
    let links = "https://a.example https://b.example https://c.example";
    let (_, _, answer) = post_signed(&service, "k-2", Some(&token), &signed_in_body(links)).await;
    assert_eq!(answer["comment"]["status"], "pending");
}

#[tokio::test]
async fn eddsa_tokens_and_the_moderators_view() {
    let public_key = repo_root().join("server/tests/fixtures/sso/ed25519-public.pem");
    let service = Service::start(&[
        "--sso-public-key",
        public_key.to_str().unwrap(),
        "--sso-audience",
        AUDIENCE,
        "--sso-issuer",
        ISSUER,
    ]);
    let token = eddsa(&claims("cy-7", "Cy <b>Signed</b>", 600));
    let (status, _, answer) =
        post_signed(&service, "k-ed", Some(&token), &signed_in_body("By EdDSA.")).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    // An HS256 token is refused where the key is a public one, whatever its header says.
    let (status, _, _) = post_signed(
        &service,
        "k-hs",
        Some(&hs256(&claims("cy-7", "Cy", 600))),
        &signed_in_body("By HS256?"),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let (client, session) = moderator_session(&service, "editor").await;
    let queue = client
        .get(service.url("/moderate?status=all"))
        .header("Cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        queue.contains("Signed in as Cy &lt;b&gt;Signed&lt;/b&gt; (https://news.example|cy-7)"),
        "{queue}"
    );
}

#[tokio::test]
async fn a_token_where_none_is_taken_is_refused_and_the_browser_may_send_one() {
    let service = Service::start(&[]);
    let token = hs256(&claims("ann", "Ann", 600));
    let (status, _, answer) =
        post_signed(&service, "k", Some(&token), &signed_in_body("Signed in?")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(answer["error"]
        .as_str()
        .unwrap()
        .contains("does not sign readers in"));
    // A host page on another origin may send the header (CORS preflight).
    let service = Service::start(&["--allow-origin", "https://news.example"]);
    let preflight = Client::new()
        .request(reqwest::Method::OPTIONS, service.comments_url())
        .header("Origin", "https://news.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    let allowed = preflight
        .headers()
        .get("access-control-allow-headers")
        .map(|v| v.to_str().unwrap().to_lowercase())
        .unwrap_or_default();
    assert!(allowed.contains("authorization"), "{allowed}");
}

#[test]
fn the_service_will_not_start_with_a_short_secret_or_a_private_key() {
    for flags in [
        vec![
            "--sso-hs256-secret",
            "short",
            "--sso-audience",
            "a",
            "--sso-issuer",
            "i",
        ],
        vec![
            "--sso-public-key",
            "server/tests/fixtures/sso/rsa-private.pem",
            "--sso-audience",
            "a",
            "--sso-issuer",
            "i",
        ],
        vec!["--sso-hs256-secret", SECRET],
    ] {
        let dir = tempfile::tempdir().unwrap();
        let database = format!("sqlite://{}", dir.path().join("c.db").display());
        let status = std::process::Command::new(BINARY)
            .current_dir(repo_root())
            .args(["--database", &database, "serve", "--address", "127.0.0.1:0"])
            .args(["--articles", "static/articles"])
            .args(&flags)
            .env("RUST_LOG", "off")
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(2), "{flags:?}");
    }
}

