//! Mail: the outbox's worker and messages, and the pages its links open (confirm, unsubscribe).

pub mod notify;

pub use notify::routes;
