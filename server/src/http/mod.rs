//! The HTTP layer every area stands on: the shared state, what a request carries
//! (`extract`, the client's address in `client_address`), which origins may call (`origin`),
//! the list's paging parameters (`paging`), errors as answers (`error`), and how files and
//! validators leave (`delivery`). It imports no area: areas import it, and `app`
//! assembles them into the router.

pub mod client_address;
pub mod delivery;
pub mod error;
pub mod extract;
pub mod origin;
pub mod paging;

use std::sync::Arc;

use article_widget::domain::comment::Comment;
use article_widget::domain::date::Timestamp;

use crate::articles::ArticleGate;
use crate::config::Settings;
use crate::spam_service::SpamService;
use crate::sso::SignIn;
use crate::store::{Store, StoredComment};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub articles: Arc<ArticleGate>,
    /// The spam service (`--akismet-key`), when there is one.
    pub spam: Option<SpamService>,
    /// Readers signed in by the publisher (`--sso-…`), when the service takes them.
    pub sign_in: Option<Arc<SignIn>>,
}

/// A page's comments as this viewer (their author token's digest) sees them: each with its
/// likes, the ones they like and the ones they wrote marked (so the widget offers no like
/// on their own).
pub fn public_page_comments(
    page: &crate::store::CommentPage,
    viewer: Option<&str>,
    edit_window: EditWindow,
) -> Vec<Comment> {
    page.comments
        .iter()
        .map(|stored| {
            let mut comment = public_comment(stored);
            comment.likes = article_widget::domain::comment::Likes {
                count: page
                    .likes
                    .get(&stored.id)
                    .map_or(0, |n| (*n).clamp(0, i64::from(u32::MAX)) as u32),
                liked: page.liked.contains(&stored.id),
                mine: viewer.is_some() && stored.author_token.as_deref() == viewer,
            };
            comment.marks.pinned = page.pinned.contains(&stored.id);
            let mine = viewer.is_some() && stored.author_token.as_deref() == viewer;
            comment.edits = edit_window.edits(stored, page.revisions.get(&stored.id), mine);
            comment
        })
        .collect()
}

/// The public form of a stored comment: never the email, address or token.
pub fn public_comment(comment: &StoredComment) -> Comment {
    Comment {
        id: comment.id.clone(),
        parent: comment.parent_id.clone(),
        author: comment.author.clone(),
        website: comment.website.clone(),
        content: comment.content.clone(),
        published: Timestamp::from_millis(comment.created_at),
        status: comment.status.public(),
        // Filled in where the list is read (`store::CommentPage::likes`).
        likes: Default::default(),
        // Its badges as stored; `pinned` filled in where the list is read.
        marks: article_widget::domain::comment::Marks {
            pinned: false,
            badges: article_widget::domain::comment::Badges::from_words(
                comment.badges.as_deref().unwrap_or_default().split(' '),
            ),
        },
        // Filled in where the list is read (`EditWindow::edits`).
        edits: Default::default(),
    }
}

/// A just-posted comment as its author sees it: with the time until which they may edit or
/// delete it (the post's answer, which the widget shows at once).
pub fn posted_comment(stored: &StoredComment, window_ms: i64) -> Comment {
    let mut comment = public_comment(stored);
    comment.edits.editable_until = (window_ms > 0)
        .then(|| Timestamp::from_millis(stored.created_at.saturating_add(window_ms)));
    comment
}

/// How long after posting its author may edit or delete a comment (`--edit-minutes`), as of
/// `now`: what the lists say of each comment's edit, deletion and window.
#[derive(Clone, Copy, Debug)]
pub struct EditWindow {
    pub now: i64,
    pub window_ms: i64,
}

impl EditWindow {
    /// The comment's edit and deletion, and, on the viewer's own comment while the window is
    /// open, when it closes (the widget offers Edit and Delete until then; the service checks
    /// again on each request).
    pub fn edits(
        self,
        stored: &StoredComment,
        revision: Option<&crate::store::Revision>,
        mine: bool,
    ) -> article_widget::domain::comment::Edits {
        let deleted = revision.is_some_and(|r| r.deleted);
        let until = stored.created_at.saturating_add(self.window_ms);
        article_widget::domain::comment::Edits {
            edited: revision
                .and_then(|r| r.edited_at)
                .map(Timestamp::from_millis),
            deleted,
            editable_until: (mine && !deleted && self.now < until)
                .then(|| Timestamp::from_millis(until)),
        }
    }
}
