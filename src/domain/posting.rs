//! Posting a comment, minus the network: the request body, what each answer means, the
//! draft and the remembered identity as they are stored, and the idempotency key.

use serde_json::{json, Map, Value};

use super::comment::{CommentInput, Field, Problem, ValidComment};
use super::thread::{parse_posted_comment, Comment};

/// The JSON body of `POST {comments.url}`.
pub fn request_body(
    comment: &ValidComment,
    parent: Option<&str>,
    honeypot: &str,
    rendered_at_ms: f64,
) -> String {
    json!({
        "parent": parent,
        "author": comment.author,
        "email": comment.email,
        "website": comment.website,
        "content": comment.content,
        "honeypot": honeypot,
        "rendered_at": rendered_at_ms as i64,
    })
    .to_string()
}

/// A string field of a JSON object; missing or of another type reads as empty.
fn text_field(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// A `POST {comments.url}` body as the service reads it: the inverse of [`request_body`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommentRequest {
    pub input: CommentInput,
    pub parent: Option<String>,
    pub honeypot: String,
    /// Milliseconds since the epoch when the form was first shown, if sent.
    pub rendered_at: Option<i64>,
}

impl CommentRequest {
    /// Reads a body; `None` when it is not a JSON object. Missing fields read as empty, for
    /// the rules to report.
    pub fn parse(body: &str) -> Option<CommentRequest> {
        let value: Value = serde_json::from_str(body).ok()?;
        let object = value.as_object()?;
        let text = |key: &str| text_field(&value, key);
        Some(CommentRequest {
            input: CommentInput {
                content: text("content"),
                author: text("author"),
                email: text("email"),
                website: text("website"),
            },
            parent: Some(text("parent")).filter(|p| !p.is_empty()),
            honeypot: text("honeypot"),
            rendered_at: object
                .get("rendered_at")
                .and_then(Value::as_f64)
                .map(|ms| ms as i64),
        })
    }
}

/// The body of a 422 answer: `{"errors": {"<field>": ["message", …]}}`.
pub fn field_errors_body<'a>(errors: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let mut map = Map::new();
    for (key, message) in errors {
        match map
            .entry(key.to_owned())
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(list) => list.push(Value::String(message)),
            _ => unreachable!("only arrays are inserted"),
        }
    }
    json!({ "errors": map }).to_string()
}

/// The 422 body for problems found by the comment rules.
pub fn problems_body(problems: &[(Field, Problem)]) -> String {
    field_errors_body(
        problems
            .iter()
            .map(|(field, problem)| (field.key(), problem.message(*field))),
    )
}

/// Why a post did not go through, and whether the comment may have been stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PostError {
    /// 422: messages per field (and any the form has no field for).
    Invalid {
        fields: Vec<(Field, String)>,
        other: Vec<String>,
    },
    /// 429: wait this many seconds (when the server said).
    TooSoon(Option<u32>),
    /// No answer: offline, refused, CORS.
    Network,
    /// No answer within the limit, in seconds.
    Timeout(u32),
    /// 5xx.
    Server(u16),
    /// Another 4xx.
    Refused(u16),
    /// A 2xx whose body is not the comment.
    Malformed,
}

impl PostError {
    /// True when the server answered and stored nothing, so the next attempt is a new post
    /// and needs a new idempotency key. Otherwise the outcome is unknown and a retry must
    /// reuse the key, so that it can never post twice.
    pub fn definitely_not_stored(&self) -> bool {
        matches!(
            self,
            PostError::Invalid { .. } | PostError::TooSoon(_) | PostError::Refused(_)
        )
    }

    /// True when Retry makes sense as it is (nothing for the reader to fix).
    pub fn retryable(&self) -> bool {
        matches!(
            self,
            PostError::Network
                | PostError::Timeout(_)
                | PostError::Server(_)
                | PostError::Malformed
        )
    }
}

/// What an HTTP answer to a post means.
pub fn interpret_answer(
    status: u16,
    retry_after: Option<&str>,
    body: &str,
) -> Result<Comment, PostError> {
    match status {
        200..=299 => parse_posted_comment(body).map_err(|_| PostError::Malformed),
        422 => Err(parse_field_errors(body)),
        429 => Err(PostError::TooSoon(
            retry_after.and_then(|s| s.trim().parse().ok()),
        )),
        500..=599 => Err(PostError::Server(status)),
        _ => Err(PostError::Refused(status)),
    }
}

/// `{"errors": {"email": ["…"], …}}`; unknown keys and a body that is not that shape become
/// general messages, so nothing the server said is lost.
fn parse_field_errors(body: &str) -> PostError {
    let mut fields = Vec::new();
    let mut other = Vec::new();
    let errors = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("errors").cloned());
    match errors {
        Some(Value::Object(map)) => {
            for (key, messages) in map {
                let messages: Vec<String> = match messages {
                    Value::Array(list) => list
                        .iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                    Value::String(one) => vec![one],
                    _ => Vec::new(),
                };
                for message in messages.into_iter().filter(|m| !m.trim().is_empty()) {
                    match Field::from_key(&key) {
                        Some(field) => fields.push((field, message)),
                        None => other.push(message),
                    }
                }
            }
        }
        _ => other.push("The comment was not accepted.".to_owned()),
    }
    fields.sort_by_key(|(field, _)| *field);
    PostError::Invalid { fields, other }
}

/// The unfinished comment, kept per article so that nothing typed is ever lost.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Draft {
    pub content: String,
    /// The comment being replied to: its id and author.
    pub reply_to: Option<(String, String)>,
    /// The idempotency key of this draft's post (see [`PostError::definitely_not_stored`]).
    pub key: String,
}

impl Draft {
    pub fn to_json(&self) -> String {
        json!({
            "content": self.content,
            "reply_to": self.reply_to.as_ref().map(|(id, author)| json!({"id": id, "author": author})),
            "key": self.key,
        })
        .to_string()
    }

    /// Reads a stored draft; anything unreadable is treated as no draft.
    pub fn from_json(text: &str) -> Option<Draft> {
        let value: Value = serde_json::from_str(text).ok()?;
        let get = |key: &str| text_field(&value, key);
        let reply_to = value.get("reply_to").and_then(|r| {
            Some((
                r.get("id")?.as_str()?.to_owned(),
                r.get("author")?.as_str()?.to_owned(),
            ))
        });
        Some(Draft {
            content: get("content"),
            reply_to,
            key: get("key"),
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
        let value: Value = serde_json::from_str(text).ok()?;
        let get = |key: &str| text_field(&value, key);
        Some(Identity {
            author: get("author"),
            email: get("email"),
            website: get("website"),
        })
    }
}

/// Storage keys. One draft per article; one identity for the site.
pub fn draft_storage_key(article_id: &str) -> String {
    format!("article-widget:draft:{article_id}")
}

pub const IDENTITY_STORAGE_KEY: &str = "article-widget:identity";

/// A version 4 UUID from 16 random bytes.
pub fn uuid_v4(mut bytes: [u8; 16]) -> String {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_body_follows_the_contract() {
        let comment = ValidComment {
            content: "Hello".into(),
            author: "Ann".into(),
            email: "ann@example.com".into(),
            website: None,
        };
        let body: Value =
            serde_json::from_str(&request_body(&comment, Some("7"), "", 1_737_141_180_000.0))
                .unwrap();
        assert_eq!(
            body,
            json!({"parent": "7", "author": "Ann", "email": "ann@example.com", "website": null,
                   "content": "Hello", "honeypot": "", "rendered_at": 1_737_141_180_000_i64})
        );
    }

    #[test]
    fn the_service_reads_what_the_widget_writes() {
        let comment = ValidComment {
            content: "Hello".into(),
            author: "Ann".into(),
            email: "ann@example.com".into(),
            website: Some("https://ann.example".into()),
        };
        let request =
            CommentRequest::parse(&request_body(&comment, Some("7"), "", 1_000.0)).unwrap();
        assert_eq!(request.input.author, "Ann");
        assert_eq!(request.input.website, "https://ann.example");
        assert_eq!(request.parent.as_deref(), Some("7"));
        assert_eq!(request.rendered_at, Some(1_000));
        let bare = CommentRequest::parse(r#"{"content":"x","parent":null}"#).unwrap();
        assert_eq!(
            (bare.parent, bare.rendered_at, bare.input.email.as_str()),
            (None, None, "")
        );
        assert_eq!(CommentRequest::parse("[1]"), None);
        assert_eq!(CommentRequest::parse("{nope"), None);
    }

    #[test]
    fn error_bodies_group_messages_by_field() {
        let body: Value = serde_json::from_str(&problems_body(&[
            (Field::Author, Problem::Missing),
            (Field::Email, Problem::NotAnEmail),
        ]))
        .unwrap();
        assert_eq!(body["errors"]["author"], json!(["Enter your name"]));
        assert_eq!(
            body,
            serde_json::from_str::<Value>(&field_errors_body([
                ("author", "Enter your name".to_owned()),
                ("email", Problem::NotAnEmail.message(Field::Email)),
            ]))
            .unwrap()
        );
        // What the service writes, the widget reads back onto its fields.
        assert!(
            matches!(interpret_answer(422, None, &problems_body(&[(Field::Author, Problem::Missing)])),
            Err(PostError::Invalid { fields, .. }) if fields == vec![(Field::Author, "Enter your name".to_owned())])
        );
    }

    #[test]
    fn each_answer_has_its_meaning() {
        let posted = interpret_answer(
            201,
            None,
            r#"{"comment":{"id":"1","author":"A","content":"abc","published":"2025-01-17T20:00:00Z","status":"pending"}}"#,
        );
        assert!(posted.unwrap().pending);
        assert_eq!(
            interpret_answer(201, None, "<html>"),
            Err(PostError::Malformed)
        );
        assert_eq!(
            interpret_answer(429, Some(" 30 "), ""),
            Err(PostError::TooSoon(Some(30)))
        );
        assert_eq!(
            interpret_answer(429, Some("Wed, 21 Oct 2015 07:28:00 GMT"), ""),
            Err(PostError::TooSoon(None))
        );
        assert_eq!(interpret_answer(503, None, ""), Err(PostError::Server(503)));
        assert_eq!(
            interpret_answer(403, None, ""),
            Err(PostError::Refused(403))
        );
        assert_eq!(
            interpret_answer(
                422,
                None,
                r#"{"errors":{"website":["Bad site"],"email":["Bad email","Also this"],"honeypot":["No bots"]}}"#
            ),
            Err(PostError::Invalid {
                fields: vec![
                    (Field::Email, "Bad email".into()),
                    (Field::Email, "Also this".into()),
                    (Field::Website, "Bad site".into())
                ],
                other: vec!["No bots".into()],
            })
        );
        assert_eq!(
            interpret_answer(422, None, "oops"),
            Err(PostError::Invalid {
                fields: vec![],
                other: vec!["The comment was not accepted.".into()]
            })
        );
    }

    #[test]
    fn keys_are_reused_only_while_the_outcome_is_unknown() {
        assert!(!PostError::Timeout(15).definitely_not_stored());
        assert!(!PostError::Network.definitely_not_stored());
        assert!(!PostError::Server(500).definitely_not_stored());
        assert!(!PostError::Malformed.definitely_not_stored());
        assert!(PostError::TooSoon(None).definitely_not_stored());
        assert!(PostError::Invalid {
            fields: vec![],
            other: vec![]
        }
        .definitely_not_stored());
    }

    #[test]
    fn drafts_and_identities_round_trip_and_survive_garbage() {
        let draft = Draft {
            content: "Half a thought\nand more".into(),
            reply_to: Some(("7".into(), "Ann".into())),
            key: "k".into(),
        };
        assert_eq!(Draft::from_json(&draft.to_json()), Some(draft));
        assert_eq!(Draft::from_json("{not json"), None);
        assert_eq!(Draft::from_json("{}"), Some(Draft::default()));
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
    fn uuids_are_version_4() {
        let id = uuid_v4([0xff; 16]);
        assert_eq!(id, "ffffffff-ffff-4fff-bfff-ffffffffffff");
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
    }
}
