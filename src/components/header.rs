//! Kicker, headline, standfirst, byline, dates and reading time.

use std::rc::Rc;

use yew::prelude::*;

use crate::domain::article::{Article, Author};
use crate::domain::url::is_external;
use crate::i18n::Texts;
use crate::shell::format;

/// A plain function, not a component: it has no state, and `ArticleView` (a component)
/// re-renders it only when the article changes. Each component costs the module its own copy
/// of Yew's lifecycle code, so the stateless parts of the article are functions.
/// `headline_ref` is the headline, focused by "Back to top".
pub fn article_header(
    article: &Rc<Article>,
    headline_ref: &NodeRef,
    headline_id: &AttrValue,
    texts: &Texts,
) -> Html {
    html! {
        <header class="aw-header">
            if let Some(kicker) = &article.kicker {
                <p class="aw-kicker">{kicker.clone()}</p>
            }
            <h1 id={headline_id.clone()} class="aw-headline" tabindex="-1" ref={headline_ref.clone()}>
                {article.headline.clone()}
            </h1>
            if let Some(standfirst) = &article.standfirst {
                <p class="aw-standfirst">{standfirst.clone()}</p>
            }
            <div class="aw-meta">
                if !article.authors.is_empty() {
                    <p class="aw-byline">{texts.by}{" "}{byline(&article.authors, texts)}</p>
                }
                <p class="aw-dates">
                    <time datetime={article.published.to_rfc3339()}>{format::date_time(article.published, texts.language)}</time>
                    if let Some(updated) = article.updated {
                        <span class="aw-updated">
                            {texts.updated}{" "}
                            <time datetime={updated.to_rfc3339()}>{format::date_time(updated, texts.language)}</time>
                        </span>
                    }
                    <span class="aw-reading-time">{texts.reading_time(article.reading_minutes())}</span>
                </p>
            </div>
        </header>
    }
}

/// "A", "A and B", "A, B and C", each linked where the article gives a URL.
fn byline(authors: &[Author], texts: &Texts) -> Html {
    let count = authors.len();
    authors
        .iter()
        .enumerate()
        .map(|(index, author)| {
            let separator = match index {
                0 => String::new(),
                last if last == count - 1 => format!(" {} ", texts.and),
                _ => ", ".to_owned(),
            };
            let name = match &author.url {
                Some(url) => html! {
                    <a class="aw-author" href={url.clone()} rel={if is_external(url) { "author noopener noreferrer" } else { "author" }}>
                        {author.name.clone()}
                    </a>
                },
                None => html! { <span class="aw-author">{author.name.clone()}</span> },
            };
            html! { <>{separator}{name}</> }
        })
        .collect()
}
