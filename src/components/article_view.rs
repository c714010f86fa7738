//! The whole article, from a parsed model.

use std::rc::Rc;

use yew::prelude::*;

use super::back_to_top::{back_to_top, use_back_to_top};
use super::body::article_body;
use super::comments::{comments_section, CommentsProps};
use super::figure::figure;
use super::header::article_header;
use super::related::related_links;
use super::texts::use_texts;
use crate::domain::article::Article;
use crate::domain::form::FormState;
use crate::domain::thread::ThreadOrder;
use crate::domain::wire::CommentList;
use crate::host_contract::WidgetEvent;

#[derive(Properties, PartialEq)]
pub struct ArticleViewProps {
    pub article: Rc<Article>,
    /// Time limit for the comment requests.
    #[prop_or(crate::shell::http::DEFAULT_TIMEOUT)]
    pub timeout: std::time::Duration,
    /// False when the host turned comments off: no section at all.
    #[prop_or(true)]
    pub comments: bool,
    /// The comment thread the page already has, if any.
    #[prop_or_default]
    pub thread: Option<Rc<CommentList>>,
    /// The comment form to start from, if not the reader's stored draft.
    #[prop_or_default]
    pub form: Option<Rc<FormState>>,
    /// The first render adopts the server's markup (see `ArticleWidgetProps::hydrating`).
    #[prop_or_default]
    pub hydrating: bool,
    #[prop_or_default]
    pub comments_order: ThreadOrder,
    #[prop_or_default]
    pub on_event: Callback<WidgetEvent>,
}

#[component]
pub fn ArticleView(props: &ArticleViewProps) -> Html {
    let article = &props.article;
    let texts = use_texts();
    let story_ref = use_node_ref();
    let headline_ref = use_node_ref();
    let back_visible = use_back_to_top(story_ref.clone());
    // Ids are per article so that two widgets on one page do not share them.
    let headline_id: AttrValue = format!("aw-{}-headline", article.id).into();
    let related_id: AttrValue = format!("aw-{}-related", article.id).into();
    html! {
        <div class="aw-story" ref={story_ref.clone()}>
        <article
            class="aw-article"
            lang={article.language.clone()}
            // Without a language (a WordPress post has none) both are the host page's: the
            // shadow tree inherits its host's direction, so a Persian site's post reads right
            // to left.
            dir={article.direction().map(|d| d.as_str())}
            aria-labelledby={headline_id.clone()}
        >
            { article_header(article, &headline_ref, &headline_id, texts) }
            if let Some(image) = &article.image {
                { figure(image, true, texts) }
            }
            { article_body(article, texts) }
            { related_links(article, &related_id, texts) }
        </article>
        if props.comments {
            { comments_section(yew::props!(CommentsProps {
                article_id: article.id.clone(),
                url: article.comments_url.clone().map(AttrValue::from),
                api: article.comments_api,
                site: article.url.clone().map(AttrValue::from),
                timeout: props.timeout,
                thread: props.thread.clone(),
                form: props.form.clone(),
                hydrating: props.hydrating,
                order: props.comments_order,
                on_event: props.on_event.clone(),
            }), texts) }
        }
        { back_to_top(back_visible, &story_ref, &headline_ref, texts) }
        </div>
    }
}
