//! Moderation: the area in the browser (`area`: sign-in, queue, actions, blocks, audit,
//! overview) and the moderator's commands (`cli`).

pub mod area;
pub mod cli;

pub use area::routes;
