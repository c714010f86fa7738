//! One comment of the thread: author (linked to their website, `rel="nofollow ugc
//! noopener"`), date, the text with its formatting (`domain::comment_markup`'s tree, node by
//! node: links `rel="nofollow ugc"`), and Reply.

use std::rc::Rc;

use yew::prelude::*;

use super::likes::LikePress;
use crate::components::config::{use_config, use_texts, WidgetConfig};
use crate::domain::comment_markup::{parse_comment, CommentBlock, CommentElement, CommentInline};
use crate::domain::draft::ReplyTarget;
use crate::domain::thread::ThreadEntry;
use crate::shell::format;

#[derive(Properties, PartialEq)]
pub struct CommentItemProps {
    pub entry: Rc<ThreadEntry>,
    pub id_prefix: AttrValue,
    /// Stable across renders, so that an unchanged comment is not rendered again.
    pub on_reply: Callback<ReplyTarget>,
    /// Likes, where the API has them (ours): each approved comment not the reader's own
    /// gets a like button with its count.
    #[prop_or_default]
    pub on_like: Option<Callback<LikePress>>,
    /// Our service's comments URL, where the reader's own comments are edited and deleted
    /// (none: no Edit or Delete).
    #[prop_or_default]
    pub edit_url: Option<AttrValue>,
    /// A signed-in reader's token (see `edits::use_own_comment`).
    #[prop_or_default]
    pub account: Option<AttrValue>,
}

/// An element id for a comment, from an id the server chose. Letters, digits and `-` stay;
/// every other character becomes `_<hex code point>_`, so distinct comment ids always give
/// distinct element ids (`a.b` → `a_2e_b`, `a_b` → `a_5f_b`).
pub fn comment_element_id(prefix: &str, comment_id: &str) -> String {
    let mut out = format!("{prefix}-comment-");
    for c in comment_id.chars() {
        if c.is_ascii_alphanumeric() || c == '-' {
            out.push(c);
        } else {
            out.push_str(&format!("_{:x}_", c as u32));
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct ThreadProps {
    pub entries: Rc<Vec<Rc<ThreadEntry>>>,
    pub id_prefix: AttrValue,
    pub on_reply: Callback<ReplyTarget>,
    #[prop_or_default]
    pub on_like: Option<Callback<LikePress>>,
    #[prop_or_default]
    pub edit_url: Option<AttrValue>,
    #[prop_or_default]
    pub account: Option<AttrValue>,
    /// The form, when it is open under a comment (its id): a reply.
    #[prop_or_default]
    pub reply_form: Option<(AttrValue, Html)>,
}

/// The thread. Its inputs do not change while the reader types in the form at the bottom, so
/// a keystroke does not even visit the comments; with the form open under a comment (a
/// reply), the thread renders with it, and unchanged comments are still skipped. Comments
/// are keyed by id: a page added, or the order switched, moves them instead of rendering
/// them again.
#[component]
pub fn Thread(props: &ThreadProps) -> Html {
    let mut items: Vec<Html> = Vec::with_capacity(props.entries.len() + 1);
    for entry in props.entries.iter() {
        items.push(html! {
            <CommentItem key={entry.comment.id.clone()} entry={entry.clone()} id_prefix={props.id_prefix.clone()} on_reply={props.on_reply.clone()} on_like={props.on_like.clone()} edit_url={props.edit_url.clone()} account={props.account.clone()} />
        });
        if let Some((_, form)) = props
            .reply_form
            .as_ref()
            .filter(|(id, _)| id.as_str() == entry.comment.id)
        {
            items.push(
                html! { <li key="aw-reply-form" class="aw-thread-form">{ form.clone() }</li> },
            );
        }
    }
    html! { <ol class="aw-thread">{ items }</ol> }
}

/// One comment. A component of its own with comparable props: when the reader types, or
/// anything else in the section changes, a comment that did not change is not rendered again.
#[component]
pub fn CommentItem(props: &CommentItemProps) -> Html {
    let texts = use_texts();
    let entry = &props.entry;
    let context = props;
    // The reader's own change (edit, deletion) shown over what the list gave.
    let own = super::edits::use_own_comment(props.edit_url.clone(), props.account.clone());
    let shown = own.shown(&entry.comment);
    let comment = &shown;
    let name = |author: &str| {
        if author.is_empty() {
            texts.anonymous.to_owned()
        } else {
            author.to_owned()
        }
    };
    let author_name = name(&comment.author);
    let marks = marks(comment, &use_config());
    let author = match &comment.website {
        Some(website) => html! {
            <a class="aw-comment-author" href={website.clone()} rel="nofollow ugc noopener">{author_name.clone()}</a>
        },
        None => html! { <span class="aw-comment-author">{author_name.clone()}</span> },
    };
    let on_reply = {
        let target = ReplyTarget {
            id: comment.id.clone(),
            author: author_name.clone(),
        };
        context.on_reply.reform(move |event: MouseEvent| {
            event.prevent_default();
            target.clone()
        })
    };
    // A link, as WordPress's: without JavaScript it asks the page for the form under this
    // comment (`?replytocom=`, which the comment service's pages answer); with it, the form
    // moves here at once.
    let reply_href = format!("?replytocom={}", comment.id);
    let element_id = comment_element_id(&context.id_prefix, &comment.id);
    if own.removed() {
        return Html::default();
    }
    if comment.edits.deleted {
        return super::edits::tombstone(element_id, entry.depth, texts);
    }
    html! {
        <li
            id={element_id.clone()}
            tabindex="-1"
            class={classes!("aw-comment", format!("aw-depth-{}", entry.depth), comment.is_pending().then_some("aw-comment--pending"))}
        >
            <article class="aw-comment-body">
                <header class="aw-comment-meta">
                    {author}
                    {marks}
                    <time datetime={comment.published.to_rfc3339()}>{format::date_time(comment.published, texts.language)}</time>
                    { super::edits::edited_mark(comment, texts) }
                    if let Some(parent_author) = &entry.replying_to {
                        <span class="aw-comment-in-reply">{texts.in_reply_to(&name(parent_author))}</span>
                    }
                </header>
                if comment.is_pending() {
                    <p class="aw-comment-pending">{texts.awaiting_moderation}</p>
                }
                if own.editing() {
                    { own.editor(comment, &format!("{element_id}-edit"), texts) }
                } else {
                    <div class="aw-comment-text">
                        { render_blocks(&parse_comment(&comment.content)) }
                    </div>
                }
                <a class="aw-reply-button" href={reply_href} role="button" rel="nofollow"
                    onclick={on_reply} aria-label={texts.reply_to(&author_name)}>
                    {texts.reply}
                </a>
                { like_button(comment, context.on_like.as_ref(), texts) }
                { own.controls(comment, texts) }
            </article>
        </li>
    }
}

/// "Pinned" and the badges (issue 20), as words (never a colour or a symbol alone): the
/// interface language's, or the publisher's for the badges.
fn marks(comment: &crate::domain::comment::Comment, config: &WidgetConfig) -> Html {
    let marks = comment.marks;
    let badge = |shown: bool, word: &Option<AttrValue>, default: &'static str| {
        shown.then(|| {
            let word = word.clone().unwrap_or(AttrValue::Static(default));
            html! { <span class="aw-badge">{word}</span> }
        })
    };
    let words = &config.badge_words;
    let texts = config.texts;
    html! {
        <>
            { badge(marks.badges.moderator, &words.moderator, texts.badge_moderator) }
            { badge(marks.badges.author, &words.author, texts.badge_author) }
            if marks.pinned {
                <span class="aw-pinned">{texts.pinned}</span>
            }
        </>
    }
}

/// The like button of an approved comment that is not the reader's own: pressed or not
/// (`aria-pressed`), its name the count in words (the language's plural forms), its text the
/// count, which the name contains (WCAG 2.5.3, label in name), after a heart drawn by the
/// stylesheet (so no symbol is text the name would have to repeat). Without JavaScript it
/// shows the count and does nothing (a like needs the widget).
fn like_button(
    comment: &crate::domain::comment::Comment,
    on_like: Option<&Callback<LikePress>>,
    texts: &crate::i18n::Texts,
) -> Html {
    let Some(on_like) = on_like.filter(|_| !comment.is_pending() && !comment.likes.mine) else {
        return Html::default();
    };
    let likes = comment.likes;
    let press = (comment.id.clone(), likes);
    let onclick = on_like.reform(move |_: MouseEvent| press.clone());
    html! {
        <button type="button" class="aw-like" aria-pressed={if likes.liked { "true" } else { "false" }}
            aria-label={texts.likes(likes.count)} {onclick}>
            { texts.number(likes.count) }
        </button>
    }
}

/// A comment's blocks as elements. The tree is at most `MAX_QUOTE_DEPTH` quotes and
/// `MAX_INLINE_DEPTH` elements deep, so the recursion here is too.
fn render_blocks(blocks: &[CommentBlock]) -> Html {
    blocks
        .iter()
        .map(|block| match block {
            CommentBlock::Paragraph(nodes) => html! { <p>{ render_inlines(nodes) }</p> },
            CommentBlock::Quote(blocks) => {
                html! { <blockquote>{ render_blocks(blocks) }</blockquote> }
            }
        })
        .collect()
}

fn render_inlines(nodes: &[CommentInline]) -> Html {
    nodes
        .iter()
        .map(|node| match node {
            CommentInline::Text(text) => html! { {text.clone()} },
            CommentInline::Element { kind, children } => {
                // One element with optional attributes for every kind: each `html!` adds
                // its own code to the module.
                let (href, rel, title) = match kind {
                    CommentElement::Link { href } => (
                        Some(AttrValue::from(href.clone())),
                        Some("nofollow ugc"),
                        None,
                    ),
                    CommentElement::Abbreviation { title } => {
                        (None, None, title.clone().map(AttrValue::from))
                    }
                    _ => (None, None, None),
                };
                html! {
                    <@{kind.tag()} {href} {rel} {title}>{ render_inlines(children) }</@>
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::comment_element_id;

    #[test]
    fn distinct_comment_ids_give_distinct_element_ids() {
        let ids = ["a.b", "a_b", "a b", "a-b", "ab", "a_2e_b", "é", "_e9_", ""];
        let elements: std::collections::HashSet<String> = ids
            .iter()
            .map(|id| comment_element_id("aw-x", id))
            .collect();
        assert_eq!(elements.len(), ids.len(), "{elements:?}");
        assert_eq!(comment_element_id("aw-x", "c-12"), "aw-x-comment-c-12");
        assert!(elements.iter().all(|e| e
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')));
    }
}
