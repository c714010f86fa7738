//! `comment-service moderate …`: what a moderator does, from the command line.

use crate::clock::now_ms;
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
                let excerpt: String = comment.content.chars().take(70).collect();
                println!(
                    "{}  {:<8}  {}  {}  <{}>  on {}\n    {}{}",
                    for_terminal(&comment.id),
                    comment.status.as_str(),
                    Timestamp::from_millis(comment.created_at).to_rfc3339(),
                    for_terminal(&comment.author),
                    for_terminal(&comment.email),
                    for_terminal(&comment.article_id),
                    for_terminal(&excerpt),
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
        ModerateAction::Pin { ids } => pin(store, &ids, true).await,
        ModerateAction::Unpin { ids } => pin(store, &ids, false).await,
    }
}

/// Pins or unpins each comment; a refusal is said with the area's words (exit code 1).
async fn pin(store: &Store, ids: &[String], pin: bool) -> Result<i32, sqlx::Error> {
    if ids.is_empty() {
        eprintln!("Name at least one comment id (see `moderate list`).");
        return Ok(2);
    }
    let mut refused = 0;
    for id in ids {
        let outcome = if pin {
            store.pin(id, now_ms()).await?
        } else {
            store.unpin(id, now_ms()).await?
        };
        match outcome.refusal() {
            None => println!(
                "{}: {}",
                for_terminal(id),
                if pin { "pinned" } else { "unpinned" }
            ),
            Some(refusal) => {
                eprintln!("{}: {refusal}", for_terminal(id));
                refused += 1;
            }
        }
    }
    Ok(if refused > 0 { 1 } else { 0 })
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
            Some(status) => store.set_status(id, status, now_ms()).await?,
            None => store.delete(id, now_ms()).await?,
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

/// What a commenter wrote, made safe to print on a moderator's terminal: a line break becomes
/// a space; every other control character (C0 such as ESC and CR, DEL, C1) and every
/// bidirectional override is written as a visible escape (`\u{1b}`), so no comment can move
/// the cursor, rewrite a line, recolour the screen, set the window's title or reorder what is
/// shown. (Imported comments, and rows written before the comment rules refused these, may
/// hold any of them.)
pub fn for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\n' => out.push(' '),
            c if c.is_control()
                || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                out.push_str(&c.escape_unicode().to_string());
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::for_terminal;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(
            for_terminal("a\u{1b}]0;pwned\u{7}b\rc\nd\u{9b}e\u{202e}f"),
            "a\\u{1b}]0;pwned\\u{7}b\\u{d}c d\\u{9b}e\\u{202e}f"
        );
        assert_eq!(for_terminal("Zoë Ω 中文"), "Zoë Ω 中文");
    }
}
