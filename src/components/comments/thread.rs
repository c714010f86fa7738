//! One comment of the thread: author (linked to their website, `rel="nofollow ugc
//! noopener"`), date, plain text with its line breaks, and Reply.

use yew::prelude::*;

use crate::domain::article::split_paragraphs;
use crate::domain::thread::ThreadEntry;
use crate::i18n::Texts;
use crate::shell::format;

#[derive(Clone, PartialEq)]
pub struct ThreadContext {
    pub id_prefix: AttrValue,
    /// (comment id, author) of the comment to reply to.
    pub on_reply: Callback<(String, String)>,
    pub texts: &'static Texts,
}

/// An element id for a comment, from an id the server chose (kept to safe characters).
pub fn comment_element_id(prefix: &str, comment_id: &str) -> String {
    let safe: String = comment_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{prefix}-comment-{safe}")
}

pub fn comment_item(entry: &ThreadEntry, context: &ThreadContext) -> Html {
    let comment = &entry.comment;
    let texts = context.texts;
    let name = |author: &str| {
        if author.is_empty() {
            texts.anonymous.to_owned()
        } else {
            author.to_owned()
        }
    };
    let author_name = name(&comment.author);
    let author = match &comment.website {
        Some(website) => html! {
            <a class="aw-comment-author" href={website.clone()} rel="nofollow ugc noopener">{author_name.clone()}</a>
        },
        None => html! { <span class="aw-comment-author">{author_name.clone()}</span> },
    };
    let on_reply = {
        let target = (comment.id.clone(), author_name.clone());
        context.on_reply.reform(move |_: MouseEvent| target.clone())
    };
    html! {
        <li
            id={comment_element_id(&context.id_prefix, &comment.id)}
            class={classes!("aw-comment", format!("aw-depth-{}", entry.depth), comment.pending.then_some("aw-comment--pending"))}
        >
            <article class="aw-comment-body">
                <header class="aw-comment-meta">
                    {author}
                    <time datetime={comment.published.to_rfc3339()}>{format::date_time(comment.published)}</time>
                    if let Some(parent_author) = &entry.replying_to {
                        <span class="aw-comment-in-reply">{texts.in_reply_to(&name(parent_author))}</span>
                    }
                </header>
                if comment.pending {
                    <p class="aw-comment-pending">{texts.awaiting_moderation}</p>
                }
                <div class="aw-comment-text">
                    { for split_paragraphs(&comment.content).into_iter().map(|paragraph| html! { <p>{paragraph}</p> }) }
                </div>
                <button type="button" class="aw-reply-button" onclick={on_reply}
                    aria-label={texts.reply_to(&author_name)}>
                    {texts.reply}
                </button>
            </article>
        </li>
    }
}
