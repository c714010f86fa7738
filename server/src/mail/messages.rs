//! Each message, composed from what the database holds as it leaves (see `worker`): `held`
//! (to the moderators, one by one or as a digest), `confirm` (the double opt-in's link),
//! `reply` (to a confirmed author, with a one-click unsubscribe) and `data-link` (a reader's
//! link to their data, `reader_data`). Plain text: nothing here is
//! markup, so nothing is escaped; what a commenter wrote is quoted as the text the thread shows
//! (`comment_plain_text`: no tags, a link's address after its words), and only in messages to
//! the moderators or to an address its owner confirmed. The links come from
//! `links`.

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::Message;

use article_widget::domain::comment_markup::comment_plain_text;

use super::links::{confirmation_token, unsubscribe_token, CONFIRMATION_VALID_DAYS};
use crate::articles::ArticleGate;
use crate::clock::now_ms;
use crate::markup::excerpt;
use crate::reader_data::data_link_token;
use crate::store::{ModerationStatus, OutboxItem, Store, StoredComment};

/// Who messages come from and go to, and the service's public address their links start with.
#[derive(Clone, Debug)]
pub struct Letterhead {
    pub from: Mailbox,
    pub moderators: Vec<Mailbox>,
    /// Without a trailing `/`.
    pub public_url: String,
}

pub(super) async fn held_summary(articles: &ArticleGate, comment: &StoredComment) -> String {
    let title = articles.title(&comment.article_id).await;
    format!(
        "On “{title}”, {} <{}> wrote:\n{}",
        comment.author,
        comment.email,
        excerpt(&comment_plain_text(&comment.content), 600)
    )
}

/// The one-click unsubscribe link for `email` (signed with `key`).
fn unsubscribe_link(letterhead: &Letterhead, key: &[u8], email: &str) -> String {
    format!(
        "{}/unsubscribe?token={}",
        letterhead.public_url,
        unsubscribe_token(key, email)
    )
}

/// The message for an outbox item, from what the database holds now.
pub(super) async fn compose(
    store: &Store,
    articles: &ArticleGate,
    letterhead: &Letterhead,
    key: &[u8],
    item: &OutboxItem,
) -> Result<Option<Message>, String> {
    if item.kind == "data-link" {
        return data_link(store, letterhead, key, &item.comment_id).await;
    }
    let comment = match store.comment(&item.comment_id).await {
        Ok(Some(comment)) => comment,
        Ok(None) => return Ok(None),
        Err(error) => return Err(error.to_string()),
    };
    match item.kind.as_str() {
        "held" => {
            if letterhead.moderators.is_empty() {
                return Ok(None);
            }
            let title = articles.title(&comment.article_id).await;
            let body = format!(
                "{}\n\nModerate it: {}/moderate\n",
                held_summary(articles, &comment).await,
                letterhead.public_url
            );
            build(
                letterhead,
                &letterhead.moderators,
                &format!("A comment awaits moderation on “{title}”"),
                body,
                None,
            )
            .map(Some)
        }
        "reply" => {
            let Some(parent_id) = &comment.parent_id else {
                return Ok(None);
            };
            let parent = match store.comment(parent_id).await {
                Ok(Some(parent)) => parent,
                Ok(None) => return Ok(None),
                Err(error) => return Err(error.to_string()),
            };
            // Checked again as the message leaves: the parent may have been hidden, the
            // address unsubscribed, since the reply was approved.
            if parent.status != ModerationStatus::Approved
                || !store
                    .address_state(&parent.email)
                    .await
                    .map_err(|e| e.to_string())?
                    .may_hear_of_replies()
            {
                return Ok(None);
            }
            let to: Mailbox = match parent.email.parse() {
                Ok(to) => to,
                Err(_) => return Ok(None),
            };
            let title = articles.title(&comment.article_id).await;
            let unsubscribe = unsubscribe_link(letterhead, key, &parent.email);
            let body = format!(
                "{} replied to your comment on “{title}”:\n\n{}\n\nRead it: {}/read/{}#comment-{}\n\n\
                 You get this because you asked to hear of replies. Stop: {unsubscribe}\n",
                if comment.author.is_empty() { "Someone" } else { &comment.author },
                excerpt(&comment_plain_text(&comment.content), 1_000),
                letterhead.public_url,
                comment.article_id,
                comment.id
            );
            build(
                letterhead,
                &[to],
                &format!("A reply to your comment on “{title}”"),
                body,
                Some(&unsubscribe),
            )
            .map(Some)
        }
        "confirm" => {
            let state = store
                .address_state(&comment.email)
                .await
                .map_err(|e| e.to_string())?;
            if state.confirmed || state.unsubscribed {
                return Ok(None);
            }
            let to: Mailbox = match comment.email.parse() {
                Ok(to) => to,
                Err(_) => return Ok(None),
            };
            let title = articles.title(&comment.article_id).await;
            let confirm = format!(
                "{}/notifications/confirm?token={}",
                letterhead.public_url,
                confirmation_token(key, &comment.email, now_ms() / 1000)
            );
            let unsubscribe = unsubscribe_link(letterhead, key, &comment.email);
            // Nothing the commenter wrote: whoever typed this address, its owner reads only
            // the article's title and our links.
            let body = format!(
                "Someone commented on “{title}” with this email address and asked to be told \
                 by email when someone replies.\n\n\
                 If it was you, confirm the address (the link works for {CONFIRMATION_VALID_DAYS} \
                 days; you confirm once, for all your comments):\n{confirm}\n\n\
                 If it was not you, ignore this message: without confirmation this address \
                 gets no emails about replies, and at most one such request an hour.\n\n\
                 Never ask this address again: {unsubscribe}\n"
            );
            build(
                letterhead,
                &[to],
                "Confirm your email address for replies",
                body,
                Some(&unsubscribe),
            )
            .map(Some)
        }
        _ => Ok(None),
    }
}

/// A reader asked for their data (`/my-data`): the link, to the address asked for only, made
/// from its row (`nonce`) as it leaves. Nothing when the link was used, erased or forgotten.
async fn data_link(
    store: &Store,
    letterhead: &Letterhead,
    key: &[u8],
    nonce: &str,
) -> Result<Option<Message>, String> {
    let link = match store.data_link(nonce).await {
        Ok(Some(link)) if link.used_at.is_none() => link,
        Ok(_) => return Ok(None),
        Err(error) => return Err(error.to_string()),
    };
    let to: Mailbox = match link.email.parse() {
        Ok(to) => to,
        Err(_) => return Ok(None),
    };
    let open = format!(
        "{}/my-data/open?token={}",
        letterhead.public_url,
        data_link_token(key, &link.email, link.issued_at / 1000, nonce)
    );
    let hours = (link.expires_at - link.issued_at) / 3_600_000;
    let body = format!(
        "Someone asked, on {}/my-data, to see the comments and subscriptions held under this \
         email address.\n\n\
         If it was you, open this link (it works once, for {hours} hours) to download your data \
         or erase it:\n{open}\n\n\
         If it was not you, ignore this message: nothing is shown to anyone without this link.\n",
        letterhead.public_url
    );
    build(letterhead, &[to], "Your data on our comments", body, None).map(Some)
}

/// The digest of held comments (each as `held_summary` wrote it), or `None` when there is
/// nothing to say or no moderator to say it to.
pub(super) fn digest(
    letterhead: &Letterhead,
    summaries: &[String],
) -> Result<Option<Message>, String> {
    if summaries.is_empty() || letterhead.moderators.is_empty() {
        return Ok(None);
    }
    let subject = match summaries.len() {
        1 => "1 comment awaits moderation".to_owned(),
        n => format!("{n} comments await moderation"),
    };
    let body = format!(
        "{}\n\nModerate them: {}/moderate\n",
        summaries.join("\n\n"),
        letterhead.public_url
    );
    build(letterhead, &letterhead.moderators, &subject, body, None).map(Some)
}

fn build(
    letterhead: &Letterhead,
    to: &[Mailbox],
    subject: &str,
    body: String,
    unsubscribe: Option<&str>,
) -> Result<Message, String> {
    let mut builder = Message::builder()
        .from(letterhead.from.clone())
        .subject(subject);
    for recipient in to {
        builder = builder.to(recipient.clone());
    }
    let mut message = builder
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())?;
    if let Some(link) = unsubscribe {
        let headers = message.headers_mut();
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{link}>"),
        ));
        headers.insert_raw(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".to_owned(),
        ));
    }
    Ok(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_held_comment_is_quoted_as_the_thread_shows_it() {
        let comment = StoredComment {
            id: "c1".into(),
            article_id: "a".into(),
            parent_id: None,
            author: "Ann".into(),
            email: "ann@example.com".into(),
            website: None,
            content:
                "<b>Cheap</b> <a href=\"https://spam.example\">pills</a>\n\n<script>x</script>"
                    .into(),
            status: ModerationStatus::Pending,
            created_at: 0,
            client_address: "127.0.0.1".into(),
            author_token: None,
            account: None,
            badges: None,
            notify: false,
        };
        let summary = held_summary(&ArticleGate::new(None), &comment).await;
        assert!(
            summary.ends_with("wrote:\nCheap pills <https://spam.example>\n\n<script>x</script>"),
            "no tags, and where the link leads: {summary}"
        );
    }
}
