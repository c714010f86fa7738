//! The functional core: pure Rust, no web APIs, tested natively. The comment service reuses it.

pub mod article;
pub mod blocks;
pub mod comment;
pub mod comment_markup;
pub mod comment_rules;
pub mod date;
pub mod draft;
pub mod edits;
pub mod entities;
pub mod errors;
pub mod form;
pub mod inline;
pub mod json;
pub mod language;
pub mod likes;
pub mod live;
pub mod paging;
pub mod reading;
pub mod schema_org;
pub mod sign_in;
pub mod structured_data;
pub mod text;
pub mod thread;
pub mod url;
pub mod wire;
pub mod wordpress;
