//! Edits and deletions of one's own comment sent to our service (issue 20), with the author
//! token that says who asks. Every failure is a `ChangeFailure`; the caller keeps the text.

use std::time::Duration;

use gloo_net::http::Method;

use super::http::send;
use crate::domain::comment::Comment;
use crate::domain::edits::{
    change_url, edit_body, read_delete_answer, read_edit_answer, ChangeFailure, ChangeKind,
    Deletion, DELETE_BODY,
};
use crate::domain::wire::AUTHOR_TOKEN_HEADER;

/// Sends a change to `{comments url}/{id}/{edit|delete}`; the answer's status and body.
async fn send_change(
    comments_url: &str,
    comment_id: &str,
    kind: ChangeKind,
    body: String,
    account: Option<&str>,
    timeout: Duration,
) -> Result<(u16, String), ChangeFailure> {
    // Without a token the service knows nobody: said as "not yours" (another browser's).
    let token = super::dom::author_token().ok_or(ChangeFailure::NotYours)?;
    let mut headers = vec![
        ("Content-Type", "application/json"),
        ("Accept", "application/json"),
        (AUTHOR_TOKEN_HEADER, token.as_str()),
    ];
    // A reader signed in by the publisher: the comments written under the account are theirs.
    let bearer = account.map(|account| format!("Bearer {account}"));
    if let Some(bearer) = &bearer {
        headers.push(("Authorization", bearer.as_str()));
    }
    let address = change_url(comments_url, comment_id, kind);
    let answer = send(Method::POST, &address, &headers, Some(body), timeout, None)
        .await
        .map_err(|_| ChangeFailure::NotSaved)?;
    Ok((answer.status, answer.body))
}

/// The comment's new text; the comment as the service now has it.
pub async fn edit_comment(
    comments_url: &str,
    comment_id: &str,
    content: &str,
    account: Option<&str>,
    timeout: Duration,
) -> Result<Comment, ChangeFailure> {
    let (status, body) = send_change(
        comments_url,
        comment_id,
        ChangeKind::Edit,
        edit_body(content),
        account,
        timeout,
    )
    .await?;
    read_edit_answer(status, &body)
}

/// Deletes the comment; what it left.
pub async fn delete_comment(
    comments_url: &str,
    comment_id: &str,
    account: Option<&str>,
    timeout: Duration,
) -> Result<Deletion, ChangeFailure> {
    let (status, body) = send_change(
        comments_url,
        comment_id,
        ChangeKind::Delete,
        DELETE_BODY.to_owned(),
        account,
        timeout,
    )
    .await?;
    read_delete_answer(status, &body)
}
