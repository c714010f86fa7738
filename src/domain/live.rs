//! Live updates (issue 20) as the widget reads them: where the service's event stream is,
//! what each event means, and what "N new comments" counts. Pure, so tested natively; the
//! browser's `EventSource` is in `components/comments/live.rs`.

use serde_json::Value;

use super::comment::Comment;
use super::wire::parse_posted_comment;

/// What an event of the stream tells.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveUpdate {
    /// A comment became public (new, or approved by a moderator).
    Approved(Comment),
    /// A public comment's text changed.
    Edited(Comment),
    /// A comment is no longer public.
    Deleted(String),
    /// A comment's like count.
    Likes(String, u32),
    /// Changes may have been missed: read the first page again.
    Resync,
}

/// The event stream of a comments URL of our service (`…/articles/{id}/comments`, its query
/// dropped): `…/articles/{id}/events`. `None` for any other URL.
pub fn events_url(comments_url: &str) -> Option<String> {
    let path = comments_url.split(['?', '#']).next().unwrap_or_default();
    path.strip_suffix("/comments")
        .filter(|base| base.contains("/articles/"))
        .map(|base| format!("{base}/events"))
}

/// The stream's address for a widget that opens it again (after a hidden tab): the last
/// event's id as a parameter (a new `EventSource` cannot send `Last-Event-ID` itself). Only
/// the characters the service's ids have are kept.
pub fn resume_url(events_url: &str, last_event_id: Option<&str>) -> String {
    let id: String = last_event_id
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(40)
        .collect();
    if id.is_empty() {
        events_url.to_owned()
    } else {
        format!("{events_url}?last_event_id={id}")
    }
}

/// An event by its name and data; `None` for one this widget does not know (or unreadable).
pub fn parse_live_event(kind: &str, data: &str) -> Option<LiveUpdate> {
    let id_and = |data: &str| -> Option<(String, Value)> {
        let value = super::json::parse(data).ok()?;
        let id = value.get("id")?.as_str()?.to_owned();
        Some((id, value))
    };
    match kind {
        "approved" => parse_posted_comment(data).ok().map(LiveUpdate::Approved),
        "edited" => parse_posted_comment(data).ok().map(LiveUpdate::Edited),
        "deleted" => id_and(data).map(|(id, _)| LiveUpdate::Deleted(id)),
        "likes" => id_and(data).and_then(|(id, value)| {
            let count = value.get("count")?.as_u64()?;
            Some(LiveUpdate::Likes(id, count.min(u64::from(u32::MAX)) as u32))
        }),
        "resync" => Some(LiveUpdate::Resync),
        _ => None,
    }
}

/// The comments that arrived and are not shown yet, apart from the reader's own (shown
/// already, as posted): how many "N new comments. Show" says.
pub fn new_comment_count(arrived: &[Comment], posted: &[Comment]) -> usize {
    arrived
        .iter()
        .filter(|comment| !posted.iter().any(|mine| mine.id == comment.id))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENT: &str = r#"{"comment": {"id": "c1", "parent": null, "author": "Ann",
        "website": null, "content": "Hello.", "published": "2026-12-08T03:45:36.547Z",
        "status": "approved", "likes": 2}}"#;

    #[test]
    fn the_stream_sits_beside_the_comments() {
        assert_eq!(
            events_url("https://c.example/api/articles/a-1/comments?per_page=20").as_deref(),
            Some("https://c.example/api/articles/a-1/events")
        );
        assert_eq!(
            events_url("https://blog.example/wp-json/wp/v2/comments?post=3"),
            None
        );
        assert_eq!(
            resume_url("/api/articles/a/events", Some("0a1b2c3d-17")),
            "/api/articles/a/events?last_event_id=0a1b2c3d-17"
        );
        assert_eq!(
            resume_url("/e", Some("x&y=<1>")),
            "/e?last_event_id=xy1",
            "nothing but the id's characters"
        );
        assert_eq!(resume_url("/e", None), "/e");
    }

    #[test]
    fn each_event_is_read() {
        let Some(LiveUpdate::Approved(comment)) = parse_live_event("approved", COMMENT) else {
            panic!("an approved comment");
        };
        assert_eq!((comment.id.as_str(), comment.likes.count), ("c1", 2));
        assert!(matches!(
            parse_live_event("edited", COMMENT),
            Some(LiveUpdate::Edited(_))
        ));
        assert_eq!(
            parse_live_event("deleted", r#"{"id": "c1"}"#),
            Some(LiveUpdate::Deleted("c1".into()))
        );
        assert_eq!(
            parse_live_event("likes", r#"{"id": "c1", "count": 7}"#),
            Some(LiveUpdate::Likes("c1".into(), 7))
        );
        assert_eq!(parse_live_event("resync", "{}"), Some(LiveUpdate::Resync));
        assert_eq!(parse_live_event("ready", "{}"), None);
        assert_eq!(parse_live_event("approved", "not json"), None);
        assert_eq!(parse_live_event("likes", r#"{"id": "c1"}"#), None);
    }

    #[test]
    fn the_readers_own_comments_are_not_new() {
        let Some(LiveUpdate::Approved(comment)) = parse_live_event("approved", COMMENT) else {
            panic!("an approved comment");
        };
        let mut other = comment.clone();
        other.id = "c2".into();
        let arrived = vec![comment.clone(), other];
        assert_eq!(new_comment_count(&arrived, &[]), 2);
        assert_eq!(new_comment_count(&arrived, &[comment]), 1);
    }
}
