//! The whole article, from a parsed model.

use std::rc::Rc;

use yew::prelude::*;

use super::back_to_top::{back_to_top, use_back_to_top};
use super::body::article_body;
use super::comments::{comments_section, CommentsProps};
use super::config::use_config;
use super::figure::figure;
use super::header::article_header;
use super::related::related_links;
use crate::domain::article::Article;

#[derive(Properties, PartialEq)]
pub struct ArticleViewProps {
    pub article: Rc<Article>,
}

#[component]
pub fn ArticleView(props: &ArticleViewProps) -> Html {
    let article = &props.article;
    let config = use_config();
    let texts = config.texts;
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
        if config.comments {
            { comments_section(yew::props!(CommentsProps {
                article_id: article.id.clone(),
                url: article.comments_url.clone().map(AttrValue::from),
                api: article.comments_api,
                site: article.url.clone().map(AttrValue::from),
            }), texts) }
        }
        { back_to_top(back_visible, &story_ref, &headline_ref, texts) }
        </div>
    }
}
