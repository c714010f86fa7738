//! The article body: paragraphs, headings, quotes, lists and images.

use std::rc::Rc;

use yew::prelude::*;

use super::figure::Figure;
use super::inline::render_inlines;
use crate::domain::article::{Article, Block};

#[derive(Properties, PartialEq)]
pub struct BodyProps {
    pub article: Rc<Article>,
}

#[component]
pub fn ArticleBody(props: &BodyProps) -> Html {
    html! {
        <div class="aw-body">
            { for props.article.body.iter().map(render_block) }
        </div>
    }
}

fn render_block(block: &Block) -> Html {
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
        Block::Image(image) => html! { <Figure image={image.clone()} /> },
    }
}
