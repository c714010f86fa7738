//! "Related Articles": omitted entirely when there are none, as on the sample page.

use yew::prelude::*;

use super::figure::Picture;
use crate::domain::article::Article;
use crate::domain::url::is_external;
use crate::i18n::Texts;
use crate::shell::format;

/// A function, not a component (see `header::article_header`).
pub fn related_links(article: &Article, heading_id: &AttrValue, texts: &Texts) -> Html {
    let related = &article.related;
    if related.is_empty() {
        return Html::default();
    }
    html! {
        <nav class="aw-related" aria-labelledby={heading_id.clone()}>
            <h2 id={heading_id.clone()}>{texts.related}</h2>
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
