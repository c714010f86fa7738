//! The comments API as both sides speak it (the README's contract): header names, the POST
//! body the widget writes and the service reads, the list and post answers, 422 bodies, and
//! what each answer means to the widget. Written once here for the widget, the comment
//! service and the test server, so the two sides cannot drift apart.

use serde_json::{json, Map, Value};

use super::comment::Comment;
use super::comment_rules::{CommentInput, Field, Problem, ValidComment};

/// The request header that makes a POST idempotent: one key per draft.
pub const IDEMPOTENCY_KEY_HEADER: &str = "Idempotency-Key";
/// The request header that tells the service whose browser this is, so that it shows a
/// reader their own comments while they await moderation.
pub const AUTHOR_TOKEN_HEADER: &str = "Comment-Author-Token";

/// Why a comments answer could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedAnswer;

/// `{"comments": [...]}`, the answer to `GET {url}`.
pub fn comment_list_body(comments: &[Comment]) -> String {
    json!({ "comments": comments.iter().map(Comment::to_value).collect::<Vec<_>>() }).to_string()
}

/// `{"comment": {...}}`, the answer to a successful post.
pub fn posted_comment_body(comment: &Comment) -> String {
    json!({ "comment": comment.to_value() }).to_string()
}

/// `{"comments": [...], "total": N, "next": "?…" | null}`: one page of a thread (`GET
/// {url}?per_page=N`), with how many comments the thread has in all and the address of the
/// next page (relative to this one's), `null` on the last.
pub fn comment_page_body(comments: &[Comment], total: usize, next: Option<&str>) -> String {
    json!({
        "comments": comments.iter().map(Comment::to_value).collect::<Vec<_>>(),
        "total": total,
        "next": next,
    })
    .to_string()
}

/// A list answer: a page (with `total` and `next`), or the whole thread at once, which the
/// contract allows too (neither field: the widget then pages it itself).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CommentList {
    pub comments: Vec<Comment>,
    pub total: Option<usize>,
    /// The next page's address as the server wrote it (resolve it against this page's).
    pub next: Option<String>,
}

/// Reads `{"comments": [...]}` and, if there, `total` and `next`; entries that are not
/// comments are skipped.
pub fn parse_comment_page(json: &str) -> Result<CommentList, MalformedAnswer> {
    let value: Value = super::json::parse(json).map_err(|_| MalformedAnswer)?;
    let list = value
        .get("comments")
        .and_then(Value::as_array)
        .ok_or(MalformedAnswer)?;
    Ok(CommentList {
        comments: list.iter().filter_map(Comment::from_value).collect(),
        total: value
            .get("total")
            .and_then(Value::as_u64)
            .map(|n| n as usize),
        next: value
            .get("next")
            .and_then(Value::as_str)
            .filter(|next| !next.is_empty())
            .map(str::to_owned),
    })
}

/// The comments of a list answer (see `parse_comment_page`).
pub fn parse_comment_list(json: &str) -> Result<Vec<Comment>, MalformedAnswer> {
    parse_comment_page(json).map(|page| page.comments)
}

/// Reads `{"comment": {...}}`, the answer to a successful post.
pub fn parse_posted_comment(json: &str) -> Result<Comment, MalformedAnswer> {
    let value: Value = super::json::parse(json).map_err(|_| MalformedAnswer)?;
    value
        .get("comment")
        .and_then(Comment::from_value)
        .ok_or(MalformedAnswer)
}

/// The JSON body of `POST {comments.url}`.
pub fn request_body(
    comment: &ValidComment,
    parent: Option<&str>,
    honeypot: &str,
    rendered_at_ms: f64,
    notify: bool,
) -> String {
    json!({
        "notify": notify,
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
pub(crate) fn text_field(value: &Value, key: &str) -> String {
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
    /// The commenter asks to hear of replies by email.
    pub notify: bool,
}

impl CommentRequest {
    /// Reads a body; `None` when it is not a JSON object. Missing fields read as empty, for
    /// the rules to report.
    pub fn parse(body: &str) -> Option<CommentRequest> {
        let value: Value = super::json::parse(body).ok()?;
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
            notify: object
                .get("notify")
                .and_then(Value::as_bool)
                .unwrap_or(false),
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
    /// 422: problems per field (and messages the form has no field for).
    Invalid {
        fields: Vec<(Field, Problem)>,
        other: Vec<String>,
    },
    /// The site takes comments only from readers signed in to it (WordPress's default).
    LoginRequired,
    /// Comments were closed meanwhile.
    Closed,
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
    /// 401: the publisher's sign-in token was refused (expired, forged, another site's).
    SignInRefused,
}

impl PostError {
    /// True when the server answered and stored nothing, so the next attempt is a new post
    /// and needs a new idempotency key. Otherwise the outcome is unknown and a retry must
    /// reuse the key, so that it can never post twice.
    pub fn definitely_not_stored(&self) -> bool {
        matches!(
            self,
            PostError::Invalid { .. }
                | PostError::TooSoon(_)
                | PostError::Refused(_)
                | PostError::LoginRequired
                | PostError::Closed
                | PostError::SignInRefused
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
        401 => Err(PostError::SignInRefused),
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
    let errors = super::json::parse(body)
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
                        Some(field) => fields.push((field, Problem::Server(message))),
                        None => other.push(message),
                    }
                }
            }
        }
        _ => other.push("The comment was not accepted.".to_owned()),
    }
    // In the form's order (a stable pass per field rather than a sort: one sort less in the
    // WebAssembly module).
    let fields = Field::ALL
        .iter()
        .flat_map(|wanted| fields.iter().filter(move |(field, _)| field == wanted))
        .cloned()
        .collect();
    PostError::Invalid { fields, other }
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
        let body: Value = serde_json::from_str(&request_body(
            &comment,
            Some("7"),
            "",
            1_737_141_180_000.0,
            true,
        ))
        .unwrap();
        assert_eq!(
            body,
            json!({"parent": "7", "author": "Ann", "email": "ann@example.com", "website": null,
                   "content": "Hello", "honeypot": "", "rendered_at": 1_737_141_180_000_i64,
                   "notify": true})
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
            CommentRequest::parse(&request_body(&comment, Some("7"), "", 1_000.0, true)).unwrap();
        assert!(request.notify);
        assert_eq!(request.input.author, "Ann");
        assert_eq!(request.input.website, "https://ann.example");
        assert_eq!(request.parent.as_deref(), Some("7"));
        assert_eq!(request.rendered_at, Some(1_000));
        let bare = CommentRequest::parse(r#"{"content":"x","parent":null}"#).unwrap();
        assert_eq!(
            (
                bare.parent,
                bare.rendered_at,
                bare.input.email.as_str(),
                bare.notify
            ),
            (None, None, "", false)
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
            Err(PostError::Invalid { fields, .. }) if fields == vec![(Field::Author, Problem::Server("Enter your name".to_owned()))])
        );
    }

    #[test]
    fn each_answer_has_its_meaning() {
        let posted = interpret_answer(
            201,
            None,
            r#"{"comment":{"id":"1","author":"A","content":"abc","published":"2025-01-17T20:00:00Z","status":"pending"}}"#,
        );
        assert!(posted.unwrap().is_pending());
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
        let refused = interpret_answer(401, None, r#"{"error":"Your sign-in has expired."}"#);
        assert_eq!(refused, Err(PostError::SignInRefused));
        assert!(PostError::SignInRefused.definitely_not_stored());
        assert_eq!(
            interpret_answer(
                422,
                None,
                r#"{"errors":{"website":["Bad site"],"email":["Bad email","Also this"],"honeypot":["No bots"]}}"#
            ),
            Err(PostError::Invalid {
                fields: vec![
                    (Field::Email, Problem::Server("Bad email".into())),
                    (Field::Email, Problem::Server("Also this".into())),
                    (Field::Website, Problem::Server("Bad site".into()))
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
    fn the_api_list_is_read_leniently() {
        let list = parse_comment_list(
            r#"{"comments":[
                {"id":"1","parent":null,"author":"Ann","website":"https://ann.example","content":"Hi\nthere","published":"2025-01-17T20:00:00Z","status":"approved"},
                {"id":2,"parent":1,"author":"Bob","website":"javascript:alert(1)","content":"<b>x</b>","published":"2025-01-17T20:05:00Z","status":"pending"},
                {"id":"3","content":"no date"},
                "garbage",
                {"id":"4","author":"","content":"c","published":"2025-01-17T20:06:00Z","website":"mailto:a@b.co"}
            ]}"#,
        )
        .unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(list[0].website.as_deref(), Some("https://ann.example"));
        assert_eq!(list[0].content, "Hi\nthere");
        assert!(!list[0].is_pending());
        assert_eq!(
            (
                list[1].id.as_str(),
                list[1].parent.as_deref(),
                list[1].is_pending()
            ),
            ("2", Some("1"), true)
        );
        assert_eq!(list[1].website, None, "only http(s) websites");
        assert_eq!(
            list[1].content, "<b>x</b>",
            "kept as text; the renderer never parses it"
        );
        assert_eq!(list[2].author, "", "no author: the view names it");
        assert_eq!(list[2].website, None);
        assert_eq!(parse_comment_list("not json"), Err(MalformedAnswer));
        assert_eq!(parse_comment_list(r#"{"items":[]}"#), Err(MalformedAnswer));
        assert!(parse_posted_comment(r#"{"comment":{"id":"9","author":"A","content":"abc","published":"2025-01-17T20:00:00Z","status":"pending"}}"#).unwrap().is_pending());
        assert_eq!(
            parse_posted_comment(r#"{"comment":{}}"#),
            Err(MalformedAnswer)
        );
    }
}
