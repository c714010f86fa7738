//! The widget: fetches the article at `src` and shows it, or why it cannot.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use yew::prelude::*;

use super::article_view::ArticleView;
use super::config::{BadgeWords, WidgetConfig};
use super::status::{failed, loading};
use super::styles::style_element;
use crate::domain::article::Article;
use crate::domain::errors::LoadError;
use crate::domain::form::FormState;
use crate::domain::thread::ThreadOrder;
use crate::domain::wire::CommentList;
use crate::host_contract::{Theme, WidgetEvent};
use crate::i18n::{Language, Texts};
use crate::shell::http::DEFAULT_TIMEOUT;

#[derive(Properties, PartialEq, Clone)]
pub struct ArticleWidgetProps {
    /// The article JSON's URL, absolute or relative to the page.
    pub src: AttrValue,
    /// How long to wait for the server before offering Retry.
    #[prop_or(DEFAULT_TIMEOUT)]
    pub timeout: Duration,
    /// The interface language asked for (`lang` on the element); else the article's, else
    /// `page_lang`, else English.
    #[prop_or_default]
    pub lang: Option<AttrValue>,
    #[prop_or_default]
    pub page_lang: Option<AttrValue>,
    #[prop_or_default]
    pub theme: Theme,
    /// `comments="off"` hides the comment section entirely.
    #[prop_or(true)]
    pub comments: bool,
    /// `comments-order`: the publisher's choice of which threads come first (and so which
    /// page loads first); the reader can switch.
    #[prop_or_default]
    pub comments_order: ThreadOrder,
    /// The article of `src`, when the page already has it (a prerendered widget carries its
    /// article's JSON): shown at once, and not fetched again.
    #[prop_or_default]
    pub article: Option<Rc<Article>>,
    /// The article's comment thread, when the page already has it (a prerendered widget
    /// carries the list it shows): shown at once, then refreshed.
    #[prop_or_default]
    pub thread: Option<Rc<CommentList>>,
    /// The comment form to start from (a post refused without JavaScript, re-rendered by the
    /// server with the reader's text and the errors).
    #[prop_or_default]
    pub form: Option<Rc<FormState>>,
    /// The widget hydrates a prerendered element: its first render must equal the server's
    /// (Yew adopts those nodes and panics on a mismatch), so what only this browser knows
    /// (the reader's draft and details) is applied right after it. Set by the embed layer.
    #[prop_or_default]
    pub hydrating: bool,
    #[prop_or_default]
    pub on_event: Callback<WidgetEvent>,
    /// `token`: a sign-in token the publisher's server signed for this reader (issue 20); the
    /// form comments under its account's name. Never on the server, which has no token.
    #[prop_or_default]
    pub sign_in_token: Option<AttrValue>,
    /// `token-origin`: origins besides the page's own that the token may go to (the
    /// comments service's, when it is not the page's), separated by spaces.
    #[prop_or_default]
    pub token_origin: Option<AttrValue>,
    /// `badge-moderator`, `badge-author`: the publisher's words for the badges (issue 20).
    #[prop_or_default]
    pub badge_words: BadgeWords,
}

impl ArticleWidgetProps {
    /// The interface strings for an article in `article_language` (when known).
    pub fn texts(&self, article_language: Option<&str>) -> &'static Texts {
        Language::choose([
            self.lang.as_deref(),
            article_language,
            self.page_lang.as_deref(),
        ])
        .texts()
    }

    /// The configuration the article's components read, for an article in
    /// `article_language`.
    pub fn config(&self, article_language: Option<&str>) -> WidgetConfig {
        WidgetConfig {
            texts: self.texts(article_language),
            timeout: self.timeout,
            comments: self.comments,
            order: self.comments_order,
            thread: self.thread.clone(),
            form: self.form.clone(),
            hydrating: self.hydrating,
            on_event: self.on_event.clone(),
            sign_in_token: self.sign_in_token.clone(),
            token_origin: self.token_origin.clone(),
            badge_words: self.badge_words.clone(),
        }
    }
}

#[derive(Clone, PartialEq)]
pub enum LoadState {
    Loading,
    Loaded(Rc<Article>),
    Failed(LoadError),
}

#[component]
pub fn ArticleWidget(props: &ArticleWidgetProps) -> Html {
    let state = use_state(|| match &props.article {
        Some(article) => LoadState::Loaded(article.clone()),
        None => LoadState::Loading,
    });
    // Bumped by Retry: a new attempt with the same src.
    let attempt = use_state(|| 0u32);
    // The article the page gave is the answer to the first load of its src.
    let given = use_mut_ref(|| props.article.is_some().then(|| props.src.clone()));
    {
        let given = given.clone();
        let state = state.clone();
        let timeout = props.timeout;
        let on_event = props.on_event.clone();
        // Messages for the page, in the interface language known before the article is.
        let texts = props.texts(None);
        use_effect_with((props.src.clone(), *attempt), move |(src, _)| {
            let already_here = given.borrow_mut().take().as_ref() == Some(src);
            if already_here {
                if let LoadState::Loaded(article) = &*state {
                    on_event.emit(WidgetEvent::ArticleLoaded {
                        id: article.id.clone(),
                        headline: article.headline.clone(),
                    });
                }
                return Box::new(|| ()) as Box<dyn FnOnce()>;
            }
            state.set(LoadState::Loading);
            // A newer src or attempt, or unmounting, supersedes this one: its request is
            // aborted and a late answer ignored.
            let superseded = Rc::new(Cell::new(false));
            let abort = crate::shell::http::Abort::new();
            let (flag, signal) = (superseded.clone(), abort.signal());
            let src = src.to_string();
            yew::platform::spawn_local(async move {
                let result = crate::shell::http::load_article(&src, timeout, signal.as_ref()).await;
                if flag.get() {
                    return;
                }
                match &result {
                    Ok(article) => on_event.emit(WidgetEvent::ArticleLoaded {
                        id: article.id.clone(),
                        headline: article.headline.clone(),
                    }),
                    Err(error) => on_event.emit(WidgetEvent::ArticleFailed {
                        message: texts.load_error(error),
                    }),
                }
                state.set(match result {
                    Ok(article) => LoadState::Loaded(Rc::new(article)),
                    Err(error) => LoadState::Failed(error),
                });
            });
            Box::new(move || {
                superseded.set(true);
                abort.abort();
            })
        });
    }
    let on_retry = {
        let attempt = attempt.clone();
        Callback::from(move |()| attempt.set(*attempt + 1))
    };
    widget_frame(props.theme, view_state(&state, on_retry, props))
}

/// What each state looks like, in the interface language; separate from fetching so that it
/// renders in native tests. A loaded article gets the widget's configuration (its options and
/// texts) as a context, read where it is used (`config::use_config`).
pub fn view_state(state: &LoadState, on_retry: Callback<()>, props: &ArticleWidgetProps) -> Html {
    match state {
        LoadState::Loading => loading(props.texts(None)),
        LoadState::Loaded(article) => html! {
            <ContextProvider<WidgetConfig> context={props.config(article.language.as_deref())}>
                <ArticleView article={article.clone()} />
            </ContextProvider<WidgetConfig>>
        },
        LoadState::Failed(error) => failed(error, &on_retry, props.texts(None)),
    }
}

/// The styled root every widget state renders in: the stylesheet, then the root element.
pub fn widget_frame(theme: Theme, children: Html) -> Html {
    html! {
        <>
            { style_element() }
            <div class="article-widget" data-theme={theme.as_str()}>
                { children }
            </div>
        </>
    }
}
