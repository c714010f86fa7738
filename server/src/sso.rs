//! Readers signed in by the publisher (issue 20): the host page hands the widget a JSON Web
//! Token its own server signed, the widget sends it as `Authorization: Bearer …` on the
//! comments API, and this layer says whose it is, or why it is refused, in plain words.
//!
//! What is checked, and why (GUIDE §1e): the algorithm is pinned by the configured key's type
//! (HS256 for a shared secret, RS256 or EdDSA for a public key), never read from the token's
//! header, so neither `alg: none` nor an HS256 token "signed" with the public key passes;
//! `exp`, `aud`, `iss` and `sub` are required; `exp` and `nbf` are compared with the time
//! passed in (the service's clock, read by the handler), with a small leeway for clocks that
//! differ. The account is `iss|sub`, so two publishers' accounts never meet; its name is the
//! token's `name`, never the comment body's.

use std::path::Path;

use article_widget::domain::comment_rules::{check_field, is_valid_email, Field};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{decode, Algorithm, DecodingKey, Validation};
use serde::Deserialize;

/// Clocks differ: a token is still taken this long after its `exp` (and before its `nbf`).
pub const LEEWAY_SECONDS: i64 = 30;

/// A shared secret shorter than this is refused at start: HS256 with a guessable secret lets
/// anyone sign in as anyone (RFC 7518 §3.2 asks for at least the hash's 256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

/// The longest account id (`sub`) kept; a longer one is refused rather than cut.
const MAX_SUBJECT_CHARS: usize = 255;

/// How the publisher's tokens are checked (`--sso-…`).
pub struct SignIn {
    key: DecodingKey,
    algorithm: Algorithm,
    audience: String,
    issuer: String,
    /// `--sso-trusted`: signed-in readers skip the first-comment hold.
    pub trusted: bool,
}

/// Why the service cannot start with the sign-in flags it was given.
#[derive(Debug, thiserror::Error)]
pub enum SignInSetupError {
    #[error("--sso-audience and --sso-issuer are required with a sign-in key")]
    MissingAudienceOrIssuer,
    #[error("give either --sso-hs256-secret (or its file) or --sso-public-key, not both")]
    TwoKeys,
    #[error("the HS256 secret must be at least {MIN_SECRET_BYTES} bytes long")]
    ShortSecret,
    #[error("cannot read {path}: {error}")]
    Unreadable { path: String, error: std::io::Error },
    #[error("{path} is neither an Ed25519 nor an RSA public key in PEM (a private key is refused: give the service only the public key)")]
    NotAPublicKey { path: String },
}

/// The key the publisher configured, before it is read.
pub enum KeySource<'a> {
    Secret(&'a [u8]),
    PublicKeyFile(&'a Path),
}

/// A signed-in reader, as the token says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// `iss|sub`: stored with the comment, shown to moderators.
    pub id: String,
    /// The name the comment is shown under.
    pub name: String,
    /// An address for reply notifications, when the token has a valid one (confirmed by the
    /// reader as any other before anything is mailed to it).
    pub email: Option<String>,
    /// The token's `roles` claim names `moderator` (a list of strings, or one string of
    /// words separated by spaces, as OAuth's `scope`): the publisher's server says this reader
    /// is one of the site's staff, and their comments carry the moderator badge.
    pub moderator: bool,
}

/// Why a token was refused: each says so in words a reader understands, and that the
/// anonymous form is there.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "This site does not sign readers in to comment. Please comment with your name and email."
    )]
    NotOffered,
    #[error(
        "Your sign-in has expired. Please sign in again, or comment with your name and email."
    )]
    Expired,
    #[error("Your sign-in is not valid yet (is this device's clock right?). Please comment with your name and email.")]
    NotYetValid,
    #[error("Your sign-in could not be verified. Please sign in again, or comment with your name and email.")]
    Invalid,
    #[error("Your account's name cannot be shown with a comment. Please comment with your name and email.")]
    UnusableName,
}

#[derive(Deserialize)]
struct Claims {
    iss: String,
    sub: String,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    /// Roles the publisher gives the reader (`moderator` is the one read).
    #[serde(default)]
    roles: Option<serde_json::Value>,
}

impl SignIn {
    /// The checker for one key; `None` without a key (sign-in off).
    pub fn configure(
        secret: Option<&[u8]>,
        public_key: Option<&Path>,
        audience: Option<&str>,
        issuer: Option<&str>,
        trusted: bool,
    ) -> Result<Option<SignIn>, SignInSetupError> {
        let source = match (secret, public_key) {
            (None, None) => return Ok(None),
            (Some(_), Some(_)) => return Err(SignInSetupError::TwoKeys),
            (Some(secret), None) => KeySource::Secret(secret),
            (None, Some(path)) => KeySource::PublicKeyFile(path),
        };
        let (Some(audience), Some(issuer)) = (
            audience.map(str::trim).filter(|a| !a.is_empty()),
            issuer.map(str::trim).filter(|i| !i.is_empty()),
        ) else {
            return Err(SignInSetupError::MissingAudienceOrIssuer);
        };
        let (key, algorithm) = match source {
            KeySource::Secret(secret) => {
                if secret.len() < MIN_SECRET_BYTES {
                    return Err(SignInSetupError::ShortSecret);
                }
                (DecodingKey::from_secret(secret), Algorithm::HS256)
            }
            KeySource::PublicKeyFile(path) => {
                let pem = std::fs::read(path).map_err(|error| SignInSetupError::Unreadable {
                    path: path.display().to_string(),
                    error,
                })?;
                public_key_pem(&pem).ok_or_else(|| SignInSetupError::NotAPublicKey {
                    path: path.display().to_string(),
                })?
            }
        };
        Ok(Some(SignIn {
            key,
            algorithm,
            audience: audience.to_owned(),
            issuer: issuer.to_owned(),
            trusted,
        }))
    }

    /// The algorithm the configured key pins.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// Whose token this is at `now_ms`, or why it is refused.
    pub fn verify(&self, token: &str, now_ms: i64) -> Result<Account, Refusal> {
        let mut validation = Validation::new(self.algorithm);
        validation.set_audience(&[&self.audience]);
        validation.set_issuer(&[&self.issuer]);
        validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
        // The times are checked below against the clock the caller read, not the library's.
        validation.validate_exp = false;
        validation.validate_nbf = false;
        let claims = decode::<Claims>(token.trim(), &self.key, &validation)
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => Refusal::Expired,
                ErrorKind::ImmatureSignature => Refusal::NotYetValid,
                _ => Refusal::Invalid,
            })?
            .claims;
        let now = now_ms.div_euclid(1000);
        if claims.exp.saturating_add(LEEWAY_SECONDS) < now {
            return Err(Refusal::Expired);
        }
        if claims
            .nbf
            .is_some_and(|nbf| nbf.saturating_sub(LEEWAY_SECONDS) > now)
        {
            return Err(Refusal::NotYetValid);
        }
        let subject = claims.sub.trim();
        if subject.is_empty()
            || subject.chars().count() > MAX_SUBJECT_CHARS
            || subject.chars().any(char::is_control)
        {
            return Err(Refusal::Invalid);
        }
        let name = claims.name.as_deref().map(str::trim).unwrap_or_default();
        if check_field(Field::Author, name).is_err() || name.is_empty() {
            return Err(Refusal::UnusableName);
        }
        let email = claims
            .email
            .map(|email| email.trim().to_lowercase())
            .filter(|email| is_valid_email(email));
        let moderator = match &claims.roles {
            Some(serde_json::Value::Array(roles)) => {
                roles.iter().any(|role| role.as_str() == Some("moderator"))
            }
            Some(serde_json::Value::String(roles)) => roles
                .split_ascii_whitespace()
                .any(|role| role == "moderator"),
            _ => false,
        };
        Ok(Account {
            id: format!("{}|{subject}", claims.iss),
            name: name.to_owned(),
            email,
            moderator,
        })
    }
}

/// The token of an `Authorization: Bearer …` header, when there is one.
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|token| !token.is_empty())
}

/// An Ed25519 or RSA public key in PEM, with the algorithm it pins. A private key is refused
/// (the library would take an RSA one): the service never needs to hold what signs tokens.
fn public_key_pem(pem: &[u8]) -> Option<(DecodingKey, Algorithm)> {
    let text = std::str::from_utf8(pem).ok()?;
    let public = [
        "-----BEGIN PUBLIC KEY-----",
        "-----BEGIN RSA PUBLIC KEY-----",
    ];
    if !public.iter().any(|tag| text.contains(tag)) || text.contains("PRIVATE KEY-----") {
        return None;
    }
    if let Ok(key) = DecodingKey::from_ed_pem(pem) {
        return Some((key, Algorithm::EdDSA));
    }
    DecodingKey::from_rsa_pem(pem)
        .ok()
        .map(|key| (key, Algorithm::RS256))
}

#[cfg(test)]
mod tests;
