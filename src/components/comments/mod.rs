//! The comment section: the thread and the "Leave a Reply" form. The section owns all state
//! (so the form keeps what was typed when it moves under a comment to reply); `form.rs` and
//! `thread.rs` only render it.

mod form;
mod model;
mod section;
mod thread;

pub use section::{comments_section, CommentsProps};
