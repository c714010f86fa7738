//! The queue (held comments, or any status, one article's, or a search), each comment as a
//! card with its actions, and the actions themselves (one comment's button, or the bulk
//! buttons with the ticked ones), each written to the audit log.

use article_widget::domain::comment::Badges;
use article_widget::domain::date::Timestamp;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};

use super::error::AreaError;
use super::session::{field, Authorised, SignedIn};
use super::views::{csrf_field, page, see_other, shown, status_label, when};
use crate::clock::now_ms;
use crate::http::AppState;
use crate::markup::excerpt;
use crate::spam_service::{Report, SpamCheck};
use crate::store::{ModerationStatus, StoredComment};

/// The most comments one page of the queue shows.
const QUEUE_PAGE: i64 = 100;

#[derive(serde::Deserialize, Default)]
pub struct Filters {
    status: Option<String>,
    article: Option<String>,
    q: Option<String>,
}

pub async fn queue(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    filters: Result<Query<Filters>, QueryRejection>,
) -> Result<Response, AreaError> {
    let Query(filters) = filters?;
    let status_name = filters.status.as_deref().unwrap_or("pending");
    let status = ModerationStatus::ALL
        .into_iter()
        .find(|s| s.as_str() == status_name);
    let article = filters
        .article
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty());
    let search = filters
        .q
        .as_deref()
        .map(str::trim)
        .filter(|q| !q.is_empty());
    let comments = state
        .store
        .search_comments(status, article, search, QUEUE_PAGE)
        .await?;
    let mut cards = Vec::with_capacity(comments.len());
    for comment in &comments {
        cards.push(card(&state, comment).await?);
    }
    let body = html! {
        form.filters method="get" action="/moderate" {
            select name="status" aria-label="Status" {
                @for name in ["pending", "approved", "rejected", "spam", "all"] {
                    option value=(name) selected[name == status_name] { (status_label(name)) }
                }
            }
            input name="article" placeholder="Article id" value=(article.unwrap_or_default())
                aria-label="Article id";
            input name="q" type="search" placeholder="Author, email, address or text"
                value=(search.unwrap_or_default()) aria-label="Search";
            button { "Show" }
        }
        @if cards.is_empty() {
            p { "Nothing here." }
        } @else {
            form method="post" action="/moderate/act" {
                (csrf_field(&session.csrf))
                input type="hidden" name="back" value=(back_address(status_name, article, search));
                div.actions.card {
                    span { "With the ticked ones:" }
                    button name="bulk" value="approve" { "Approve" }
                    button name="bulk" value="reject" { "Reject" }
                    button name="bulk" value="spam" { "Spam" }
                    button name="bulk" value="delete" { "Delete" }
                }
                @for card in cards { (card) }
            }
        }
    };
    let title = match status {
        Some(ModerationStatus::Pending) => "Held for moderation",
        Some(other) => status_label(other.as_str()),
        None => "All comments",
    };
    Ok(page(
        StatusCode::OK,
        &format!("{title} ({})", comments.len()),
        Some(session.signed_in_as()),
        body,
    ))
}

/// Where the actions send the moderator back to: this very view of the queue.
fn back_address(status: &str, article: Option<&str>, search: Option<&str>) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("status", status);
    if let Some(article) = article {
        query.append_pair("article", article);
    }
    if let Some(search) = search {
        query.append_pair("q", search);
    }
    format!("/moderate?{}", query.finish())
}

/// The address of one article's comments in the queue.
fn article_address(article: &str) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("status", "all");
    query.append_pair("article", article);
    format!("/moderate?{}", query.finish())
}

/// One comment: what it is on, what it answers, who wrote it from where, and its actions.
async fn card(state: &AppState, comment: &StoredComment) -> Result<Markup, AreaError> {
    let title = state.articles.title(&comment.article_id).await;
    let parent = match &comment.parent_id {
        Some(parent) => state.store.comment(parent).await?,
        None => None,
    };
    // Pinned, and the badges it was stored with (issue 20).
    let pinned = state
        .store
        .pinned_among(std::slice::from_ref(&comment.id))
        .await?
        .contains(&comment.id);
    let badges = Badges::from_words(comment.badges.as_deref().unwrap_or_default().split(' '));
    // Readers' likes (issue 20), for a moderator weighing a comment.
    let likes = state
        .store
        .like_counts(std::slice::from_ref(&comment.id))
        .await?
        .remove(&comment.id)
        .unwrap_or(0);
    // The version shown (its last edit by its author; 0: never edited), named by Approve.
    let version = state.store.edit_version(&comment.id).await?.unwrap_or(0);
    let actions = [
        (
            "approve",
            "Approve",
            comment.status != ModerationStatus::Approved,
        ),
        (
            "unpublish",
            "Unpublish",
            comment.status == ModerationStatus::Approved,
        ),
        (
            "reject",
            "Reject",
            comment.status != ModerationStatus::Rejected,
        ),
        ("spam", "Spam", comment.status != ModerationStatus::Spam),
        ("delete", "Delete", true),
        // A thread's first comment, approved, is pinned (shown first to readers).
        (
            "pin",
            "Pin",
            !pinned && comment.status == ModerationStatus::Approved && comment.parent_id.is_none(),
        ),
        ("unpin", "Unpin", pinned),
        ("block-email", "Block email", true),
        ("block-address", "Block address", true),
    ];
    let author = if comment.author.is_empty() {
        "Anonymous"
    } else {
        &comment.author
    };
    Ok(html! {
        article.card {
            label {
                // The version shown goes with the id (see `act`).
                input type="checkbox" name="ids" value={ (comment.id) ":" (version) };
                " "
                strong { (shown(author)) }
            }
            " "
            span.meta {
                "(" (status_label(comment.status.as_str())) ") on "
                a href=(article_address(&comment.article_id)) { (shown(&title)) }
            }
            @if pinned {
                " " span.badge.pinned { "Pinned" }
            }
            @if badges.moderator {
                " " span.badge { "Moderator" }
            }
            @if badges.author {
                " " span.badge { "Author" }
            }
            @if let Some(account) = &comment.account {
                // Vouched for by the publisher's sign-in: its account (`iss|sub`) and the name
                // its token gave.
                p.meta.account { "Signed in as " (shown(author)) " (" (shown(account)) ")" }
            }
            p.meta {
                (shown(&comment.email)) " · " (shown(&comment.client_address))
                @if let Some(website) = &comment.website {
                    " · " (shown(website))
                }
                " · " (when(comment.created_at)) " · " (comment.id)
                @if likes > 0 {
                    " · " (likes) @if likes == 1 { " like" } @else { " likes" }
                }
            }
            @if let Some(parent) = parent {
                p.context {
                    "In reply to " (shown(&parent.author)) ": "
                    (shown(&excerpt(&parent.content, 200)))
                }
            }
            p.text { (shown(&comment.content)) }
            div.actions {
                @for (action, label, offered) in actions {
                    @if offered {
                        button name="one" value={ (action) ":" (comment.id) ":" (version) } { (label) }
                    }
                }
            }
        }
    })
}

/// A moderator marked a comment spam, or took one out of spam: the spam service hears of it
/// in the background (`submit-spam` / `submit-ham`), and the action never waits for it.
fn report_correction(state: &AppState, action: &str, before: &StoredComment) {
    let Some(spam) = &state.spam else { return };
    let was_spam = before.status == ModerationStatus::Spam;
    let report = match action {
        "spam" if !was_spam => Report::Spam,
        "approve" | "unpublish" if was_spam => Report::Ham,
        _ => return,
    };
    spam.report(
        report,
        SpamCheck {
            user_ip: before.client_address.clone(),
            // Not kept with the comment: the protocol takes these as optional.
            user_agent: String::new(),
            referrer: String::new(),
            permalink: format!("{}/read/{}", state.settings.public_url, before.article_id),
            comment_type: if before.parent_id.is_some() {
                "reply"
            } else {
                "comment"
            },
            comment_author: before.author.clone(),
            comment_author_email: before.email.clone(),
            comment_author_url: before.website.clone().unwrap_or_default(),
            comment_content: before.content.clone(),
            comment_date_gmt: Timestamp::from_millis(before.created_at).to_rfc3339(),
            blog_lang: None,
        },
    );
}

/// A comment as a form names it: `ID`, or `ID:VERSION` (the version it was shown at).
fn named(target: &str) -> (String, Option<i64>) {
    match target.split_once(':') {
        Some((id, version)) => (id.to_owned(), version.parse().ok()),
        None => (target.to_owned(), None),
    }
}

pub async fn act(
    State(state): State<AppState>,
    Authorised { session, form }: Authorised,
) -> Result<Response, AreaError> {
    // One comment's button ("approve:ID:VERSION"), or the bulk buttons with the ticked
    // "ID:VERSION"s; the version is the comment as it was shown (see `card`; without one, as
    // a script may send, nothing is checked).
    let targets: Vec<(String, String, Option<i64>)> =
        match field(&form, "one").and_then(|v| v.split_once(':')) {
            Some((action, target)) => {
                let (id, version) = named(target);
                vec![(action.to_owned(), id, version)]
            }
            None => {
                let action = field(&form, "bulk").unwrap_or_default().to_owned();
                form.iter()
                    .filter(|(k, _)| k == "ids")
                    .map(|(_, target)| {
                        let (id, version) = named(target);
                        (action.clone(), id, version)
                    })
                    .collect()
            }
        };
    let store = &state.store;
    // Nothing is approved, in bulk either, when one of them was edited since it was shown.
    for (action, id, version) in &targets {
        if let (true, Some(shown)) = (action == "approve", version) {
            if store.edit_version(id).await?.is_some_and(|now| now != *shown) {
                return Err(AreaError::EditedMeanwhile);
            }
        }
    }
    for (action, id, _) in targets {
        // What the comment was, when the spam service may need to hear of a correction.
        let before = match (&state.spam, action.as_str()) {
            (Some(_), "spam" | "approve" | "unpublish") => store.comment(&id).await?,
            _ => None,
        };
        let done = match action.as_str() {
            "approve" => {
                store
                    .set_status(&id, ModerationStatus::Approved, now_ms())
                    .await?
            }
            "unpublish" => {
                store
                    .set_status(&id, ModerationStatus::Pending, now_ms())
                    .await?
            }
            "reject" => {
                store
                    .set_status(&id, ModerationStatus::Rejected, now_ms())
                    .await?
            }
            "spam" => {
                store
                    .set_status(&id, ModerationStatus::Spam, now_ms())
                    .await?
            }
            "delete" => store.delete(&id, now_ms()).await?,
            "pin" | "unpin" => {
                let outcome = if action == "pin" {
                    store.pin(&id, now_ms()).await?
                } else {
                    store.unpin(&id, now_ms()).await?
                };
                if let Some(refusal) = outcome.refusal() {
                    return Err(AreaError::NotPinned(refusal));
                }
                true
            }
            "block-email" | "block-address" => match store.comment(&id).await? {
                Some(comment) => {
                    let (kind, value) = if action == "block-email" {
                        ("email", comment.email)
                    } else {
                        ("address", comment.client_address)
                    };
                    store
                        .block(kind, &value, &session.moderator, now_ms())
                        .await?;
                    store
                        .audit(
                            &session.moderator,
                            &format!("block {kind}"),
                            &value,
                            &format!("from comment {id}"),
                            now_ms(),
                        )
                        .await?;
                    continue;
                }
                None => false,
            },
            _ => false,
        };
        if done {
            store
                .audit(&session.moderator, &action, &id, "", now_ms())
                .await?;
            if let Some(before) = &before {
                report_correction(&state, &action, before);
            }
        }
    }
    let back = field(&form, "back")
        .filter(|b| b.starts_with("/moderate") && !b.starts_with("//"))
        .unwrap_or("/moderate");
    Ok(see_other(back))
}
