//! The comment service: the comments API for the article widget (see the README's contract),
//! with the same validation rules as the widget, spam and flood control, idempotent posts,
//! moderation, and SQLite or PostgreSQL storage.
//!
//! Layers, top to bottom (no module imports one above it, nor a sibling area; see
//! ARCHITECTURE.md): `app` (the router) → the areas, each with its `routes()`: `comments`
//! (API, plain form, counts, feeds, holds), `pages` (reading pages and fragments),
//! `moderation` (the area's pages, sign-in, passwords, the command line), `mail` (worker,
//! messages, link pages), `rights` (readers' data), `import` → the shared layers
//! (`rendering`, `http`, `articles`, `backup`, `metrics`, `spam_service`, `reader_data`, `sso`,
//! `link_key`, `markup`, `tokens`, `clock`, `config`) → `store`
//! (by aggregate).

pub mod app;
pub mod articles;
pub mod backup;
pub mod clock;
pub mod comments;
pub mod config;
pub mod http;
pub mod import;
pub mod link_key;
pub mod mail;
pub mod markup;
pub mod metrics;
pub mod moderation;
pub mod pages;
pub mod reader_data;
pub mod rendering;
pub mod rights;
pub mod spam_service;
pub mod sso;
pub mod store;
pub mod tokens;
