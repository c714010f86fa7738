//! The HTTP layer every area stands on: the shared state, what a request carries
//! (`extract`), which origins may call (`origin`), the list's paging parameters (`paging`),
//! and the clock. It imports no area: areas import it, and `app`
//! assembles them into the router.

pub mod extract;
pub mod origin;
pub mod paging;

use std::sync::Arc;

use article_widget::domain::comment::Comment;
use article_widget::domain::date::Timestamp;

use crate::articles::ArticleGate;
use crate::config::Settings;
use crate::store::{Store, StoredComment};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub articles: Arc<ArticleGate>,
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
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
    }
}
