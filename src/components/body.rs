//! The article body: paragraphs, headings, quotes, lists and images.

use yew::prelude::*;

use super::figure::figure;
use super::inline::render_inlines;
use crate::domain::article::{Article, Block};
use crate::i18n::Texts;

/// A function, not a component (see `header::article_header`).
pub fn article_body(article: &Article, texts: &Texts) -> Html {
    html! {
        <div class="aw-body">
            { for article.body.iter().map(|block| render_block(block, texts)) }
        </div>
    }
}

fn render_block(block: &Block, texts: &Texts) -> Html {
    match block {
        Block::Paragraph(text) => html! { <p>{render_inlines(text)}</p> },
        Block::Heading(text) => html! { <h2>{text.clone()}</h2> },
        Block::Quote { text, cite } => html! {
            <figure class="aw-quote">
                <blockquote><p>{render_inlines(text)}</p></blockquote>
                if let Some(cite) = cite {
                    <figcaption><cite>{cite.clone()}</cite></figcaption>
                }
            </figure>
        },
        Block::List { ordered, items } => {
            let items: Html = items
                .iter()
                .map(|item| html! { <li>{render_inlines(item)}</li> })
                .collect();
            if *ordered {
                html! { <ol>{items}</ol> }
            } else {
                html! { <ul>{items}</ul> }
            }
        }
        Block::Image(image) => figure(image, false, texts),
    }
}
