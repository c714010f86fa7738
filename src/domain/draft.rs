//! What the widget keeps in the reader's browser so that nothing typed is lost: the draft of
//! each article's comment (text, reply target, idempotency key), the reader's details (only
//! with consent), and the names they are stored under.

use serde_json::{json, Value};

use super::wire::text_field;

/// The comment a reply goes to: its id, and its author's name for "Leave a Reply to Ann".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReplyTarget {
    pub id: String,
    pub author: String,
}

/// The key that makes one draft's posts idempotent (a UUID v4). The same key goes with every
/// retry whose outcome is unknown; a new one only after the server certainly stored nothing
/// or accepted the comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// A version 4 UUID from 16 bytes of a cryptographic random source.
    pub fn from_random_bytes(mut bytes: [u8; 16]) -> IdempotencyKey {
        bytes[6] = (bytes[6] & 0x0f) | 0x40;
        bytes[8] = (bytes[8] & 0x3f) | 0x80;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        IdempotencyKey(format!(
            "{}-{}-{}-{}-{}",
            &hex[0..8],
            &hex[8..12],
            &hex[12..16],
            &hex[16..20],
            &hex[20..32]
        ))
    }

    /// A stored key, when it looks like one (anything else is dropped, and a new one drawn).
    pub fn from_stored(text: &str) -> Option<IdempotencyKey> {
        let text = text.trim();
        (8..=200)
            .contains(&text.len())
            .then(|| IdempotencyKey(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The unfinished comment, kept per article so that nothing typed is ever lost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub content: String,
    pub reply_to: Option<ReplyTarget>,
    /// The key of this draft's post, once one was drawn.
    pub key: Option<IdempotencyKey>,
}

impl Draft {
    pub fn to_json(&self) -> String {
        json!({
            "content": self.content,
            "reply_to": self.reply_to.as_ref().map(|r| json!({"id": r.id, "author": r.author})),
            "key": self.key.as_ref().map(IdempotencyKey::as_str).unwrap_or_default(),
        })
        .to_string()
    }

    /// Reads a stored draft; anything unreadable is treated as no draft.
    pub fn from_json(text: &str) -> Option<Draft> {
        let value: Value = super::json::parse(text).ok()?;
        let reply_to = value.get("reply_to").and_then(|r| {
            Some(ReplyTarget {
                id: r.get("id")?.as_str()?.to_owned(),
                author: r.get("author")?.as_str()?.to_owned(),
            })
        });
        Some(Draft {
            content: text_field(&value, "content"),
            reply_to,
            key: IdempotencyKey::from_stored(&text_field(&value, "key")),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.content.trim().is_empty() && self.reply_to.is_none()
    }
}

/// Name, email and website, stored only with the reader's consent.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Identity {
    pub author: String,
    pub email: String,
    pub website: String,
}

impl Identity {
    pub fn to_json(&self) -> String {
        json!({ "author": self.author, "email": self.email, "website": self.website }).to_string()
    }

    pub fn from_json(text: &str) -> Option<Identity> {
        let value: Value = super::json::parse(text).ok()?;
        Some(Identity {
            author: text_field(&value, "author"),
            email: text_field(&value, "email"),
            website: text_field(&value, "website"),
        })
    }
}

/// The browser's author token (a bearer secret: it shows its holder the comments that await
/// moderation): the stored one when there is a plausible one, else one made from fresh
/// cryptographic random bytes, else none at all. Never from a weaker source.
pub fn author_token(stored: Option<&str>, random: Option<[u8; 16]>) -> Option<String> {
    match stored.map(str::trim) {
        Some(token) if token.len() >= 16 => Some(token.to_owned()),
        _ => random.map(|bytes| IdempotencyKey::from_random_bytes(bytes).0),
    }
}

/// Storage keys. One draft per article; one identity and one author token for the site.
pub fn draft_storage_key(article_id: &str) -> String {
    format!("article-widget:draft:{article_id}")
}

pub const IDENTITY_STORAGE_KEY: &str = "article-widget:identity";
pub const AUTHOR_TOKEN_STORAGE_KEY: &str = "article-widget:author-token";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_and_identities_round_trip_and_survive_garbage() {
        let draft = Draft {
            content: "Half a thought\nand more".into(),
            reply_to: Some(ReplyTarget {
                id: "7".into(),
                author: "Ann".into(),
            }),
            key: Some(IdempotencyKey::from_random_bytes([1; 16])),
        };
        assert_eq!(Draft::from_json(&draft.to_json()), Some(draft));
        assert_eq!(Draft::from_json("{not json"), None);
        assert_eq!(Draft::from_json("{}"), Some(Draft::default()));
        assert_eq!(
            Draft::from_json(r#"{"content":"x","key":"short"}"#)
                .unwrap()
                .key,
            None,
            "a key that is not one is dropped"
        );
        let identity = Identity {
            author: "Ann".into(),
            email: "a@b.co".into(),
            website: "".into(),
        };
        assert_eq!(Identity::from_json(&identity.to_json()), Some(identity));
        assert_eq!(
            draft_storage_key("russia-iran-treaty"),
            "article-widget:draft:russia-iran-treaty"
        );
    }

    #[test]
    fn an_author_token_comes_from_storage_or_a_secure_source_or_not_at_all() {
        let stored = "5b0e8c1e-6f1a-4c3e-9d2b-7a1f00c0ffee";
        assert_eq!(author_token(Some(stored), None).as_deref(), Some(stored));
        assert_eq!(
            author_token(Some("short"), Some([0xab; 16])).as_deref(),
            Some("abababab-abab-4bab-abab-abababababab")
        );
        assert_eq!(author_token(None, None), None, "fail closed");
        assert_eq!(author_token(Some(""), None), None);
    }

    #[test]
    fn keys_are_version_4_uuids() {
        assert_eq!(
            IdempotencyKey::from_random_bytes([0xff; 16]).as_str(),
            "ffffffff-ffff-4fff-bfff-ffffffffffff"
        );
        assert_eq!(
            IdempotencyKey::from_random_bytes([0; 16]).as_str(),
            "00000000-0000-4000-8000-000000000000"
        );
    }
}
