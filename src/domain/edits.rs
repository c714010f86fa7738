//! Editing and deleting one's own comment as the widget speaks it to the comment service
//! (issue 20): where a change goes, what it says, and what the answer means. Nothing here
//! decides whether a change is allowed: the service does (its author token, its window);
//! the widget offers one only where the service said until when (`Edits::editable_until`).

use serde_json::Value;

use super::comment::Comment;
use super::likes::like_url;

/// What the author asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    Edit,
    Delete,
}

/// `{comments url}/{id}/edit` or `…/delete`: the comments endpoint without its query, the id
/// percent-encoded as a like's is.
pub fn change_url(comments_url: &str, comment_id: &str, kind: ChangeKind) -> String {
    let like = like_url(comments_url, comment_id);
    let base = like.strip_suffix("likes").unwrap_or(&like);
    match kind {
        ChangeKind::Edit => format!("{base}edit"),
        ChangeKind::Delete => format!("{base}delete"),
    }
}

/// An edit's body: `{"content": "…"}` (JSON-escaped).
pub fn edit_body(content: &str) -> String {
    serde_json::json!({ "content": content }).to_string()
}

/// A deletion's body.
pub const DELETE_BODY: &str = "{}";

/// Why a change was not made. The text typed stays in the field whatever the reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeFailure {
    /// No answer (network, time limit) or a failure of the service's own: try again.
    NotSaved,
    /// The service's window for changes has closed.
    WindowOver,
    /// Someone else's comment (another browser's, say).
    NotYours,
    /// Deleted meanwhile.
    Gone,
    /// The text was refused by the posting rules: the service's words, shown as they came.
    Refused(String),
}

/// What a deletion left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deletion {
    /// "This comment was deleted." stands in its place, for its replies.
    Tombstone,
    /// Gone from the thread.
    Removed,
}

/// The service's answer to an edit: the comment as it now is, or why not.
pub fn read_edit_answer(status: u16, body: &str) -> Result<Comment, ChangeFailure> {
    if status == 200 {
        return super::wire::parse_posted_comment(body).map_err(|_| ChangeFailure::NotSaved);
    }
    Err(read_refusal(status, body))
}

/// The service's answer to a deletion.
pub fn read_delete_answer(status: u16, body: &str) -> Result<Deletion, ChangeFailure> {
    if status != 200 {
        return Err(read_refusal(status, body));
    }
    let value: Value = super::json::parse(body).map_err(|_| ChangeFailure::NotSaved)?;
    match value.get("deleted").and_then(Value::as_str) {
        Some("tombstone") => Ok(Deletion::Tombstone),
        Some("removed") => Ok(Deletion::Removed),
        _ => Err(ChangeFailure::NotSaved),
    }
}

fn read_refusal(status: u16, body: &str) -> ChangeFailure {
    let value: Option<Value> = super::json::parse(body).ok();
    let reason = value
        .as_ref()
        .and_then(|v| v.get("reason"))
        .and_then(Value::as_str);
    match (status, reason) {
        (403, Some("window_over")) => ChangeFailure::WindowOver,
        (403, Some("not_yours")) | (401, _) => ChangeFailure::NotYours,
        (404, _) => ChangeFailure::Gone,
        (422, _) | (403, _) | (413, _) | (429, _) => {
            ChangeFailure::Refused(service_words(value.as_ref()).unwrap_or_default())
        }
        _ => ChangeFailure::NotSaved,
    }
    .or_not_saved()
}

impl ChangeFailure {
    /// A refusal without words says what a failure says.
    fn or_not_saved(self) -> ChangeFailure {
        match self {
            ChangeFailure::Refused(words) if words.trim().is_empty() => ChangeFailure::NotSaved,
            other => other,
        }
    }
}

/// The service's words: `{"error": "…"}`, or a 422's `{"errors": {"content": ["…"]}}`.
fn service_words(value: Option<&Value>) -> Option<String> {
    let value = value?;
    if let Some(error) = value.get("error").and_then(Value::as_str) {
        return Some(error.to_owned());
    }
    let errors = value.get("errors")?.as_object()?;
    let words: Vec<&str> = errors
        .values()
        .flat_map(|messages| match messages {
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            Value::String(one) => vec![one.as_str()],
            _ => Vec::new(),
        })
        .collect();
    Some(words.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_go_to_their_comment() {
        assert_eq!(
            change_url(
                "https://c.example/api/articles/a/comments?per_page=50",
                "3f2a",
                ChangeKind::Edit
            ),
            "https://c.example/api/articles/a/comments/3f2a/edit"
        );
        assert_eq!(
            change_url("/comments/", "a/../b", ChangeKind::Delete),
            "/comments/a%2F%2E%2E%2Fb/delete"
        );
        assert_eq!(edit_body("say \"hi\"\n"), r#"{"content":"say \"hi\"\n"}"#);
    }

    #[test]
    fn answers_mean_what_the_service_says() {
        let comment = read_edit_answer(
            200,
            r#"{"comment":{"id":"9","author":"A","content":"new","published":"2025-01-17T20:00:00Z","status":"approved","edited":"2025-01-17T20:05:00Z"}}"#,
        )
        .unwrap();
        assert_eq!(comment.content, "new");
        assert!(comment.edits.edited.is_some());
        assert_eq!(
            read_edit_answer(403, r#"{"error":"…","reason":"window_over"}"#),
            Err(ChangeFailure::WindowOver)
        );
        assert_eq!(
            read_edit_answer(403, r#"{"error":"…","reason":"not_yours"}"#),
            Err(ChangeFailure::NotYours)
        );
        assert_eq!(read_edit_answer(404, "{}"), Err(ChangeFailure::Gone));
        assert_eq!(
            read_edit_answer(
                422,
                r#"{"errors":{"content":["Your comment must be at least 3 characters"]}}"#
            ),
            Err(ChangeFailure::Refused(
                "Your comment must be at least 3 characters".into()
            ))
        );
        assert_eq!(read_edit_answer(503, "down"), Err(ChangeFailure::NotSaved));
        assert_eq!(read_edit_answer(200, "{}"), Err(ChangeFailure::NotSaved));
        assert_eq!(read_edit_answer(429, "{}"), Err(ChangeFailure::NotSaved));
        assert_eq!(
            read_delete_answer(200, r#"{"deleted":"tombstone"}"#),
            Ok(Deletion::Tombstone)
        );
        assert_eq!(
            read_delete_answer(200, r#"{"deleted":"removed"}"#),
            Ok(Deletion::Removed)
        );
        assert_eq!(
            read_delete_answer(200, r#"{"deleted":"maybe"}"#),
            Err(ChangeFailure::NotSaved)
        );
    }
}
