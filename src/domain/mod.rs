//! The functional core: pure Rust, no web APIs, tested natively. The comment service reuses it.

pub mod article;
pub mod comment;
pub mod date;
pub mod form;
pub mod inline;
pub mod language;
pub mod load_error;
pub mod posting;
pub mod thread;
pub mod url;
