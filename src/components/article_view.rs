//! The whole article, from a parsed model.

use std::rc::Rc;

use yew::prelude::*;

use super::back_to_top::BackToTop;
use super::body::ArticleBody;
use super::figure::Figure;
use super::header::ArticleHeader;
use super::related::RelatedLinks;
use crate::domain::article::Article;
use crate::i18n::texts;

#[derive(Properties, PartialEq)]
pub struct ArticleViewProps {
    pub article: Rc<Article>,
}

#[component]
pub fn ArticleView(props: &ArticleViewProps) -> Html {
    let article = &props.article;
    let texts = texts(article.language.as_deref());
    let article_ref = use_node_ref();
    let headline_ref = use_node_ref();
    // Ids are per article so that two widgets on one page do not share them.
    let headline_id: AttrValue = format!("aw-{}-headline", article.id).into();
    let related_id: AttrValue = format!("aw-{}-related", article.id).into();
    html! {
        <article
            ref={article_ref.clone()}
            class="aw-article"
            lang={article.language.clone()}
            dir={article.direction().as_str()}
            aria-labelledby={headline_id.clone()}
        >
            <ArticleHeader article={article.clone()} headline_ref={headline_ref.clone()} {headline_id} {texts} />
            if let Some(image) = &article.image {
                <Figure image={image.clone()} featured=true {texts} />
            }
            <ArticleBody article={article.clone()} {texts} />
            <RelatedLinks article={article.clone()} heading_id={related_id} {texts} />
            <BackToTop article={article_ref} target={headline_ref} {texts} />
        </article>
    }
}
