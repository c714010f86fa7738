//! The section's state: the pure form state plus what the browser side needs (the comment
//! being sent, storage trouble, focus requests), as a Yew reducer.

use std::rc::Rc;

use yew::Reducible;

use crate::domain::comment::{Field, ValidComment};
use crate::domain::form::FormState;
use crate::domain::posting::{draft_storage_key, Draft, Identity, PostError, IDENTITY_STORAGE_KEY};
use crate::domain::thread::Comment;
use crate::shell::dom::{new_idempotency_key, now_ms};
use crate::shell::storage::{self, StorageError};

/// A comment on its way to the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outgoing {
    pub comment: ValidComment,
    pub parent: Option<String>,
    pub key: String,
    pub honeypot: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub form: FormState,
    pub outgoing: Option<Outgoing>,
    /// Incremented for each post to send (an effect watches it).
    pub send_token: u32,
    /// Comments this reader posted since the page loaded, shown at once.
    pub posted: Vec<Comment>,
    pub storage_problem: Option<StorageError>,
    /// Incremented when the comment field should take focus.
    pub focus_comment: u32,
    /// When the form was first shown, for the server's timing check.
    pub rendered_at: f64,
}

pub enum Action {
    Input(Field, String),
    Blur(Field),
    Remember(bool),
    Honeypot(String),
    Reply(Option<(String, String)>),
    Submit,
    Posted(Comment),
    Failed(PostError),
    Storage(Option<StorageError>),
}

impl Model {
    /// The form as the reader left it: the article's draft and, if they consented, their details.
    pub fn restore(article_id: &str) -> Model {
        let draft = storage::read(&draft_storage_key(article_id));
        let identity = storage::read(IDENTITY_STORAGE_KEY);
        let storage_problem = draft.as_ref().err().copied();
        let draft = draft
            .ok()
            .flatten()
            .and_then(|text| Draft::from_json(&text));
        let identity = identity
            .ok()
            .flatten()
            .and_then(|text| Identity::from_json(&text));
        Model {
            form: FormState::restore(draft, identity, new_idempotency_key()),
            outgoing: None,
            send_token: 0,
            posted: Vec::new(),
            storage_problem,
            focus_comment: 0,
            rendered_at: now_ms(),
        }
    }
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Input(field, value) => next.form.input(field, value),
            Action::Blur(field) => next.form.blur(field),
            Action::Remember(remember) => next.form.remember = remember,
            Action::Honeypot(value) => next.form.honeypot = value,
            Action::Reply(to) => {
                next.form.reply(to);
                next.focus_comment += 1;
            }
            Action::Submit => {
                if let Some(comment) = next.form.submit() {
                    next.outgoing = Some(Outgoing {
                        comment,
                        parent: next.form.reply_to.as_ref().map(|(id, _)| id.clone()),
                        key: next.form.key.clone(),
                        honeypot: next.form.honeypot.clone(),
                    });
                    next.send_token += 1;
                }
            }
            Action::Posted(comment) => {
                next.form.posted(&comment, new_idempotency_key());
                next.posted.retain(|c| c.id != comment.id);
                next.posted.push(comment);
                next.outgoing = None;
            }
            Action::Failed(error) => {
                next.form.failed(error, new_idempotency_key());
                next.outgoing = None;
            }
            Action::Storage(problem) => next.storage_problem = problem,
        }
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}
