//! The article widget: a news article with its comment section, as a Yew component.
//!
//! Layers (see ARCHITECTURE.md): [`domain`] is the pure core; [`shell`] talks to the browser;
//! [`components`] render; [`app`] wires a widget together.

pub mod components;
pub mod domain;
#[cfg(target_arch = "wasm32")]
pub mod embed;
pub mod i18n;
pub mod shell;

pub use components::widget::{ArticleWidget, ArticleWidgetProps};
