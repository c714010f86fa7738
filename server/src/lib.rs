//! The comment service: the comments API for the article widget (see the README's contract),
//! with the same validation rules as the widget, spam and flood control, idempotent posts,
//! moderation, and SQLite or PostgreSQL storage.

pub mod api;
pub mod app;
pub mod articles;
pub mod client_address;
pub mod config;
pub mod counts;
pub mod delivery;
pub mod error;
pub mod feeds;
pub mod form_post;
pub mod http;
pub mod import;
pub mod markup;
pub mod moderate;
pub mod moderation_area;
pub mod notify;
pub mod prerendered;
pub mod store;
pub mod tokens;
