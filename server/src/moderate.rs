//! `comment-service moderate …`: what a moderator does, from the command line.

use crate::config::ModerateAction;
use crate::store::{ModerationStatus, Store};
use article_widget::domain::date::Timestamp;

/// Runs one moderation command; returns the process exit code.
pub async fn run(store: &Store, action: ModerateAction) -> Result<i32, sqlx::Error> {
    match action {
        ModerateAction::List { status } => {
            let filter = status.status();
            let comments = store.comments_with_status(filter).await?;
            if comments.is_empty() {
                match filter {
                    Some(status) => println!("No {} comments.", status.as_str()),
                    None => println!("No comments."),
                }
            }
            for comment in comments {
                let excerpt: String = comment
                    .content
                    .chars()
                    .take(70)
                    .collect::<String>()
                    .replace('\n', " ");
                println!(
                    "{}  {:<8}  {}  {}  <{}>  on {}\n    {}{}",
                    comment.id,
                    comment.status.as_str(),
                    Timestamp::from_millis(comment.created_at).to_rfc3339(),
                    comment.author,
                    comment.email,
                    comment.article_id,
                    excerpt,
                    if comment.content.chars().count() > 70 {
                        "…"
                    } else {
                        ""
                    }
                );
            }
            Ok(0)
        }
        ModerateAction::Approve { ids } => {
            change(store, &ids, Some(ModerationStatus::Approved)).await
        }
        ModerateAction::Reject { ids } => {
            change(store, &ids, Some(ModerationStatus::Rejected)).await
        }
        ModerateAction::Delete { ids } => change(store, &ids, None).await,
    }
}

async fn change(
    store: &Store,
    ids: &[String],
    status: Option<ModerationStatus>,
) -> Result<i32, sqlx::Error> {
    if ids.is_empty() {
        eprintln!("Name at least one comment id (see `moderate list`).");
        return Ok(2);
    }
    let mut missing = 0;
    for id in ids {
        let done = match status {
            Some(status) => store.set_status(id, status).await?,
            None => store.delete(id).await?,
        };
        if done {
            println!(
                "{id}: {}",
                status.map_or("deleted", ModerationStatus::as_str)
            );
        } else {
            eprintln!("{id}: no such comment");
            missing += 1;
        }
    }
    Ok(if missing > 0 { 1 } else { 0 })
}
