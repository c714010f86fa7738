//! Long threads in pages, as WordPress pages them: by top-level comment ("thread"), each with
//! all its replies, `PER_PAGE` threads at a time. A server that pages (`GET
//! {url}?per_page=N&order=…` answered with `next`) is read page by page; one that answers
//! the whole thread at once (the contract allows it) is paged here, in the widget.

use super::comment::Comment;
use super::thread::{ThreadEntry, ThreadOrder};

/// Threads per page: WordPress's default "comments per page".
pub const PER_PAGE: usize = 50;

/// The first page's address: the comments URL with `per_page` and `order` added (a server
/// that does not page ignores them and answers the whole thread).
pub fn first_page(url: &str, order: ThreadOrder) -> String {
    let (base, fragment) = match url.split_once('#') {
        Some((base, fragment)) => (base, Some(fragment)),
        None => (url, None),
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    let mut out = format!(
        "{base}{separator}per_page={PER_PAGE}&order={}",
        order.as_str()
    );
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Adds a page's comments to those loaded, each once (a comment can be on two pages when
/// the thread changed between them, or be one the reader just posted).
pub fn merge(loaded: &mut Vec<Comment>, page: Vec<Comment>) {
    for comment in page {
        if !loaded.iter().any(|known| known.id == comment.id) {
            loaded.push(comment);
        }
    }
}

/// How many threads (top-level comments) a built thread has.
pub fn thread_count<T: AsRef<ThreadEntry>>(entries: &[T]) -> usize {
    entries.iter().filter(|e| e.as_ref().depth == 1).count()
}

/// The first `threads` threads, each with all its replies.
pub fn first_threads(entries: &[ThreadEntry], threads: usize) -> &[ThreadEntry] {
    &entries[..first_threads_len(entries, threads)]
}

/// How many entries the first `threads` threads take (entries may be held by `Rc`).
pub fn first_threads_len<T: AsRef<ThreadEntry>>(entries: &[T], threads: usize) -> usize {
    let mut seen = 0;
    entries
        .iter()
        .position(|entry| {
            if entry.as_ref().depth == 1 {
                seen += 1;
            }
            seen > threads
        })
        .unwrap_or(entries.len())
}

/// The comment a page address points to: `#comment-<id>` (what the comment service's
/// redirect after a post, and a shared link, carry).
pub fn linked_comment(hash: &str) -> Option<&str> {
    hash.strip_prefix('#')
        .unwrap_or(hash)
        .strip_prefix("comment-")
        .filter(|id| !id.is_empty())
}

/// Where a linked comment is: in the threads shown (`Shown`), among those loaded but not yet
/// shown (show this many threads to reach it), or not loaded yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Shown,
    Hidden { threads: usize },
    NotLoaded,
}

pub fn place<T: AsRef<ThreadEntry>>(entries: &[T], shown_threads: usize, id: &str) -> Place {
    let mut threads = 0;
    for entry in entries {
        let entry = entry.as_ref();
        if entry.depth == 1 {
            threads += 1;
        }
        if entry.comment.id == id {
            return if threads <= shown_threads {
                Place::Shown
            } else {
                Place::Hidden { threads }
            };
        }
    }
    Place::NotLoaded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::thread::build_thread;
    use crate::domain::thread::tests::comment;

    #[test]
    fn the_first_page_asks_a_paging_server_and_leaves_the_rest_of_the_url() {
        assert_eq!(
            first_page("https://c.example/api/a/comments", ThreadOrder::OldestFirst),
            "https://c.example/api/a/comments?per_page=50&order=oldest"
        );
        assert_eq!(
            first_page("/comments?site=1#x", ThreadOrder::NewestFirst),
            "/comments?site=1&per_page=50&order=newest#x"
        );
    }

    #[test]
    fn pages_merge_without_duplicates() {
        let mut loaded = vec![comment("a", None, 1), comment("b", None, 2)];
        merge(
            &mut loaded,
            vec![comment("b", None, 2), comment("c", None, 3)],
        );
        let ids: Vec<&str> = loaded.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(ids, ["a", "b", "c"]);
    }

    #[test]
    fn a_page_keeps_each_thread_whole() {
        let entries = build_thread(&[
            comment("a", None, 1),
            comment("a1", Some("a"), 5),
            comment("b", None, 2),
            comment("b1", Some("b"), 6),
            comment("b2", Some("b1"), 7),
            comment("c", None, 3),
        ]);
        assert_eq!(thread_count(&entries), 3);
        let ids = |e: &[ThreadEntry]| e.iter().map(|e| e.comment.id.clone()).collect::<Vec<_>>();
        assert_eq!(
            ids(first_threads(&entries, 2)),
            ["a", "a1", "b", "b1", "b2"]
        );
        assert_eq!(ids(first_threads(&entries, 0)), Vec::<String>::new());
        assert_eq!(first_threads(&entries, 9).len(), 6);
        assert_eq!(place(&entries, 1, "a1"), Place::Shown);
        assert_eq!(place(&entries, 1, "b2"), Place::Hidden { threads: 2 });
        assert_eq!(place(&entries, 3, "zz"), Place::NotLoaded);
    }

    #[test]
    fn a_link_names_its_comment() {
        assert_eq!(linked_comment("#comment-3f2a"), Some("3f2a"));
        assert_eq!(linked_comment("comment-3f2a"), Some("3f2a"));
        assert_eq!(linked_comment("#comment-"), None);
        assert_eq!(linked_comment("#top"), None);
        assert_eq!(linked_comment(""), None);
    }
}
