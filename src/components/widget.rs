//! The widget: fetches the article at `src` and shows it, or why it cannot.

use std::cell::Cell;
use std::rc::Rc;

use yew::prelude::*;

use super::article_view::ArticleView;
use super::status::{Failed, Loading};
use super::styles::use_widget_style;
use crate::domain::article::Article;
use crate::domain::load_error::LoadError;
use crate::i18n::texts;

#[derive(Properties, PartialEq, Clone)]
pub struct ArticleWidgetProps {
    /// The article JSON's URL, absolute or relative to the page.
    pub src: AttrValue,
    /// How long to wait for the server before offering Retry.
    #[prop_or(crate::shell::http::DEFAULT_TIMEOUT)]
    pub timeout: std::time::Duration,
}

#[derive(Clone, PartialEq)]
pub enum LoadState {
    Loading,
    Loaded(Rc<Article>),
    Failed(LoadError),
}

#[component]
pub fn ArticleWidget(props: &ArticleWidgetProps) -> Html {
    let state = use_state(|| LoadState::Loading);
    // Bumped by Retry: a new attempt with the same src.
    let attempt = use_state(|| 0u32);
    {
        let state = state.clone();
        let timeout = props.timeout;
        use_effect_with((props.src.clone(), *attempt), move |(src, _)| {
            state.set(LoadState::Loading);
            // A newer src or attempt supersedes this one: its late answer is ignored.
            let superseded = Rc::new(Cell::new(false));
            let flag = superseded.clone();
            let src = src.to_string();
            yew::platform::spawn_local(async move {
                let result = crate::shell::http::load_article(&src, timeout).await;
                if !flag.get() {
                    state.set(match result {
                        Ok(article) => LoadState::Loaded(Rc::new(article)),
                        Err(error) => LoadState::Failed(error),
                    });
                }
            });
            move || superseded.set(true)
        });
    }
    let on_retry = {
        let attempt = attempt.clone();
        Callback::from(move |()| attempt.set(*attempt + 1))
    };
    html! {
        <WidgetFrame>
            { view_state(&state, on_retry, props.timeout) }
        </WidgetFrame>
    }
}

/// What each state looks like; separate from fetching so that it renders in native tests.
pub fn view_state(state: &LoadState, on_retry: Callback<()>, timeout: std::time::Duration) -> Html {
    let texts = texts(None);
    match state {
        LoadState::Loading => html! { <Loading {texts} /> },
        LoadState::Loaded(article) => html! { <ArticleView article={article.clone()} {timeout} /> },
        LoadState::Failed(error) => html! { <Failed error={error.clone()} {on_retry} {texts} /> },
    }
}

#[derive(Properties, PartialEq)]
pub struct WidgetFrameProps {
    #[prop_or_default]
    pub children: Html,
}

/// The styled root every widget state renders in.
#[component]
pub fn WidgetFrame(props: &WidgetFrameProps) -> Html {
    let class = use_widget_style();
    html! {
        <div class={classes!(class, "article-widget")}>
            { props.children.clone() }
        </div>
    }
}
