//! A comment as readers see it, and its public JSON shape: the one shape the widget reads and
//! the comment service (and the test server built on it) writes. Never the email, the client
//! address or the author token: those are not part of a public comment.

use serde_json::{json, Value};

use super::date::Timestamp;
use super::url::{is_external, safe_url, UrlUse};

/// Whether a comment is public yet. The API shows only these two: a held comment only to
/// the browser that wrote it. (What moderators do beyond that is the service's business.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CommentStatus {
    #[default]
    Approved,
    /// Awaiting moderation.
    Pending,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Approved => "approved",
            CommentStatus::Pending => "pending",
        }
    }

    /// Reads the `status` field leniently: anything but `"pending"` is a public comment, as
    /// the contract has only the two.
    pub fn from_wire(value: Option<&str>) -> CommentStatus {
        match value {
            Some("pending") => CommentStatus::Pending,
            _ => CommentStatus::Approved,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comment {
    pub id: String,
    pub parent: Option<String>,
    /// Empty when the server sent none: the view says "Anonymous" in the reader's language.
    pub author: String,
    /// Only http(s) URLs survive.
    pub website: Option<String>,
    /// Plain text; line breaks kept. Never parsed as HTML.
    pub content: String,
    pub published: Timestamp,
    pub status: CommentStatus,
    pub likes: Likes,
    /// Pinned by a moderator, and the badges its writer earned (issue 20).
    pub marks: Marks,
    /// Edited or deleted by its author, and until when this reader may still do either.
    pub edits: Edits,
}

/// What a comment's author did to it after posting (issue 20): when they last changed its
/// text, whether they deleted it (a tombstone kept for its replies: no author, no text), and,
/// on the reader's own comment only, until when the service lets them edit or delete it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Edits {
    pub edited: Option<Timestamp>,
    pub deleted: bool,
    pub editable_until: Option<Timestamp>,
}

/// What the service says of a comment beyond its text (issue 20): whether a moderator pinned
/// it (its thread is shown first), and the badges it was stored with.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Marks {
    pub pinned: bool,
    pub badges: Badges,
}

/// A comment's badges, decided by the service when it stored the comment (never by what the
/// comment's body says): written by one of the site's moderators, or by the article's author
/// (as WordPress marks `bypostauthor`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Badges {
    pub moderator: bool,
    pub author: bool,
}

impl Badges {
    /// The badges' words, in the order they are shown: `moderator`, then `author`.
    pub fn words(self) -> impl Iterator<Item = &'static str> {
        [("moderator", self.moderator), ("author", self.author)]
            .into_iter()
            .filter_map(|(word, set)| set.then_some(word))
    }

    /// Reads words as `words` writes them (separated by spaces, or a JSON list's strings);
    /// unknown words are ignored.
    pub fn from_words<'a>(words: impl IntoIterator<Item = &'a str>) -> Badges {
        let mut badges = Badges::default();
        for word in words {
            match word.trim() {
                "moderator" => badges.moderator = true,
                "author" => badges.author = true,
                _ => {}
            }
        }
        badges
    }
}

/// A comment's likes as one reader sees them: how many, whether this reader likes it, and
/// whether they wrote it (then they cannot like it). `liked` and `mine` come only in a list
/// asked for with the reader's author token (a private answer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Likes {
    pub count: u32,
    pub liked: bool,
    pub mine: bool,
}

/// A commenter's website as a comment may link it: a URL that passed [`safe_url`] and leads
/// off the site (http, https or protocol-relative; [`is_external`]), else none. The one rule
/// for every source of comments.
pub fn website(raw: &str) -> Option<String> {
    safe_url(raw, UrlUse::Link).filter(|url| is_external(url))
}

impl Comment {
    pub fn is_pending(&self) -> bool {
        self.status == CommentStatus::Pending
    }

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
        let website = text("website").and_then(website);
        Some(Comment {
            id,
            parent,
            author: text("author").unwrap_or_default().to_owned(),
            website,
            content: object.get("content").and_then(Value::as_str)?.to_owned(),
            published: Timestamp::parse(text("published")?).ok()?,
            status: CommentStatus::from_wire(text("status")),
            likes: Likes {
                count: object
                    .get("likes")
                    .and_then(Value::as_u64)
                    .map_or(0, |n| n.min(u64::from(u32::MAX)) as u32),
                liked: object.get("liked") == Some(&Value::Bool(true)),
                mine: object.get("mine") == Some(&Value::Bool(true)),
            },
            marks: Marks {
                pinned: object.get("pinned") == Some(&Value::Bool(true)),
                badges: Badges::from_words(
                    object
                        .get("badges")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str),
                ),
            },
            edits: Edits {
                edited: text("edited").and_then(|at| Timestamp::parse(at).ok()),
                deleted: object.get("deleted") == Some(&Value::Bool(true)),
                editable_until: text("editable_until").and_then(|at| Timestamp::parse(at).ok()),
            },
        })
    }

    /// The public JSON object, as the contract in the README gives it.
    pub fn to_value(&self) -> Value {
        let mut value = json!({
            "id": self.id,
            "parent": self.parent,
            "author": self.author,
            "website": self.website,
            "content": self.content,
            "published": self.published.to_rfc3339(),
            "status": self.status.as_str(),
            "likes": self.likes.count,
        });
        // The reader's own marks, only when true (a public list has neither); so is
        // `pinned`.
        for (name, set) in [
            ("liked", self.likes.liked),
            ("mine", self.likes.mine),
            ("pinned", self.marks.pinned),
        ] {
            if let (true, Some(object)) = (set, value.as_object_mut()) {
                object.insert(name.to_owned(), Value::Bool(true));
            }
        }
        let badges: Vec<&str> = self.marks.badges.words().collect();
        if let (false, Some(object)) = (badges.is_empty(), value.as_object_mut()) {
            object.insert("badges".to_owned(), json!(badges));
        }
        // The author's edit, deletion and window, only when there is one.
        if let Some(object) = value.as_object_mut() {
            let edits = &self.edits;
            for (name, at) in [
                ("edited", edits.edited),
                ("editable_until", edits.editable_until),
            ] {
                if let Some(at) = at {
                    object.insert(name.to_owned(), Value::String(at.to_rfc3339()));
                }
            }
            if edits.deleted {
                object.insert("deleted".to_owned(), Value::Bool(true));
            }
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_shape_round_trips_and_carries_nothing_private() {
        let comment = Comment {
            id: "a1".into(),
            parent: Some("a0".into()),
            author: "Ann".into(),
            website: Some("https://ann.example/".into()),
            content: "Two\nlines".into(),
            published: Timestamp::parse("2025-01-17T20:00:00Z").unwrap(),
            status: CommentStatus::Pending,
            likes: Likes {
                count: 3,
                liked: false,
                mine: true,
            },
            marks: Marks {
                pinned: true,
                badges: Badges {
                    moderator: true,
                    author: false,
                },
            },
            edits: Default::default(),
        };
        let value = comment.to_value();
        assert_eq!(
            value.as_object().unwrap().keys().collect::<Vec<_>>(),
            [
                "id",
                "parent",
                "author",
                "website",
                "content",
                "published",
                "status",
                "likes",
                "mine",
                "pinned",
                "badges"
            ],
            "the contract's fields, in the README's order, and nothing else"
        );
        assert_eq!(value["status"], "pending");
        assert_eq!(value["badges"], json!(["moderator"]));
        assert_eq!(Comment::from_value(&value), Some(comment));
    }

    #[test]
    fn statuses_other_than_pending_read_as_public() {
        assert_eq!(
            CommentStatus::from_wire(Some("pending")),
            CommentStatus::Pending
        );
        assert_eq!(
            CommentStatus::from_wire(Some("approved")),
            CommentStatus::Approved
        );
        assert_eq!(CommentStatus::from_wire(None), CommentStatus::Approved);
    }

    #[test]
    fn an_edit_a_deletion_and_the_window_round_trip() {
        let at = |text| Some(Timestamp::parse(text).unwrap());
        let edited = Comment {
            id: "a1".into(),
            parent: None,
            author: "Ann".into(),
            website: None,
            content: "Changed".into(),
            published: Timestamp::parse("2025-01-17T20:00:00Z").unwrap(),
            status: CommentStatus::Approved,
            likes: Default::default(),
            marks: Default::default(),
            edits: Edits {
                edited: at("2025-01-17T20:05:00Z"),
                deleted: false,
                editable_until: at("2025-01-17T20:15:00Z"),
            },
        };
        let value = edited.to_value();
        assert_eq!(value["edited"], "2025-01-17T20:05:00Z");
        assert_eq!(value["editable_until"], "2025-01-17T20:15:00Z");
        assert!(
            value.get("deleted").is_none(),
            "only a tombstone says deleted"
        );
        assert_eq!(Comment::from_value(&value), Some(edited.clone()));
        let tombstone = Comment {
            author: String::new(),
            content: String::new(),
            edits: Edits {
                deleted: true,
                ..Default::default()
            },
            ..edited
        };
        assert_eq!(tombstone.to_value()["deleted"], true);
        assert_eq!(Comment::from_value(&tombstone.to_value()), Some(tombstone));
    }
}
