//! "Related Articles": omitted entirely when there are none, as on the sample page.

use std::rc::Rc;

use yew::prelude::*;

use super::figure::Picture;
use super::texts::use_texts;
use crate::domain::article::Article;
use crate::domain::url::is_external;
use crate::shell::format;

#[derive(Properties, PartialEq)]
pub struct RelatedProps {
    pub article: Rc<Article>,
    pub heading_id: AttrValue,
}

#[component]
pub fn RelatedLinks(props: &RelatedProps) -> Html {
    let texts = use_texts();
    let related = &props.article.related;
    if related.is_empty() {
        return Html::default();
    }
    html! {
        <nav class="aw-related" aria-labelledby={props.heading_id.clone()}>
            <h2 id={props.heading_id.clone()}>{texts.related}</h2>
            <ul>
                { for related.iter().map(|item| html! {
                    <li>
                        <a href={item.url.clone()} rel={is_external(&item.url).then_some("noopener noreferrer")}>
                            if let Some(image) = &item.image {
                                // Decorative here: the title beside it says what the link is.
                                <Picture image={image.clone()} decorative=true />
                            }
                            <span class="aw-related-title">{item.title.clone()}</span>
                        </a>
                        if let Some(published) = item.published {
                            <time datetime={published.to_rfc3339()}>{format::date_only(published, texts.language)}</time>
                        }
                    </li>
                }) }
            </ul>
        </nav>
    }
}
