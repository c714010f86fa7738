//! The comment section: the thread and the "Leave a Reply" form. The section owns all state
//! (so the form keeps what was typed when it moves under a comment to reply) in two pure
//! reducers, the form's (`model.rs`) and the list's (`listing.rs`); its effects are the named
//! hooks of `hooks.rs`; `form.rs` and `thread.rs` only render it.

mod edits;
mod form;
mod hooks;
mod likes;
mod listing;
mod live;
mod model;
mod section;
mod thread;

pub use section::{comments_section, CommentsProps};
