//! The thread's list as the section shows it: which page to load, the pages loaded, "Show
//! more", the order chosen and how many threads are shown, as a Yew reducer beside the form's
//! (`model.rs`). Pure like it: the network's answers arrive in the actions, already read (the
//! next page's address resolved by the caller), so it is tested natively.

use std::rc::Rc;

use yew::Reducible;

use crate::domain::comment::{Comment, Edits, Likes};
use crate::domain::errors::ListError;
use crate::domain::live::LiveUpdate;
use crate::domain::paging;
use crate::domain::thread::{ThreadEntry, ThreadOrder};
use crate::domain::wire::CommentList;

#[derive(Clone, Debug, PartialEq)]
pub enum ListState {
    Loading,
    /// Shared, so that comparing and keeping it costs nothing per keystroke.
    Loaded(Rc<Loaded>),
    Failed(ListError),
}

/// The pages loaded so far.
#[derive(Debug, PartialEq)]
pub struct Loaded {
    pub comments: Vec<Comment>,
    /// How many comments the thread has in all (a paging server says), else those loaded.
    pub total: usize,
    /// The next page's absolute address; `None` on the last page, or when the server sent
    /// the whole thread at once.
    pub next: Option<String>,
}

impl Loaded {
    /// A list answer; `absolute` resolves its `next` against the address the page came from
    /// (the browser's URL parser, so the caller's).
    pub fn from_answer(list: CommentList, absolute: &dyn Fn(&str) -> Option<String>) -> Loaded {
        Loaded {
            total: list.total.unwrap_or(list.comments.len()),
            next: list.next.as_deref().and_then(absolute),
            comments: list.comments,
        }
    }

    /// This with the next page added.
    fn and(&self, page: Loaded) -> Loaded {
        let mut comments = self.comments.clone();
        paging::merge(&mut comments, page.comments);
        Loaded {
            total: page.total.max(comments.len()),
            next: page.next,
            comments,
        }
    }
}

/// Which page to load: the first, in `order` (`attempt` counts Retries and "Show more"), or
/// with `next`, the one after those loaded. The pages hook loads it whenever it changes.
#[derive(Clone, Debug, PartialEq)]
pub struct Wanted {
    pub order: ThreadOrder,
    pub attempt: u32,
    pub next: Option<String>,
}

/// "Show more comments": waiting for the next page, or why it did not come.
#[derive(Clone, Debug, PartialEq)]
pub enum More {
    Idle,
    Loading,
    Failed(ListError),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    pub wanted: Wanted,
    /// The order shown (the reader's choice; the publisher's at first).
    pub order: ThreadOrder,
    pub list: ListState,
    pub more: More,
    /// How many threads are shown (whole threads, from the first).
    pub shown_threads: usize,
    /// The first request only refreshes the thread the page gave: until it is sent.
    refresh_given: bool,
    /// The request under way is that refresh (its failure keeps the given thread).
    refreshing: bool,
    /// Comments the live stream brought, not shown until the reader asks ("N new comments.
    /// Show"), so that nothing moves under them.
    pub arrived: Vec<Comment>,
}

pub enum ListAction {
    /// A request is sent: for the page after those loaded (`append`), or a first page.
    Requested { append: bool },
    /// Its answer.
    Answered {
        append: bool,
        answer: Result<Loaded, ListError>,
    },
    /// The reader asks for the first page again after a failure.
    Retry,
    /// "Show more comments": the next threads already loaded (`hidden_threads` of them, as
    /// the view counted), else the server's next page.
    ShowMore { hidden_threads: usize },
    /// The reader switches the order.
    Order(ThreadOrder),
    /// Show this many threads (to reach a linked comment or the reader's new one).
    ShowThreads(usize),
    /// A comment's likes as the reader now sees them (a press, the service's answer, or the
    /// state before a press that failed).
    SetLikes(String, Likes),
    /// An event of the live stream (issue 20; the stream is the browser's only).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    Live(LiveUpdate),
    /// The first page, newest first, read again after the stream said `resync`: what is new
    /// arrives, what is loaded is updated in place.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    Resynced(Vec<Comment>),
    /// "Show": the comments that arrived join the thread, each thread of them shown.
    ShowArrived,
}

impl Listing {
    /// The list in the publisher's `order`, starting from the thread the page `given` (shown
    /// at once and refreshed quietly), else loading.
    pub fn new(order: ThreadOrder, given: Option<Loaded>) -> Listing {
        Listing {
            wanted: Wanted {
                order,
                attempt: 0,
                next: None,
            },
            order,
            refresh_given: given.is_some(),
            refreshing: false,
            arrived: Vec::new(),
            list: given.map_or(ListState::Loading, |loaded| {
                ListState::Loaded(Rc::new(loaded))
            }),
            more: More::Idle,
            shown_threads: paging::PER_PAGE,
        }
    }

    pub fn loaded(&self) -> Option<&Rc<Loaded>> {
        match &self.list {
            ListState::Loaded(loaded) => Some(loaded),
            _ => None,
        }
    }

    /// The next page's address, while pages are still to come.
    pub fn next(&self) -> Option<&String> {
        self.loaded().and_then(|loaded| loaded.next.as_ref())
    }

    /// Whether a page is on its way (a linked comment waits for it).
    pub fn waiting(&self) -> bool {
        matches!(self.list, ListState::Loading) || self.more == More::Loading
    }
}

impl Reducible for Listing {
    type Action = ListAction;

    fn reduce(self: Rc<Self>, action: ListAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ListAction::Requested { append } => {
                next.refreshing = std::mem::take(&mut next.refresh_given);
                if append {
                    next.more = More::Loading;
                } else if !next.refreshing {
                    next.list = ListState::Loading;
                    next.more = More::Idle;
                    next.shown_threads = paging::PER_PAGE;
                }
            }
            ListAction::Answered { append, answer } => match (answer, &self.list) {
                (Ok(page), ListState::Loaded(loaded)) if append => {
                    next.list = ListState::Loaded(Rc::new(loaded.and(page)));
                    next.shown_threads += paging::PER_PAGE;
                    next.more = More::Idle;
                }
                (Err(error), _) if append => next.more = More::Failed(error),
                (Ok(page), _) => next.list = ListState::Loaded(Rc::new(page)),
                (Err(_), _) if self.refreshing => {}
                (Err(error), _) => next.list = ListState::Failed(error),
            },
            ListAction::Retry => {
                next.wanted.attempt += 1;
                next.wanted.next = None;
            }
            ListAction::ShowMore { hidden_threads } => {
                if hidden_threads > 0 {
                    next.shown_threads += paging::PER_PAGE;
                } else if let (Some(page), false) = (self.next(), self.more == More::Loading) {
                    next.wanted.attempt += 1;
                    next.wanted.next = Some(page.clone());
                }
            }
            ListAction::Order(choice) => {
                next.order = choice;
                // Pages still to come are fetched anew in the other order, from its first page.
                if self.next().is_some() {
                    next.wanted.order = choice;
                    next.wanted.next = None;
                }
            }
            ListAction::ShowThreads(threads) => next.shown_threads = threads,
            ListAction::SetLikes(id, likes) => {
                if let ListState::Loaded(loaded) = &self.list {
                    let mut comments = loaded.comments.clone();
                    for comment in comments.iter_mut().filter(|c| c.id == id) {
                        comment.likes = likes;
                    }
                    next.list = ListState::Loaded(Rc::new(Loaded {
                        comments,
                        total: loaded.total,
                        next: loaded.next.clone(),
                    }));
                }
            }
            ListAction::Live(update) => next.live(update),
            ListAction::Resynced(page) => {
                let newest = self
                    .loaded()
                    .and_then(|l| l.comments.iter().map(|c| c.published).max());
                for comment in page {
                    let known = self
                        .loaded()
                        .is_some_and(|l| l.comments.iter().any(|c| c.id == comment.id));
                    // Newer than all loaded, or a comment of a page not loaded yet.
                    if known || newest.is_none_or(|newest| comment.published > newest) {
                        next.live(LiveUpdate::Approved(comment));
                    }
                }
            }
            ListAction::ShowArrived => {
                if let ListState::Loaded(loaded) = &self.list {
                    let arrived = std::mem::take(&mut next.arrived);
                    let threads = arrived.iter().filter(|c| c.parent.is_none()).count();
                    let mut comments = loaded.comments.clone();
                    let before = comments.len();
                    paging::merge(&mut comments, arrived);
                    next.list = ListState::Loaded(Rc::new(Loaded {
                        total: loaded.total + (comments.len() - before),
                        comments,
                        next: loaded.next.clone(),
                    }));
                    next.shown_threads += threads;
                }
            }
        }
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

impl Listing {
    /// A live event: a comment new to the reader waits in `arrived`; one they see (or that
    /// waits) changes in place, keeping how the reader's own likes stand.
    fn live(&mut self, update: LiveUpdate) {
        let ListState::Loaded(loaded) = &self.list else {
            return;
        };
        let loaded = loaded.clone();
        let mut comments = loaded.comments.clone();
        let mut total = loaded.total;
        // Only an approval is new to a reader who has not seen the comment.
        enum Kind {
            Approved,
            Other,
        }
        let update_kind = match update {
            LiveUpdate::Approved(_) => Kind::Approved,
            _ => Kind::Other,
        };
        match update {
            LiveUpdate::Approved(comment) | LiveUpdate::Edited(comment) => {
                let new = matches!(update_kind, Kind::Approved);
                let known = comments
                    .iter_mut()
                    .chain(self.arrived.iter_mut())
                    .find(|c| c.id == comment.id);
                match known {
                    Some(known) => {
                        let likes = Likes {
                            count: comment.likes.count,
                            ..known.likes
                        };
                        // What an event does not carry stays as the list said it: the pin,
                        // the edit's time, this reader's window to edit.
                        let mut marks = comment.marks;
                        marks.pinned = known.marks.pinned;
                        let edits = Edits {
                            edited: comment.edits.edited.or(known.edits.edited),
                            deleted: comment.edits.deleted,
                            editable_until: known
                                .edits
                                .editable_until
                                .or(comment.edits.editable_until),
                        };
                        *known = Comment {
                            likes,
                            marks,
                            edits,
                            ..comment
                        };
                    }
                    None if new
                        && comment.status == crate::domain::comment::CommentStatus::Approved =>
                    {
                        self.arrived.push(comment)
                    }
                    None => {}
                }
            }
            // Gone; or, where it has replies, "This comment was deleted." in its place, as
            // the service lists it (a deletion by its author leaves a tombstone there).
            LiveUpdate::Deleted(id) => {
                if comments.iter().any(|c| c.parent.as_deref() == Some(id.as_str())) {
                    if let Some(gone) = comments.iter_mut().find(|c| c.id == id) {
                        gone.author.clear();
                        gone.website = None;
                        gone.content.clear();
                        gone.edits.deleted = true;
                    }
                } else {
                    let before = comments.len();
                    comments.retain(|c| c.id != id);
                    total = total.saturating_sub(before - comments.len());
                }
                self.arrived.retain(|c| c.id != id);
            }
            LiveUpdate::Likes(id, count) => {
                for comment in comments
                    .iter_mut()
                    .chain(self.arrived.iter_mut())
                    .filter(|c| c.id == id)
                {
                    comment.likes.count = count;
                }
            }
            // The hook reads the first page again (`Resynced`).
            LiveUpdate::Resync => {}
        }
        if comments != loaded.comments || total != loaded.total {
            self.list = ListState::Loaded(Rc::new(Loaded {
                comments,
                total,
                next: loaded.next.clone(),
            }));
        }
    }
}

/// The threads shown: their entries, how many threads that is, and how many more are loaded.
pub struct Window {
    pub entries: Rc<Vec<Rc<ThreadEntry>>>,
    pub threads: usize,
    pub hidden: usize,
}

impl Window {
    /// The first `shown_threads` threads of `thread`, each whole.
    pub fn of(thread: &[Rc<ThreadEntry>], shown_threads: usize) -> Window {
        let end = paging::first_threads_len(thread, shown_threads);
        Window {
            entries: Rc::new(thread[..end].to_vec()),
            threads: paging::thread_count(&thread[..end]),
            hidden: paging::thread_count(&thread[end..]),
        }
    }
}

impl PartialEq for Window {
    /// The same window when it holds the same entries (a new one is built only on change).
    fn eq(&self, other: &Window) -> bool {
        Rc::ptr_eq(&self.entries, &other.entries)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::comment::CommentStatus;
    use crate::domain::date::Timestamp;

    fn comment(id: &str) -> Comment {
        Comment {
            id: id.into(),
            parent: None,
            author: "Ann".into(),
            website: None,
            content: "Hello.".into(),
            published: Timestamp::from_millis(0),
            status: CommentStatus::Approved,
            likes: Default::default(),
            marks: Default::default(),
            edits: Default::default(),
        }
    }

    fn page(ids: &[&str], total: usize, next: Option<&str>) -> Loaded {
        Loaded {
            comments: ids.iter().map(|id| comment(id)).collect(),
            total,
            next: next.map(str::to_owned),
        }
    }

    fn run(listing: Listing, actions: Vec<ListAction>) -> Rc<Listing> {
        actions
            .into_iter()
            .fold(Rc::new(listing), Reducible::reduce)
    }

    fn ids(listing: &Listing) -> Vec<String> {
        listing
            .loaded()
            .map(|l| l.comments.iter().map(|c| c.id.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn a_first_page_loads_then_the_next_is_added() {
        let fresh = Listing::new(ThreadOrder::OldestFirst, None);
        assert_eq!(fresh.list, ListState::Loading);
        let first = run(
            fresh,
            vec![
                ListAction::Requested { append: false },
                ListAction::Answered {
                    append: false,
                    answer: Ok(page(&["a", "b"], 4, Some("http://x/p2"))),
                },
            ],
        );
        assert_eq!(
            (ids(&first), first.next().cloned()),
            (vec!["a".into(), "b".into()], Some("http://x/p2".into()))
        );

        let asked = run(
            (*first).clone(),
            vec![ListAction::ShowMore { hidden_threads: 0 }],
        );
        assert_eq!(
            (asked.wanted.next.as_deref(), asked.wanted.attempt),
            (Some("http://x/p2"), 1)
        );
        let more = run(
            (*asked).clone(),
            vec![
                ListAction::Requested { append: true },
                ListAction::ShowMore { hidden_threads: 0 },
            ],
        );
        assert_eq!(more.more, More::Loading);
        assert_eq!(
            more.wanted, asked.wanted,
            "no second request while one is loading"
        );
        let done = run(
            (*more).clone(),
            vec![ListAction::Answered {
                append: true,
                answer: Ok(page(&["b", "c", "d"], 4, None)),
            }],
        );
        assert_eq!(ids(&done), ["a", "b", "c", "d"]);
        assert_eq!(
            (done.more.clone(), done.shown_threads, done.next()),
            (More::Idle, 2 * paging::PER_PAGE, None)
        );
    }

    #[test]
    fn hidden_threads_are_shown_before_any_page_is_asked_for() {
        let loaded = Listing::new(ThreadOrder::OldestFirst, Some(page(&["a"], 1, Some("n"))));
        let shown = run(loaded, vec![ListAction::ShowMore { hidden_threads: 3 }]);
        assert_eq!(shown.shown_threads, 2 * paging::PER_PAGE);
        assert_eq!(shown.wanted.attempt, 0);
    }

    #[test]
    fn a_failed_next_page_keeps_the_list_and_says_why() {
        let loaded = Listing::new(ThreadOrder::OldestFirst, Some(page(&["a"], 2, Some("n"))));
        let failed = run(
            loaded,
            vec![
                ListAction::Requested { append: false },
                ListAction::ShowMore { hidden_threads: 0 },
                ListAction::Requested { append: true },
                ListAction::Answered {
                    append: true,
                    answer: Err(ListError::Malformed),
                },
            ],
        );
        assert_eq!(failed.more, More::Failed(ListError::Malformed));
        assert_eq!(ids(&failed), ["a"]);
    }

    #[test]
    fn only_the_first_refresh_of_a_given_thread_is_quiet() {
        let given = Listing::new(ThreadOrder::OldestFirst, Some(page(&["a"], 1, None)));
        let refreshing = run(given, vec![ListAction::Requested { append: false }]);
        assert_eq!(ids(&refreshing), ["a"], "the given thread stays shown");
        let kept = run(
            (*refreshing).clone(),
            vec![ListAction::Answered {
                append: false,
                answer: Err(ListError::Malformed),
            }],
        );
        assert_eq!(ids(&kept), ["a"], "a failed refresh keeps it");
        let retried = run(
            (*kept).clone(),
            vec![
                ListAction::Retry,
                ListAction::Requested { append: false },
                ListAction::Answered {
                    append: false,
                    answer: Err(ListError::Malformed),
                },
            ],
        );
        assert_eq!(retried.list, ListState::Failed(ListError::Malformed));
    }

    #[test]
    fn switching_the_order_reloads_only_an_incomplete_thread() {
        let complete = Listing::new(ThreadOrder::OldestFirst, Some(page(&["a"], 1, None)));
        let switched = run(complete, vec![ListAction::Order(ThreadOrder::NewestFirst)]);
        assert_eq!(
            (switched.order, switched.wanted.order),
            (ThreadOrder::NewestFirst, ThreadOrder::OldestFirst)
        );
        let partial = Listing::new(ThreadOrder::OldestFirst, Some(page(&["a"], 9, Some("n"))));
        let switched = run(
            partial,
            vec![
                ListAction::Requested { append: false },
                ListAction::Order(ThreadOrder::NewestFirst),
            ],
        );
        assert_eq!(
            (switched.wanted.order, switched.wanted.next.clone()),
            (ThreadOrder::NewestFirst, None)
        );
        let reloading = run(
            (*switched).clone(),
            vec![ListAction::Requested { append: false }],
        );
        assert_eq!(
            reloading.list,
            ListState::Loading,
            "only the first request was quiet"
        );
    }

    #[test]
    fn live_comments_wait_until_shown_and_change_in_place() {
        let loaded = Listing::new(ThreadOrder::OldestFirst, Some(page(&["a", "b"], 2, None)));
        let mut reply = comment("r");
        reply.parent = Some("a".into());
        let mut edited = comment("b");
        edited.content = "Changed.".into();
        edited.likes.count = 3;
        let after = run(
            loaded,
            vec![
                ListAction::SetLikes(
                    "b".into(),
                    Likes {
                        count: 2,
                        liked: true,
                        mine: false,
                    },
                ),
                ListAction::Live(LiveUpdate::Approved(comment("c"))),
                ListAction::Live(LiveUpdate::Approved(reply)),
                ListAction::Live(LiveUpdate::Approved(comment("c"))),
                ListAction::Live(LiveUpdate::Edited(edited)),
                ListAction::Live(LiveUpdate::Edited(comment("unknown"))),
                ListAction::Live(LiveUpdate::Likes("a".into(), 9)),
                ListAction::Live(LiveUpdate::Deleted("zz".into())),
            ],
        );
        assert_eq!(
            ids(&after),
            ["a", "b"],
            "nothing new is shown before the reader asks"
        );
        let arrived: Vec<&str> = after.arrived.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            arrived,
            ["c", "r"],
            "each once; an edit of an unseen comment is not new"
        );
        let b = &after.loaded().unwrap().comments[1];
        assert_eq!(
            (b.content.as_str(), b.likes),
            (
                "Changed.",
                Likes {
                    count: 3,
                    liked: true,
                    mine: false
                }
            )
        );
        assert_eq!(after.loaded().unwrap().comments[0].likes.count, 9);

        let shown = run((*after).clone(), vec![ListAction::ShowArrived]);
        assert_eq!(ids(&shown), ["a", "b", "c", "r"]);
        assert!(shown.arrived.is_empty());
        assert_eq!(
            (shown.loaded().unwrap().total, shown.shown_threads),
            (4, paging::PER_PAGE + 1),
            "one more thread shown (the reply joins its own)"
        );
        let deleted = run(
            (*shown).clone(),
            vec![ListAction::Live(LiveUpdate::Deleted("b".into()))],
        );
        assert_eq!(
            (ids(&deleted), deleted.loaded().unwrap().total),
            (vec!["a".to_owned(), "c".into(), "r".into()], 3)
        );
        // "a" has a reply ("r"): left as a tombstone, its reply under it, as the service
        // lists a comment its author deleted.
        let tombstoned = run(
            (*shown).clone(),
            vec![ListAction::Live(LiveUpdate::Deleted("a".into()))],
        );
        assert_eq!(
            (ids(&tombstoned), tombstoned.loaded().unwrap().total),
            (vec!["a".to_owned(), "b".into(), "c".into(), "r".into()], 4)
        );
        let loaded = tombstoned.loaded().unwrap();
        let gone = loaded.comments.iter().find(|c| c.id == "a").unwrap();
        assert!(gone.edits.deleted && gone.author.is_empty() && gone.content.is_empty());

        let mut newer = comment("n");
        newer.published = Timestamp::from_millis(5);
        let resynced = run(
            (*deleted).clone(),
            vec![ListAction::Resynced(vec![newer, comment("old-unloaded")])],
        );
        let arrived: Vec<&str> = resynced.arrived.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(arrived, ["n"], "only what is newer than all loaded is new");
    }

    #[test]
    fn a_comments_likes_change_in_place() {
        let loaded = Listing::new(ThreadOrder::OldestFirst, Some(page(&["a", "b"], 2, None)));
        let likes = Likes {
            count: 4,
            liked: true,
            mine: false,
        };
        let after = run(loaded, vec![ListAction::SetLikes("b".into(), likes)]);
        let comments = &after.loaded().unwrap().comments;
        assert_eq!(comments[1].likes, likes);
        assert_eq!(comments[0].likes, Likes::default());
        assert_eq!(after.loaded().unwrap().total, 2);
    }
}
