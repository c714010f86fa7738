//! Readers' data rights (GDPR articles 15 and 17), the parts both the readers' pages
//! (`rights`) and the moderation area use, so that neither imports the other: the mailed
//! link's token, the keyed digest the audit log names an address by, the export's JSON and
//! its download.
//! The rows themselves are `store::rights`.
//!
//! A data link is `<hex of the address>.<issue time, s>.<nonce>.<hex of the HMAC-SHA256>`,
//! under a key derived from the service's link key (`link_key`) for this use only, so that no
//! other link of ours can pass for one; it lasts `--data-link-hours` and is used once (its
//! nonce's row in `data_links`).

use article_widget::domain::date::Timestamp;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::store::{address_key, ReaderData};
use crate::tokens::{hex, hex_decode};

type HmacSha256 = Hmac<Sha256>;

/// How the audit log names a reader who acted through a link (moderators by their names).
pub const READER: &str = "(the reader, by link)";
/// A link issued this far in the future (another instance's clock) is still ours.
const CLOCK_LEEWAY_SECS: i64 = 300;
/// The random part of a link, in bytes.
pub const NONCE_BYTES: usize = 16;

/// A key of its own for one use, derived from the service's key.
fn derived(key: &[u8], purpose: &[u8]) -> HmacSha256 {
    let mut derive = HmacSha256::new_from_slice(key).expect("HMAC takes any key length");
    derive.update(purpose);
    let derived = derive.finalize().into_bytes();
    HmacSha256::new_from_slice(&derived).expect("HMAC takes any key length")
}

fn link_mac(key: &[u8], email: &str, issued_at: i64, nonce: &str) -> HmacSha256 {
    let mut mac = derived(key, b"readers' data links");
    mac.update(format!("{issued_at}.{nonce}.{email}").as_bytes());
    mac
}

/// The token of a data link for `email`, issued at `issued_at` (seconds since the epoch).
pub fn data_link_token(key: &[u8], email: &str, issued_at: i64, nonce: &str) -> String {
    let signature = hex(&link_mac(key, email, issued_at, nonce)
        .finalize()
        .into_bytes());
    format!("{}.{issued_at}.{nonce}.{signature}", hex(email.as_bytes()))
}

/// What a data link is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataLink {
    /// Ours and in time (whether it was used is the database's to say).
    Valid { email: String, nonce: String },
    /// Ours, but older than its validity.
    Expired,
    /// Not ours: forged, changed, cut, or no token at all.
    Invalid,
}

/// Checks a data link's token at `now` (seconds since the epoch) for links valid `valid_secs`:
/// the signature first, so only our own links are ever called expired.
pub fn check_data_link(key: &[u8], token: &str, now: i64, valid_secs: i64) -> DataLink {
    let mut parts = token.split('.');
    let (Some(address), Some(issued), Some(nonce), Some(signature), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return DataLink::Invalid;
    };
    let email = hex_decode(address).and_then(|bytes| String::from_utf8(bytes).ok());
    let issued_at = (!issued.is_empty() && issued.bytes().all(|b| b.is_ascii_digit()))
        .then(|| issued.parse::<i64>().ok())
        .flatten();
    let nonce_is_ours = nonce.len() == NONCE_BYTES * 2 && hex_decode(nonce).is_some();
    let (Some(email), Some(issued_at), true, Some(signature)) =
        (email, issued_at, nonce_is_ours, hex_decode(signature))
    else {
        return DataLink::Invalid;
    };
    if link_mac(key, &email, issued_at, nonce)
        .verify_slice(&signature)
        .is_err()
        || issued_at > now + CLOCK_LEEWAY_SECS
    {
        return DataLink::Invalid;
    }
    if now - issued_at > valid_secs {
        return DataLink::Expired;
    }
    DataLink::Valid {
        email,
        nonce: nonce.to_owned(),
    }
}

/// How the audit log names an address: a keyed digest of it as the service compares it, so
/// the log keeps nothing an erasure removed (nor anything a list of addresses could be checked
/// against without the key), while the same address always reads the same.
pub fn address_digest(key: &[u8], email: &str) -> String {
    let mut mac = derived(key, b"readers' data audit");
    mac.update(address_key(email).as_bytes());
    format!("address {}", hex(&mac.finalize().into_bytes()[..12]))
}

fn time(ms: i64) -> String {
    Timestamp::from_millis(ms).to_rfc3339()
}

/// Everything held under `email`, as the reader (or a moderator for them) downloads it.
pub fn export(email: &str, data: &ReaderData, now_ms: i64) -> Value {
    let comments: Vec<Value> = data
        .comments
        .iter()
        .map(|comment| {
            json!({
                "id": comment.id,
                "article": comment.article_id,
                "parent": comment.parent_id,
                "created_at": time(comment.created_at),
                "status": comment.status,
                "name": comment.author,
                "email": comment.email,
                "website": comment.website,
                "text": comment.content,
                "client_address": comment.client_address,
                "reply_notifications": comment.notify != 0,
            })
        })
        .collect();
    json!({
        "address": email.trim(),
        "exported_at": time(now_ms),
        "comments": comments,
        "subscriptions": {
            "reply_notifications_asked_on": data
                .comments
                .iter()
                .filter(|c| c.notify != 0)
                .map(|c| c.id.as_str())
                .collect::<Vec<_>>(),
            "address_confirmed_at": data.confirmed_at.map(time),
            "unsubscribed_at": data.unsubscribed_at.map(time),
        },
    })
}

/// How many comments on each article, in the order first commented on.
pub fn comments_by_article(data: &ReaderData) -> Vec<(&str, usize)> {
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for comment in &data.comments {
        match counts.iter_mut().find(|(a, _)| *a == comment.article_id) {
            Some((_, n)) => *n += 1,
            None => counts.push((&comment.article_id, 1)),
        }
    }
    counts
}

/// The file name a download is saved under.
pub const EXPORT_FILE: &str = "my-comments-data.json";

/// The export as a download: a file to save (`Content-Disposition`), never cached.
pub fn attachment(export: Value) -> Response {
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{EXPORT_FILE}\""))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        export.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &[u8] = b"a key of the service";
    const NONCE: &str = "00112233445566778899aabbccddeeff";
    const HOUR: i64 = 3_600;

    #[test]
    fn a_link_is_valid_for_its_hours_then_expired() {
        let issued = 1_800_000_000;
        let token = data_link_token(KEY, "Ann@example.com", issued, NONCE);
        let valid = DataLink::Valid {
            email: "Ann@example.com".into(),
            nonce: NONCE.into(),
        };
        assert_eq!(check_data_link(KEY, &token, issued, 24 * HOUR), valid);
        assert_eq!(
            check_data_link(KEY, &token, issued + 24 * HOUR, 24 * HOUR),
            valid
        );
        assert_eq!(
            check_data_link(KEY, &token, issued + 24 * HOUR + 1, 24 * HOUR),
            DataLink::Expired
        );
        assert_eq!(
            check_data_link(KEY, &token, issued + 2 * HOUR, HOUR),
            DataLink::Expired
        );
        // Issued in the future beyond another clock's leeway: not ours.
        assert_eq!(
            check_data_link(KEY, &token, issued - 3_600, 24 * HOUR),
            DataLink::Invalid
        );
    }

    #[test]
    fn a_changed_forged_or_malformed_link_is_invalid() {
        let issued = 1_800_000_000;
        let now = issued + 60;
        let token = data_link_token(KEY, "ann@example.com", issued, NONCE);
        assert_eq!(
            check_data_link(b"another key", &token, now, HOUR),
            DataLink::Invalid
        );
        let other_address = token.replacen(&hex(b"ann@example.com"), &hex(b"bob@example.com"), 1);
        assert_eq!(
            check_data_link(KEY, &other_address, now, HOUR),
            DataLink::Invalid
        );
        let younger = token.replacen(&format!(".{issued}."), &format!(".{now}."), 1);
        assert_eq!(check_data_link(KEY, &younger, now, HOUR), DataLink::Invalid);
        let other_nonce = token.replacen(NONCE, &"f".repeat(32), 1);
        assert_eq!(
            check_data_link(KEY, &other_nonce, now, HOUR),
            DataLink::Invalid
        );
        for nonsense in [
            "",
            "...",
            "zz.1.00112233445566778899aabbccddeeff.00",
            "61..00112233445566778899aabbccddeeff.00",
            "61.+1.00112233445566778899aabbccddeeff.00",
            "61.1.0011.00",
            &format!("{token}.00"),
            &token[..token.len() - 2],
        ] {
            assert_eq!(
                check_data_link(KEY, nonsense, now, HOUR),
                DataLink::Invalid,
                "{nonsense}"
            );
        }
    }

    #[test]
    fn the_audit_digest_is_the_same_for_any_case_and_names_no_address() {
        let digest = address_digest(KEY, " Ann@Example.com");
        assert_eq!(digest, address_digest(KEY, "ann@example.com"));
        assert_ne!(digest, address_digest(KEY, "bob@example.com"));
        assert_ne!(digest, address_digest(b"another key", "ann@example.com"));
        assert!(!digest.contains("ann"));
    }
}
