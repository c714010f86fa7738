//! Comments as the API returns them, and the thread a reader sees: oldest first, replies
//! nested under their parent, three levels at most.

use serde_json::Value;

use super::date::Timestamp;
use super::url::{safe_url, UrlUse};

/// How deep replies nest; a reply to a comment at this depth is shown at this depth.
pub const MAX_DEPTH: usize = 3;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub id: String,
    pub parent: Option<String>,
    pub author: String,
    /// Only http(s) URLs survive.
    pub website: Option<String>,
    pub content: String,
    pub published: Timestamp,
    pub pending: bool,
}

impl Comment {
    /// One comment object from the API; `None` when it lacks what a comment needs.
    pub fn from_value(value: &Value) -> Option<Comment> {
        let object = value.as_object()?;
        let text = |key: &str| {
            object
                .get(key)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let id = match object.get("id")? {
            Value::String(id) if !id.is_empty() => id.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        let parent = match object.get("parent") {
            Some(Value::String(p)) if !p.is_empty() => Some(p.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let website = text("website")
            .and_then(|w| safe_url(w, UrlUse::Link))
            .filter(|w| {
                w.to_ascii_lowercase().starts_with("http://")
                    || w.to_ascii_lowercase().starts_with("https://")
            });
        Some(Comment {
            id,
            parent,
            // Empty when the server sent none: the view says "Anonymous" in the reader's language.
            author: text("author").unwrap_or_default().to_owned(),
            website,
            content: object.get("content").and_then(Value::as_str)?.to_owned(),
            published: Timestamp::parse(text("published")?).ok()?,
            pending: text("status") == Some("pending"),
        })
    }
}

/// Why a comments answer could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MalformedAnswer;

/// Reads `{"comments": [...]}`; entries that are not comments are skipped.
pub fn parse_comment_list(json: &str) -> Result<Vec<Comment>, MalformedAnswer> {
    let value: Value = serde_json::from_str(json).map_err(|_| MalformedAnswer)?;
    let list = value
        .get("comments")
        .and_then(Value::as_array)
        .ok_or(MalformedAnswer)?;
    Ok(list.iter().filter_map(Comment::from_value).collect())
}

/// Reads `{"comment": {...}}`, the answer to a successful post.
pub fn parse_posted_comment(json: &str) -> Result<Comment, MalformedAnswer> {
    let value: Value = serde_json::from_str(json).map_err(|_| MalformedAnswer)?;
    value
        .get("comment")
        .and_then(Comment::from_value)
        .ok_or(MalformedAnswer)
}

/// One comment in reading order, with its indentation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThreadEntry {
    pub comment: Comment,
    /// 1 for a top-level comment, at most [`MAX_DEPTH`].
    pub depth: usize,
    /// The author it replies to, when it is a reply.
    pub replying_to: Option<String>,
}

/// Orders comments for reading: each top-level comment (oldest first) followed by its
/// replies, depth first, each level oldest first. Replies to unknown parents are shown at the
/// top level; duplicates (same id) are shown once.
pub fn build_thread(comments: &[Comment]) -> Vec<ThreadEntry> {
    let mut sorted: Vec<&Comment> = Vec::new();
    for comment in comments {
        if !sorted.iter().any(|c| c.id == comment.id) {
            sorted.push(comment);
        }
    }
    sorted.sort_by(|a, b| a.published.cmp(&b.published).then_with(|| a.id.cmp(&b.id)));
    let known = |id: &str| sorted.iter().any(|c| c.id == id);
    let mut entries = Vec::with_capacity(sorted.len());
    let roots: Vec<&Comment> = sorted
        .iter()
        .copied()
        .filter(|c| c.parent.as_deref().is_none_or(|p| !known(p) || p == c.id))
        .collect();
    for root in roots {
        push_with_replies(root, 1, None, &sorted, &mut entries);
    }
    entries
}

fn push_with_replies(
    comment: &Comment,
    depth: usize,
    replying_to: Option<&str>,
    all: &[&Comment],
    out: &mut Vec<ThreadEntry>,
) {
    // A cycle in hostile data (a → b → a) must not recurse forever.
    if out.iter().any(|e| e.comment.id == comment.id) {
        return;
    }
    out.push(ThreadEntry {
        comment: comment.clone(),
        depth: depth.min(MAX_DEPTH),
        replying_to: replying_to.map(str::to_owned),
    });
    for reply in all
        .iter()
        .filter(|c| c.parent.as_deref() == Some(comment.id.as_str()) && c.id != comment.id)
    {
        push_with_replies(reply, depth + 1, Some(&comment.author), all, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: &str, parent: Option<&str>, minute: u32) -> Comment {
        Comment {
            id: id.into(),
            parent: parent.map(Into::into),
            author: format!("author-{id}"),
            website: None,
            content: format!("text {id}"),
            published: Timestamp::parse(&format!("2025-01-17T20:{minute:02}:00Z")).unwrap(),
            pending: false,
        }
    }

    fn order(entries: &[ThreadEntry]) -> Vec<(&str, usize)> {
        entries
            .iter()
            .map(|e| (e.comment.id.as_str(), e.depth))
            .collect()
    }

    #[test]
    fn oldest_first_with_replies_under_their_parent() {
        let comments = vec![
            comment("c", None, 30),
            comment("a", None, 10),
            comment("a2", Some("a"), 40),
            comment("a1", Some("a"), 20),
            comment("a1x", Some("a1"), 25),
        ];
        let thread = build_thread(&comments);
        assert_eq!(
            order(&thread),
            [("a", 1), ("a1", 2), ("a1x", 3), ("a2", 2), ("c", 1)]
        );
        assert_eq!(thread[1].replying_to.as_deref(), Some("author-a"));
        assert_eq!(thread[0].replying_to, None);
    }

    #[test]
    fn deeper_replies_attach_to_the_third_level() {
        let comments = vec![
            comment("1", None, 1),
            comment("2", Some("1"), 2),
            comment("3", Some("2"), 3),
            comment("4", Some("3"), 4),
            comment("5", Some("4"), 5),
        ];
        assert_eq!(
            order(&build_thread(&comments)),
            [("1", 1), ("2", 2), ("3", 3), ("4", 3), ("5", 3)]
        );
    }

    #[test]
    fn orphans_cycles_and_duplicates_are_shown_once() {
        let comments = vec![
            comment("o", Some("missing"), 1),
            comment("x", Some("y"), 2),
            comment("y", Some("x"), 3),
            comment("s", Some("s"), 4),
            comment("o", None, 9),
        ];
        let thread = build_thread(&comments);
        assert_eq!(
            order(&thread),
            [("o", 1), ("s", 1)],
            "a pure cycle has no root, so it is not shown"
        );
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
        assert!(!list[0].pending);
        assert_eq!(
            (
                list[1].id.as_str(),
                list[1].parent.as_deref(),
                list[1].pending
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
        assert!(parse_posted_comment(r#"{"comment":{"id":"9","author":"A","content":"abc","published":"2025-01-17T20:00:00Z","status":"pending"}}"#).unwrap().pending);
        assert_eq!(
            parse_posted_comment(r#"{"comment":{}}"#),
            Err(MalformedAnswer)
        );
    }
}
