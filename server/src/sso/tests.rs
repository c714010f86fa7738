//! The verification, with tokens signed here (keys in `server/tests/fixtures/sso/`, made for
//! the tests with openssl and used nowhere else).

use std::path::PathBuf;

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use serde_json::{json, Value};

use super::{bearer_token, Account, Refusal, SignIn, SignInSetupError};

const SECRET: &[u8] = b"a shared secret of at least thirty-two bytes";
const NOW_MS: i64 = 1_800_000_000_000;
const NOW: i64 = NOW_MS / 1000;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sso")
        .join(name)
}

fn claims() -> Value {
    json!({
        "iss": "https://news.example",
        "aud": "comments",
        "sub": "42",
        "name": "Ann Reader",
        "email": "Ann@Example.com",
        "exp": NOW + 600,
    })
}

fn with(changes: Value) -> Value {
    let mut claims = claims();
    for (key, value) in changes.as_object().into_iter().flatten() {
        if value.is_null() {
            claims.as_object_mut().map(|c| c.remove(key));
        } else {
            claims[key] = value.clone();
        }
    }
    claims
}

fn hs256(claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

fn signed_with_file(algorithm: Algorithm, file: &str, claims: &Value) -> String {
    let pem = std::fs::read(fixture(file)).unwrap();
    let key = match algorithm {
        Algorithm::EdDSA => EncodingKey::from_ed_pem(&pem).unwrap(),
        _ => EncodingKey::from_rsa_pem(&pem).unwrap(),
    };
    encode(&Header::new(algorithm), claims, &key).unwrap()
}

fn by_secret() -> SignIn {
    SignIn::configure(
        Some(SECRET),
        None,
        Some("comments"),
        Some("https://news.example"),
        false,
    )
    .unwrap()
    .unwrap()
}

fn by_public_key(file: &str) -> SignIn {
    let path = fixture(file);
    SignIn::configure(
        None,
        Some(&path),
        Some("comments"),
        Some("https://news.example"),
        false,
    )
    .unwrap()
    .unwrap()
}

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

#[test]
fn a_good_token_names_its_account() {
    let account = by_secret()
        .verify(&hs256(&claims(), SECRET), NOW_MS)
        .unwrap();
    assert_eq!(
        account,
        Account {
            id: "https://news.example|42".into(),
            name: "Ann Reader".into(),
            email: Some("ann@example.com".into()),
            moderator: false,
        }
    );
}

#[test]
fn the_moderator_role_is_read_from_a_list_or_words() {
    let sign_in = by_secret();
    let moderator = |roles: serde_json::Value| {
        sign_in
            .verify(&hs256(&with(json!({ "roles": roles })), SECRET), NOW_MS)
            .map(|account| account.moderator)
    };
    assert_eq!(moderator(json!(["editor", "moderator"])), Ok(true));
    assert_eq!(moderator(json!("editor moderator")), Ok(true));
    assert_eq!(moderator(json!(["moderators"])), Ok(false));
    assert_eq!(moderator(json!({ "moderator": true })), Ok(false));
    assert_eq!(moderator(json!(null)), Ok(false));
}

#[test]
fn expiry_is_required_and_checked_with_a_small_leeway() {
    let sign_in = by_secret();
    let expired = hs256(&with(json!({ "exp": NOW - 31 })), SECRET);
    assert_eq!(sign_in.verify(&expired, NOW_MS), Err(Refusal::Expired));
    let just = hs256(&with(json!({ "exp": NOW - 29 })), SECRET);
    assert!(sign_in.verify(&just, NOW_MS).is_ok());
    let without = hs256(&with(json!({ "exp": null })), SECRET);
    assert_eq!(sign_in.verify(&without, NOW_MS), Err(Refusal::Invalid));
}

#[test]
fn a_token_not_yet_valid_is_refused() {
    let early = hs256(&with(json!({ "nbf": NOW + 120 })), SECRET);
    assert_eq!(
        by_secret().verify(&early, NOW_MS),
        Err(Refusal::NotYetValid)
    );
    let nearly = hs256(&with(json!({ "nbf": NOW + 10 })), SECRET);
    assert!(by_secret().verify(&nearly, NOW_MS).is_ok());
}

#[test]
fn another_audience_or_issuer_is_refused() {
    let sign_in = by_secret();
    for changes in [
        json!({ "aud": "another-site" }),
        json!({ "aud": null }),
        json!({ "iss": "https://evil.example" }),
        json!({ "iss": null }),
        json!({ "sub": null }),
        json!({ "sub": "  " }),
    ] {
        let token = hs256(&with(changes.clone()), SECRET);
        assert_eq!(
            sign_in.verify(&token, NOW_MS),
            Err(Refusal::Invalid),
            "{changes}"
        );
    }
}

#[test]
fn a_forged_signature_is_refused() {
    let forged = hs256(&claims(), b"another secret that is also long enough");
    assert_eq!(by_secret().verify(&forged, NOW_MS), Err(Refusal::Invalid));
    // A good token whose claims were changed afterwards (a higher `exp`).
    let good = hs256(&claims(), SECRET);
    let parts: Vec<&str> = good.split('.').collect();
    let changed = base64url(with(json!({ "exp": NOW + 999_999 })).to_string().as_bytes());
    let tampered = format!("{}.{changed}.{}", parts[0], parts[2]);
    assert_eq!(by_secret().verify(&tampered, NOW_MS), Err(Refusal::Invalid));
    assert_eq!(
        by_secret().verify("not a token", NOW_MS),
        Err(Refusal::Invalid)
    );
}

#[test]
fn alg_none_is_never_accepted() {
    let header = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64url(claims().to_string().as_bytes());
    for token in [
        format!("{header}.{payload}."),
        format!("{header}.{payload}"),
    ] {
        assert_eq!(by_secret().verify(&token, NOW_MS), Err(Refusal::Invalid));
        assert_eq!(
            by_public_key("ed25519-public.pem").verify(&token, NOW_MS),
            Err(Refusal::Invalid)
        );
    }
}

#[test]
fn the_algorithm_comes_from_the_key_never_the_token() {
    // HS/RS confusion: an HS256 token "signed" with the public key's PEM as its secret.
    for (file, algorithm) in [
        ("rsa-public.pem", Algorithm::RS256),
        ("ed25519-public.pem", Algorithm::EdDSA),
    ] {
        let sign_in = by_public_key(file);
        assert_eq!(sign_in.algorithm(), algorithm);
        let public_pem = std::fs::read(fixture(file)).unwrap();
        let confused = hs256(&claims(), &public_pem);
        assert_eq!(
            sign_in.verify(&confused, NOW_MS),
            Err(Refusal::Invalid),
            "{file}"
        );
    }
    // And a token signed with the right kind of key but another algorithm's header.
    let rs = signed_with_file(Algorithm::RS256, "rsa-private.pem", &claims());
    assert_eq!(by_secret().verify(&rs, NOW_MS), Err(Refusal::Invalid));
    assert_eq!(
        by_public_key("ed25519-public.pem").verify(&rs, NOW_MS),
        Err(Refusal::Invalid)
    );
}

#[test]
fn rs256_and_eddsa_tokens_verify_with_their_public_keys() {
    let rs = signed_with_file(Algorithm::RS256, "rsa-private.pem", &claims());
    assert_eq!(
        by_public_key("rsa-public.pem")
            .verify(&rs, NOW_MS)
            .unwrap()
            .name,
        "Ann Reader"
    );
    let ed = signed_with_file(Algorithm::EdDSA, "ed25519-private.pem", &claims());
    assert_eq!(
        by_public_key("ed25519-public.pem")
            .verify(&ed, NOW_MS)
            .unwrap()
            .id,
        "https://news.example|42"
    );
}

#[test]
fn the_name_is_required_and_a_bad_email_is_left_out() {
    let sign_in = by_secret();
    for name in [
        json!(null),
        json!(""),
        json!("x".repeat(300)),
        json!("Ann\u{7}"),
    ] {
        let token = hs256(&with(json!({ "name": name })), SECRET);
        assert_eq!(sign_in.verify(&token, NOW_MS), Err(Refusal::UnusableName));
    }
    let token = hs256(&with(json!({ "email": "not an address" })), SECRET);
    assert_eq!(sign_in.verify(&token, NOW_MS).unwrap().email, None);
    let token = hs256(&with(json!({ "email": null })), SECRET);
    assert_eq!(sign_in.verify(&token, NOW_MS).unwrap().email, None);
}

#[test]
fn setup_refuses_a_short_secret_two_keys_and_a_missing_audience() {
    let path = fixture("rsa-public.pem");
    assert!(matches!(
        SignIn::configure(Some(b"short"), None, Some("a"), Some("i"), false),
        Err(SignInSetupError::ShortSecret)
    ));
    assert!(matches!(
        SignIn::configure(Some(SECRET), Some(&path), Some("a"), Some("i"), false),
        Err(SignInSetupError::TwoKeys)
    ));
    assert!(matches!(
        SignIn::configure(Some(SECRET), None, None, Some("i"), false),
        Err(SignInSetupError::MissingAudienceOrIssuer)
    ));
    assert!(matches!(
        SignIn::configure(
            None,
            Some(&fixture("rsa-private.pem")),
            Some("a"),
            Some("i"),
            false
        ),
        Err(SignInSetupError::NotAPublicKey { .. })
    ));
    assert!(SignIn::configure(None, None, None, None, false)
        .unwrap()
        .is_none());
}

#[test]
fn only_a_bearer_header_carries_a_token() {
    let mut headers = axum::http::HeaderMap::new();
    assert_eq!(bearer_token(&headers), None);
    headers.insert("authorization", "Bearer abc.def.ghi".parse().unwrap());
    assert_eq!(bearer_token(&headers), Some("abc.def.ghi"));
    headers.insert("authorization", "Basic YTpi".parse().unwrap());
    assert_eq!(bearer_token(&headers), None);
}
