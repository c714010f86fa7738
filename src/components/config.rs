//! What the host page set for one widget (its options, see `ArticleWidgetProps`) and the
//! interface language's texts, handed down once through a Yew context (a
//! `ContextProvider<WidgetConfig>` in `widget::view_state`) instead of as props through every
//! component between the widget and the comment section.

use std::rc::Rc;
use std::time::Duration;

use yew::prelude::*;

use crate::domain::form::FormState;
use crate::domain::thread::ThreadOrder;
use crate::domain::wire::CommentList;
use crate::host_contract::WidgetEvent;
use crate::i18n::{Texts, ENGLISH};
use crate::shell::http::DEFAULT_TIMEOUT;

#[derive(Clone, PartialEq)]
pub struct WidgetConfig {
    /// The interface language's words (chosen in `widget::view_state`).
    pub texts: &'static Texts,
    /// Time limit for every request the comment section makes.
    pub timeout: Duration,
    /// False when the host turned comments off: no section at all.
    pub comments: bool,
    /// The publisher's order: which threads come first, and so which page loads first.
    pub order: ThreadOrder,
    /// The thread's first page as the page already has it (prerendered): shown at once, then
    /// refreshed quietly (a failed refresh keeps it).
    pub thread: Option<Rc<CommentList>>,
    /// The comment form to start from (a refused post, re-rendered by the server); else the
    /// reader's stored draft.
    pub form: Option<Rc<FormState>>,
    /// The first render adopts the server's markup (see `ArticleWidgetProps::hydrating`).
    pub hydrating: bool,
    /// What the widget tells the host page.
    pub on_event: Callback<WidgetEvent>,
    /// The publisher's sign-in token (`token` on the element), read by the form after its
    /// first render (`hooks::use_sign_in`); never rendered.
    pub sign_in_token: Option<AttrValue>,
    /// The origins besides the page's own that the token may go to (`token-origin`).
    pub token_origin: Option<AttrValue>,
    /// The publisher's words for the comments' badges (issue 20).
    pub badge_words: BadgeWords,
}

/// The publisher's words for the comments' badges (`badge-moderator`, `badge-author`), each
/// shown in place of the interface language's; `None`: the language's.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BadgeWords {
    pub moderator: Option<AttrValue>,
    pub author: Option<AttrValue>,
}

impl BadgeWords {
    /// The most characters a badge's word keeps (a badge is a word or two, never a sentence).
    pub const MAX_CHARS: usize = 40;

    /// From the attributes' values: trimmed, at most `MAX_CHARS` characters; empty is none.
    pub fn new(moderator: Option<&str>, author: Option<&str>) -> BadgeWords {
        let word = |value: Option<&str>| {
            let word: String = value?.trim().chars().take(Self::MAX_CHARS).collect();
            (!word.is_empty()).then(|| AttrValue::from(word))
        };
        BadgeWords {
            moderator: word(moderator),
            author: word(author),
        }
    }
}

impl Default for WidgetConfig {
    /// A component rendered on its own, outside a widget: English, the default time limit,
    /// comments on, nothing given, nobody listening.
    fn default() -> WidgetConfig {
        WidgetConfig {
            texts: &ENGLISH,
            timeout: DEFAULT_TIMEOUT,
            comments: true,
            order: ThreadOrder::default(),
            thread: None,
            form: None,
            hydrating: false,
            on_event: Callback::default(),
            sign_in_token: None,
            token_origin: None,
            badge_words: BadgeWords::default(),
        }
    }
}

/// The widget's configuration; outside a provider, `WidgetConfig::default()`.
#[hook]
pub fn use_config() -> WidgetConfig {
    use_context::<WidgetConfig>().unwrap_or_default()
}

/// The texts of the widget's interface language (English outside a provider).
#[hook]
pub fn use_texts() -> &'static Texts {
    use_config().texts
}
