//! Yew components, one concern each. They render from the parsed model only; nothing here
//! parses, fetches or decides what is safe, and no string from an article or a server reaches
//! `inner_html` (the one raw markup is our own stylesheet constant, `styles::style_element`).

pub mod article_view;
pub mod back_to_top;
pub mod body;
pub mod comments;
pub mod config;
pub mod figure;
pub mod header;
pub mod inline;
pub mod related;
pub mod status;
pub mod styles;
pub mod widget;
