//! The article widget: a news article with its comment section, as a Yew component.
//!
//! Layers (see ARCHITECTURE.md), each depending only on those below it:
//! [`embed`] (the host page's entry point) → [`components`] (render) → [`shell`] (the
//! browser) → [`i18n`] (the widget's words) and [`host_contract`] (options and events) →
//! [`domain`] (the pure core, shared with the comment service).

pub mod components;
pub mod domain;
#[cfg(target_arch = "wasm32")]
pub mod embed;
pub mod host_contract;
pub mod i18n;
#[cfg(not(target_arch = "wasm32"))]
pub mod prerender;
pub mod shell;

pub use components::widget::{ArticleWidget, ArticleWidgetProps};
