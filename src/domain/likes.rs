//! Likes as the widget speaks them to the comment service (issue 20): where a comment's like
//! goes, what it says, what the answer means, and what a press shows before the answer
//! (optimistic; the caller puts the state before the press back when the request fails).

use serde_json::Value;

use super::comment::Likes;

/// `{comments url}/{id}/likes`: the comments endpoint without its query, the id
/// percent-encoded (ids are the server's, but nothing from the network goes into a path
/// as it is).
pub fn like_url(comments_url: &str, comment_id: &str) -> String {
    let base = comments_url
        .split(['?', '#'])
        .next()
        .unwrap_or_default()
        .trim_end_matches('/');
    let mut id = String::with_capacity(comment_id.len());
    for byte in comment_id.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_') {
            id.push(byte as char);
        } else {
            id.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("{base}/{id}/likes")
}

/// The body that asks for a like (`true`) or its undo: the state wanted, so a retry is safe.
pub fn like_body(liked: bool) -> String {
    format!("{{\"liked\":{liked}}}")
}

/// A press: liked becomes not liked and back, the count with it (never below zero).
pub fn pressed(before: Likes) -> Likes {
    let liked = !before.liked;
    Likes {
        count: if liked {
            before.count.saturating_add(1)
        } else {
            before.count.saturating_sub(1)
        },
        liked,
        ..before
    }
}

/// The service's answer to a like: the count and the reader's state after it, or `None`
/// when it was refused or unreadable (the caller shows the state before the press again).
pub fn read_like_answer(status: u16, body: &str, before: Likes) -> Option<Likes> {
    if status != 200 {
        return None;
    }
    let value: Value = super::json::parse(body).ok()?;
    Some(Likes {
        count: u32::try_from(value.get("likes")?.as_u64()?).ok()?,
        liked: value.get("liked")?.as_bool()?,
        ..before
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_like_goes_to_its_comment_and_says_what_is_wanted() {
        assert_eq!(
            like_url(
                "https://c.example/api/articles/a/comments?per_page=50#x",
                "3f2a"
            ),
            "https://c.example/api/articles/a/comments/3f2a/likes"
        );
        assert_eq!(
            like_url("/comments/", "a/../b"),
            "/comments/a%2F%2E%2E%2Fb/likes"
        );
        assert_eq!(like_body(true), r#"{"liked":true}"#);
        assert_eq!(like_body(false), r#"{"liked":false}"#);
    }

    #[test]
    fn a_press_toggles_and_the_answer_is_believed_only_when_it_is_one() {
        let none = Likes::default();
        let liked = pressed(none);
        assert_eq!((liked.count, liked.liked), (1, true));
        assert_eq!(pressed(liked), none);
        assert_eq!(
            pressed(Likes {
                count: 0,
                liked: true,
                mine: false
            })
            .count,
            0,
            "never below zero"
        );
        let answer = read_like_answer(200, r#"{"likes": 7, "liked": false}"#, liked);
        assert_eq!(
            answer,
            Some(Likes {
                count: 7,
                liked: false,
                mine: false
            })
        );
        assert_eq!(
            read_like_answer(429, r#"{"likes": 7, "liked": true}"#, liked),
            None
        );
        assert_eq!(
            read_like_answer(200, r#"{"likes": -1, "liked": true}"#, liked),
            None
        );
        assert_eq!(read_like_answer(200, "<html>", liked), None);
    }
}
