//! Comments as the API returns them, and the thread a reader sees: oldest first, replies
//! nested under their parent, three levels at most.

use super::comment::Comment;

/// How deep replies nest; a reply to a comment at this depth is shown at this depth.
pub const MAX_DEPTH: usize = 3;

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
/// top level, and so are the members of a reply cycle in hostile or broken data (a replies to
/// b, b to a), so no comment is ever dropped; duplicates (same id) are shown once.
/// Linear in the number of comments (after sorting), and without recursion, so a long chain
/// of replies cannot exhaust the stack.
pub fn build_thread(comments: &[Comment]) -> Vec<ThreadEntry> {
    // Sorted by date (then id); everything below refers to comments by their position here.
    // Vectors and binary search rather than hash maps: the same speed at these sizes, and
    // far less code in the WebAssembly module. Both sorts sort positions with a `dyn`
    // comparison, so the module holds one copy of the sort, not one per element type.
    let by_date: &dyn Fn(&usize, &usize) -> std::cmp::Ordering = &|a, b| {
        let (a, b) = (&comments[*a], &comments[*b]);
        a.published.cmp(&b.published).then_with(|| a.id.cmp(&b.id))
    };
    let mut order: Vec<usize> = (0..comments.len()).collect();
    order.sort_by(by_date);
    let sorted: Vec<&Comment> = order.iter().map(|i| &comments[*i]).collect();
    // Positions in `sorted`, by id. Stable: for a duplicated id the earliest comment is
    // first, and it alone is kept.
    let by_id_order: &dyn Fn(&usize, &usize) -> std::cmp::Ordering =
        &|a, b| sorted[*a].id.cmp(&sorted[*b].id);
    let mut by_id: Vec<usize> = (0..sorted.len()).collect();
    by_id.sort_by(by_id_order);
    by_id.dedup_by(|later, earlier| sorted[*later].id == sorted[*earlier].id);
    let find = |id: &str| {
        by_id
            .binary_search_by(|known| sorted[*known].id.as_str().cmp(id))
            .ok()
            .map(|index| by_id[index])
    };
    let count = sorted.len();
    let mut kept = vec![false; count];
    for position in &by_id {
        kept[*position] = true;
    }
    // The parent's position, when the parent is another comment of the thread.
    let parent: Vec<Option<usize>> = sorted
        .iter()
        .enumerate()
        .map(|(position, c)| {
            c.parent
                .as_deref()
                .and_then(find)
                .filter(|p| *p != position && kept[*p])
        })
        .collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); count];
    for position in (0..count).filter(|p| kept[*p]) {
        if let Some(p) = parent[position] {
            children[p].push(position);
        }
    }

    let mut is_root: Vec<bool> = (0..count).map(|p| kept[p] && parent[p].is_none()).collect();
    let mut out = Vec::with_capacity(count);
    let mut placed = vec![false; count];
    let build = |is_root: &[bool], out: &mut Vec<ThreadEntry>, placed: &mut Vec<bool>| {
        for root in (0..count).filter(|p| is_root[*p]) {
            push_tree(root, &sorted, &children, is_root, placed, out);
        }
    };
    build(&is_root, &mut out, &mut placed);
    let unplaced: Vec<usize> = (0..count).filter(|p| kept[*p] && !placed[*p]).collect();
    if unplaced.is_empty() {
        return out;
    }
    // What is left hangs off a cycle. Its members go to the top level too, so the thread is
    // built again with them among the roots, in date order.
    for &position in &unplaced {
        let mut current = position;
        for _ in 0..count {
            match parent[current] {
                Some(p) if p == position => {
                    is_root[position] = true;
                    break;
                }
                Some(p) => current = p,
                None => break,
            }
        }
    }
    out.clear();
    placed.iter_mut().for_each(|p| *p = false);
    build(&is_root, &mut out, &mut placed);
    out
}

impl AsRef<ThreadEntry> for ThreadEntry {
    fn as_ref(&self) -> &ThreadEntry {
        self
    }
}

/// The order the reader chose for the thread's top level. Replies stay oldest first under
/// their parent, as WordPress shows them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ThreadOrder {
    #[default]
    OldestFirst,
    NewestFirst,
    /// Most liked first, then oldest (issue 20's "Best first").
    BestFirst,
}

impl ThreadOrder {
    /// The publisher's `comments-order` (an element attribute, a query parameter):
    /// `newest` puts the newest threads first, `best` the most liked; anything else is oldest
    /// first, WordPress's default.
    pub fn from_attribute(value: Option<&str>) -> ThreadOrder {
        match value.map(str::trim) {
            Some(v) if v.eq_ignore_ascii_case("newest") => ThreadOrder::NewestFirst,
            Some(v) if v.eq_ignore_ascii_case("best") => ThreadOrder::BestFirst,
            _ => ThreadOrder::OldestFirst,
        }
    }

    /// As the attribute and the comments API's `order` parameter spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            ThreadOrder::OldestFirst => "oldest",
            ThreadOrder::NewestFirst => "newest",
            ThreadOrder::BestFirst => "best",
        }
    }
}

/// A built thread in the chosen order: the top-level comments, each with its replies.
/// Pinned threads (issue 20) come first whatever the order, as pinned, in the order they had.
pub fn in_order(entries: Vec<ThreadEntry>, order: ThreadOrder) -> Vec<ThreadEntry> {
    let pinned = |entry: &ThreadEntry| entry.depth == 1 && entry.comment.marks.pinned;
    if order == ThreadOrder::OldestFirst && !entries.iter().any(pinned) {
        return entries;
    }
    let mut blocks: Vec<Vec<ThreadEntry>> = Vec::new();
    for entry in entries {
        match blocks.last_mut() {
            Some(block) if entry.depth > 1 => block.push(entry),
            _ => blocks.push(vec![entry]),
        }
    }
    // The threads' positions in the order shown: newest first, or most liked first (the
    // reader's own like not counted, so pressing it never moves the comment from under their
    // pointer), as many likes oldest first. Sorted with a `dyn` comparison of positions, as
    // in `build_thread`, so the module keeps one copy of the sort.
    let mut positions: Vec<usize> = (0..blocks.len()).collect();
    if order == ThreadOrder::BestFirst {
        let others = |p: usize| {
            let likes = blocks[p][0].comment.likes;
            likes.count.saturating_sub(u32::from(likes.liked))
        };
        let by_likes: &dyn Fn(&usize, &usize) -> std::cmp::Ordering =
            &|a, b| others(*b).cmp(&others(*a)).then(a.cmp(b));
        positions.sort_by(by_likes);
    } else if order == ThreadOrder::NewestFirst {
        positions.reverse();
    }
    // A stable sort: the pinned threads first, each group keeping its order.
    let by_pin: &dyn Fn(&usize, &usize) -> std::cmp::Ordering =
        &|a, b| pinned(&blocks[*b][0]).cmp(&pinned(&blocks[*a][0]));
    positions.sort_by(by_pin);
    let mut blocks: Vec<Option<Vec<ThreadEntry>>> = blocks.into_iter().map(Some).collect();
    positions
        .into_iter()
        .filter_map(|p| blocks[p].take())
        .flatten()
        .collect()
}

/// Appends `root` at the top level and its replies under it; other roots are never nested.
fn push_tree(
    root: usize,
    sorted: &[&Comment],
    children: &[Vec<usize>],
    is_root: &[bool],
    placed: &mut [bool],
    out: &mut Vec<ThreadEntry>,
) {
    let mut stack: Vec<(usize, usize, Option<usize>)> = vec![(root, 1, None)];
    while let Some((position, depth, replying_to)) = stack.pop() {
        if placed[position] {
            continue;
        }
        placed[position] = true;
        out.push(ThreadEntry {
            comment: sorted[position].clone(),
            depth: depth.min(MAX_DEPTH),
            replying_to: replying_to.map(|p| sorted[p].author.clone()),
        });
        // Reversed onto the stack, so the oldest reply comes out first.
        for &reply in children[position].iter().rev() {
            if !is_root[reply] && !placed[reply] {
                stack.push((reply, depth + 1, Some(position)));
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::comment::CommentStatus;
    use crate::domain::date::Timestamp;

    /// A comment at 20:`minute` on 17 January 2025 (also the paging tests' comment).
    pub(crate) fn comment(id: &str, parent: Option<&str>, minute: u32) -> Comment {
        Comment {
            id: id.into(),
            parent: parent.map(Into::into),
            author: format!("author-{id}"),
            website: None,
            content: format!("text {id}"),
            published: Timestamp::parse(&format!("2025-01-17T20:{minute:02}:00Z")).unwrap(),
            status: CommentStatus::Approved,
            likes: Default::default(),
            marks: Default::default(),
            edits: Default::default(),
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
            [("o", 1), ("x", 1), ("y", 1), ("s", 1)],
            "the members of a cycle are shown at the top level, in date order"
        );
    }

    #[test]
    fn a_cycle_keeps_its_other_replies_nested() {
        let comments = vec![
            comment("a", Some("b"), 1),
            comment("b", Some("a"), 2),
            comment("r", Some("b"), 3),
            comment("top", None, 4),
        ];
        assert_eq!(
            order(&build_thread(&comments)),
            [("a", 1), ("b", 1), ("r", 2), ("top", 1)]
        );
    }

    #[test]
    fn a_very_long_chain_does_not_exhaust_the_stack() {
        let mut comments = vec![comment("0", None, 0)];
        for n in 1..20_000 {
            let mut reply = comment(&n.to_string(), Some(&(n - 1).to_string()), 1);
            reply.published = Timestamp::from_millis(n as i64);
            comments.push(reply);
        }
        let thread = build_thread(&comments);
        assert_eq!(thread.len(), 20_000);
        assert_eq!(thread.last().map(|e| e.depth), Some(MAX_DEPTH));
    }

    #[test]
    fn newest_first_turns_the_top_level_and_keeps_replies_under_their_parent() {
        let comments = vec![
            comment("a", None, 10),
            comment("a1", Some("a"), 20),
            comment("b", None, 30),
            comment("a2", Some("a"), 40),
            comment("c", None, 50),
        ];
        let newest = in_order(build_thread(&comments), ThreadOrder::NewestFirst);
        assert_eq!(
            order(&newest),
            [("c", 1), ("b", 1), ("a", 1), ("a1", 2), ("a2", 2)]
        );
        assert_eq!(
            order(&in_order(build_thread(&comments), ThreadOrder::OldestFirst)),
            [("a", 1), ("a1", 2), ("a2", 2), ("b", 1), ("c", 1)]
        );
    }

    #[test]
    fn pinned_threads_come_first_in_every_order_with_their_replies() {
        let pinned = |id: &str, minute: u32| Comment {
            marks: crate::domain::comment::Marks {
                pinned: true,
                ..Default::default()
            },
            ..comment(id, None, minute)
        };
        let mut liked = comment("c", None, 50);
        liked.likes.count = 9;
        let comments = vec![
            comment("a", None, 10),
            pinned("p", 20),
            comment("p1", Some("p"), 30),
            pinned("q", 40),
            liked,
        ];
        for (order, rest) in [
            (ThreadOrder::OldestFirst, ["a", "c"]),
            (ThreadOrder::NewestFirst, ["c", "a"]),
            (ThreadOrder::BestFirst, ["c", "a"]),
        ] {
            let shown = in_order(build_thread(&comments), order);
            let ids: Vec<&str> = shown.iter().map(|e| e.comment.id.as_str()).collect();
            let pinned_order = if order == ThreadOrder::NewestFirst {
                ["q", "p", "p1"]
            } else {
                ["p", "p1", "q"]
            };
            let expected: Vec<&str> = pinned_order.into_iter().chain(rest).collect();
            assert_eq!(ids, expected, "{order:?}");
        }
    }

    #[test]
    fn best_first_puts_the_most_liked_threads_first_then_the_oldest() {
        let liked = |id: &str, parent: Option<&str>, minute: u32, count: u32, mine: bool| Comment {
            likes: crate::domain::comment::Likes {
                count,
                liked: mine,
                mine: false,
            },
            ..comment(id, parent, minute)
        };
        let comments = vec![
            liked("a", None, 10, 1, false),
            liked("a1", Some("a"), 20, 9, false),
            liked("b", None, 30, 3, false),
            liked("c", None, 40, 1, false),
            // 2 with the reader's own: ranked as 1 for them, so a press never moves it.
            liked("d", None, 50, 2, true),
        ];
        assert_eq!(
            order(&in_order(build_thread(&comments), ThreadOrder::BestFirst)),
            [("b", 1), ("a", 1), ("a1", 2), ("c", 1), ("d", 1)]
        );
        assert_eq!(
            ThreadOrder::from_attribute(Some("best")),
            ThreadOrder::BestFirst
        );
        assert_eq!(ThreadOrder::BestFirst.as_str(), "best");
    }
}
