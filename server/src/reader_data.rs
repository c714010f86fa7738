//! Readers' data rights (GDPR articles 15 and 17), the parts both the readers' pages
//! (`rights`) and the moderation area use, so that neither imports the other: the mailed
//! link's token, the keyed digest the audit log names an address by, the export's JSON and
//! its download.
//! The rows themselves are `store::rights`.
//!
//! A data link is `<nonce>.<hex of the HMAC-SHA256>`: opaque, so that a log that keeps it (a
//! proxy's, a mail system's) learns no address from it. The address and the issue time are its
//! row's in `data_links`, found by the nonce, and the MAC binds them to it, under a key derived
//! from the service's link key (`link_key`) for this use only, so that no other link of ours
//! can pass for one; it lasts `--data-link-hours` and is used once (the row's `used_at`).

use article_widget::domain::date::Timestamp;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::store::{address_key, DataLinkRow, ReaderData};
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

/// The token of a data link for `email`, issued at `issued_at` (seconds since the epoch):
/// the nonce and the MAC only.
pub fn data_link_token(key: &[u8], email: &str, issued_at: i64, nonce: &str) -> String {
    let signature = hex(&link_mac(key, email, issued_at, nonce)
        .finalize()
        .into_bytes());
    format!("{nonce}.{signature}")
}

/// A data link's token as it came, read but not yet checked against its row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkToken {
    /// The row's key in `data_links`.
    pub nonce: String,
    signature: Vec<u8>,
}

/// Reads a token: `None` when it is not the shape of one of ours (forged, cut, or none).
pub fn read_data_link(token: &str) -> Option<LinkToken> {
    let (nonce, signature) = token.split_once('.')?;
    let nonce_is_ours = nonce.len() == NONCE_BYTES * 2 && hex_decode(nonce).is_some();
    let signature = hex_decode(signature).filter(|bytes| bytes.len() == 32)?;
    nonce_is_ours.then(|| LinkToken {
        nonce: nonce.to_owned(),
        signature,
    })
}

/// What a data link is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DataLink {
    /// Ours and in time (whether it was used is the row's `used_at` to say, and the POST's
    /// update to decide).
    Valid,
    /// Ours, but older than its validity.
    Expired,
    /// Not ours: forged or changed.
    Invalid,
}

/// Checks a token against the row its nonce names, at `now_ms`, for links valid `valid_ms`
/// (and never past the row's own `expires_at`, written with the validity of its day): the
/// signature first, so only our own links are ever called expired.
pub fn check_data_link(
    key: &[u8],
    token: &LinkToken,
    row: &DataLinkRow,
    now_ms: i64,
    valid_ms: i64,
) -> DataLink {
    let issued_at = row.issued_at / 1000;
    let now = now_ms / 1000;
    if link_mac(key, &row.email, issued_at, &token.nonce)
        .verify_slice(&token.signature)
        .is_err()
        || issued_at > now + CLOCK_LEEWAY_SECS
    {
        return DataLink::Invalid;
    }
    if now - issued_at > valid_ms / 1000 || now_ms > row.expires_at {
        return DataLink::Expired;
    }
    DataLink::Valid
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

    fn row(email: &str, issued_at_secs: i64, valid_secs: i64) -> DataLinkRow {
        DataLinkRow {
            email: email.into(),
            issued_at: issued_at_secs * 1000,
            expires_at: (issued_at_secs + valid_secs) * 1000,
            used_at: None,
        }
    }

    fn check(token: &str, row: &DataLinkRow, now_secs: i64, valid_secs: i64) -> DataLink {
        let token = read_data_link(token).expect("the shape of a link");
        check_data_link(KEY, &token, row, now_secs * 1000, valid_secs * 1000)
    }

    #[test]
    fn a_link_names_no_address_and_no_time() {
        let issued = 1_800_000_000;
        let token = data_link_token(KEY, "ann@example.com", issued, NONCE);
        assert!(token.starts_with(&format!("{NONCE}.")), "{token}");
        assert_eq!(token.len(), 32 + 1 + 64, "{token}");
        assert!(!token.contains(&hex(b"ann")), "{token}");
        assert!(!token.contains(&issued.to_string()), "{token}");
    }

    #[test]
    fn a_link_is_valid_for_its_hours_then_expired() {
        let issued = 1_800_000_000;
        let token = data_link_token(KEY, "Ann@example.com", issued, NONCE);
        let day = row("Ann@example.com", issued, 24 * HOUR);
        assert_eq!(check(&token, &day, issued, 24 * HOUR), DataLink::Valid);
        assert_eq!(
            check(&token, &day, issued + 24 * HOUR, 24 * HOUR),
            DataLink::Valid
        );
        assert_eq!(
            check(&token, &day, issued + 24 * HOUR + 1, 24 * HOUR),
            DataLink::Expired
        );
        // The validity shortened since: the shorter holds.
        assert_eq!(
            check(&token, &day, issued + 2 * HOUR, HOUR),
            DataLink::Expired
        );
        // Lengthened since: the row's own end holds.
        assert_eq!(
            check(
                &token,
                &row("Ann@example.com", issued, HOUR),
                issued + 2 * HOUR,
                24 * HOUR
            ),
            DataLink::Expired
        );
        // Issued in the future beyond another clock's leeway: not ours.
        assert_eq!(
            check(&token, &day, issued - 3_600, 24 * HOUR),
            DataLink::Invalid
        );
    }

    #[test]
    fn a_changed_forged_or_malformed_link_is_invalid() {
        let issued = 1_800_000_000;
        let now = issued + 60;
        let token = data_link_token(KEY, "ann@example.com", issued, NONCE);
        let ann = row("ann@example.com", issued, HOUR);
        assert_eq!(check(&token, &ann, now, HOUR), DataLink::Valid);
        let other_key = read_data_link(&token).unwrap();
        assert_eq!(
            check_data_link(b"another key", &other_key, &ann, now * 1000, HOUR * 1000),
            DataLink::Invalid
        );
        // The MAC binds the row: another address, or another time, under this nonce fails.
        assert_eq!(
            check(&token, &row("bob@example.com", issued, HOUR), now, HOUR),
            DataLink::Invalid
        );
        assert_eq!(
            check(&token, &row("ann@example.com", issued + 1, HOUR), now, HOUR),
            DataLink::Invalid
        );
        // Another nonce with this MAC.
        let other_nonce = token.replacen(NONCE, &"f".repeat(32), 1);
        assert_eq!(check(&other_nonce, &ann, now, HOUR), DataLink::Invalid);
        let mut flipped = token.clone();
        let last = flipped.pop().unwrap();
        flipped.push(if last == '0' { '1' } else { '0' });
        assert_eq!(check(&flipped, &ann, now, HOUR), DataLink::Invalid);
        for nonsense in [
            "",
            ".",
            NONCE,
            "zz.00",
            "0011.00",
            &format!("{token}.00"),
            &format!("{token}00"),
            &token[..token.len() - 2],
            // The old shape: the address in hex, the time, the nonce, the MAC.
            &format!("{}.{issued}.{token}", hex(b"ann@example.com")),
        ] {
            assert_eq!(read_data_link(nonsense), None, "{nonsense}");
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
