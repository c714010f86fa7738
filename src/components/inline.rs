//! Renders an allowlisted inline tree as DOM nodes.

use yew::prelude::*;
use yew::virtual_dom::VText;

use crate::domain::inline::{Inline, InlineKind};
use crate::domain::url::is_external;

pub fn render_inlines(nodes: &[Inline]) -> Html {
    nodes.iter().map(render_inline).collect()
}

fn render_inline(node: &Inline) -> Html {
    match node {
        Inline::Text(text) => VText::new(text.clone()).into(),
        Inline::LineBreak => html! { <br /> },
        Inline::Element { kind, children } => {
            let inner = render_inlines(children);
            match kind {
                InlineKind::Link { href } => html! {
                    <a href={href.clone()} rel={is_external(href).then_some("noopener noreferrer")}>{inner}</a>
                },
                InlineKind::Emphasis => html! { <em>{inner}</em> },
                InlineKind::Strong => html! { <strong>{inner}</strong> },
                InlineKind::Italic => html! { <i>{inner}</i> },
                InlineKind::Bold => html! { <b>{inner}</b> },
                InlineKind::Code => html! { <code>{inner}</code> },
            }
        }
    }
}
