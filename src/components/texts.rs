//! The interface language's texts, handed down once through a Yew context (a
//! `ContextProvider<&'static Texts>` in `widget::view_state`, for the language chosen there)
//! instead of as a prop on every component.

use yew::prelude::*;

use crate::i18n::{Texts, ENGLISH};

/// The texts of the widget's interface language. Outside a provider (a component rendered on
/// its own), English.
#[hook]
pub fn use_texts() -> &'static Texts {
    use_context::<&'static Texts>().unwrap_or(&ENGLISH)
}
