//! The section's state: the pure form state plus what the view needs around it (the
//! submission to send, storage trouble, focus requests), as a Yew reducer. The reducer is
//! pure: whatever comes from the browser (stored drafts, fresh idempotency keys, the clock)
//! arrives in the actions, so it is tested natively like the core.

use std::rc::Rc;

use yew::Reducible;

use crate::domain::comment::Comment;
use crate::domain::comment_rules::Field;
use crate::domain::draft::{Draft, IdempotencyKey, Identity, ReplyTarget};
use crate::domain::errors::StorageError;
use crate::domain::form::{FormState, Submission};
use crate::domain::sign_in::SignedIn;
use crate::domain::wire::PostError;

#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub form: FormState,
    /// The submission the send effect posts, set by a valid submit.
    pub outgoing: Option<Submission>,
    /// Incremented for each post to send (an effect watches it).
    pub send_token: u32,
    /// Comments this reader posted since the page loaded, shown at once.
    pub posted: Vec<Comment>,
    pub storage_problem: Option<StorageError>,
    /// Incremented when the comment field should take focus.
    pub focus_comment: u32,
    /// When the form was first shown (ms since the epoch), for the server's timing check.
    pub rendered_at: f64,
}

pub enum Action {
    Input(Field, String),
    Blur(Field),
    Remember(bool),
    Notify(bool),
    Honeypot(String),
    Reply(Option<ReplyTarget>),
    Submit,
    /// The server accepted the comment; the next draft gets the key.
    Posted(Comment, IdempotencyKey),
    /// The post failed; the key is used only if the server certainly stored nothing.
    Failed(PostError, IdempotencyKey),
    Storage(Option<StorageError>),
    /// The publisher's account the reader comments as (`None`: the anonymous form).
    SignIn(Option<SignedIn>),
    /// The model the section starts from, once a hydrated section has rendered the server's
    /// (see `section::OpenComments`): the reader's draft, details or typed text.
    Start(Box<Model>),
}

impl Model {
    /// The form as the reader left it: the article's draft and, if they consented, their
    /// details (both as read from storage by the caller).
    pub fn new(
        draft: Option<Draft>,
        identity: Option<Identity>,
        storage_problem: Option<StorageError>,
        fresh_key: IdempotencyKey,
        rendered_at: f64,
    ) -> Model {
        Model {
            storage_problem,
            ..Model::with_form(FormState::restore(draft, identity, fresh_key), rendered_at)
        }
    }
}

impl Model {
    /// A model around a form given whole (a refused post, re-rendered by the server).
    pub fn with_form(form: FormState, rendered_at: f64) -> Model {
        Model {
            form,
            outgoing: None,
            send_token: 0,
            posted: Vec::new(),
            storage_problem: None,
            focus_comment: 0,
            rendered_at,
        }
    }
}

impl Reducible for Model {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            Action::Input(field, value) => next.form.edit(field, value),
            Action::Blur(field) => next.form.blur(field),
            Action::Remember(remember) => next.form.set_remember(remember),
            Action::Notify(notify) => next.form.set_notify(notify),
            Action::Honeypot(value) => next.form.set_honeypot(value),
            Action::Reply(to) => {
                next.form.reply(to);
                next.focus_comment += 1;
            }
            Action::Submit => {
                if let Some(submission) = next.form.submit() {
                    next.outgoing = Some(submission);
                    next.send_token += 1;
                }
            }
            Action::Posted(comment, next_key) => {
                next.form.posted(&comment, next_key);
                next.posted.retain(|c| c.id != comment.id);
                next.posted.push(comment);
                next.outgoing = None;
            }
            Action::Failed(error, next_key) => {
                next.form.failed(error, next_key);
                next.outgoing = None;
            }
            Action::Storage(problem) => next.storage_problem = problem,
            Action::SignIn(account) => next.form.sign_in(account),
            // The fields keep what they hold now (the first render had the start's text, and
            // whatever the reader typed since is theirs), and so does a Reply the reader
            // pressed since: Yew yields to the browser between the first render and this.
            Action::Start(model) => {
                let typed = next.form.input().clone();
                let replying = next.form.reply_to().cloned();
                let focus_comment = next.focus_comment;
                next = *model;
                next.form.set_input(typed);
                if replying.is_some() {
                    next.form.reply(replying);
                    next.focus_comment = next.focus_comment.max(focus_comment);
                }
            }
        }
        if next == *self {
            self
        } else {
            Rc::new(next)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::comment::CommentStatus;
    use crate::domain::date::Timestamp;

    fn key(n: u8) -> IdempotencyKey {
        IdempotencyKey::from_random_bytes([n; 16])
    }

    fn run(model: Rc<Model>, actions: Vec<Action>) -> Rc<Model> {
        actions.into_iter().fold(model, Reducible::reduce)
    }

    fn filled() -> Rc<Model> {
        run(
            Rc::new(Model::new(None, None, None, key(1), 0.0)),
            vec![
                Action::Input(Field::Content, "A fine article.".into()),
                Action::Input(Field::Author, "Ann".into()),
                Action::Input(Field::Email, "ann@example.com".into()),
                Action::Reply(Some(ReplyTarget {
                    id: "c7".into(),
                    author: "Bob".into(),
                })),
            ],
        )
    }

    /// A hydrated form starts from the reader's start (their reply target, key, details) but
    /// keeps the text its fields hold: what was typed while the widget took over is not lost.
    #[test]
    fn the_start_keeps_what_was_typed_since_the_first_render() {
        let start = filled();
        let mut first = Model::new(None, None, None, key(9), 0.0);
        first.form.set_input(start.form.input().clone());
        let model = run(
            Rc::new(first),
            vec![
                Action::Input(Field::Content, "A fine article. Typed meanwhile.".into()),
                Action::Start(Box::new((*start).clone())),
            ],
        );
        assert_eq!(
            model.form.input().content,
            "A fine article. Typed meanwhile."
        );
        assert_eq!(model.form.input().author, "Ann");
        assert_eq!(model.form.key(), &key(1), "the start's key");
        assert_eq!(model.form.reply_to().map(|r| r.id.as_str()), Some("c7"));
        // A Reply pressed before the start came is kept too, with its focus request.
        let first = Model::new(None, None, None, key(9), 0.0);
        let bob = ReplyTarget {
            id: "c8".into(),
            author: "Cy".into(),
        };
        let model = run(
            Rc::new(first),
            vec![
                Action::Reply(Some(bob.clone())),
                Action::Start(Box::new(Model::new(None, None, None, key(1), 0.0))),
            ],
        );
        assert_eq!(model.form.reply_to(), Some(&bob));
        assert_eq!(model.focus_comment, 1, "the field still takes focus");
    }

    #[test]
    fn a_valid_submit_queues_one_send_with_the_drafts_key_and_parent() {
        let model = run(filled(), vec![Action::Submit]);
        let outgoing = model.outgoing.clone().unwrap();
        assert_eq!(
            (outgoing.key, outgoing.parent.as_deref(), model.send_token),
            (key(1), Some("c7"), 1)
        );
        let again = run(model.clone(), vec![Action::Submit]);
        assert_eq!(
            again.send_token, 1,
            "a second click while sending sends nothing"
        );
    }

    #[test]
    fn keys_come_in_with_the_answers() {
        let timed_out = run(
            filled(),
            vec![
                Action::Submit,
                Action::Failed(PostError::Timeout(15), key(2)),
            ],
        );
        assert_eq!(timed_out.form.key(), &key(1), "unknown outcome: same key");
        let posted = run(
            timed_out,
            vec![
                Action::Submit,
                Action::Posted(
                    Comment {
                        id: "n1".into(),
                        parent: Some("c7".into()),
                        author: "Ann".into(),
                        website: None,
                        content: "A fine article.".into(),
                        published: Timestamp::from_millis(0),
                        status: CommentStatus::Pending,
                        likes: Default::default(),
                        marks: Default::default(),
                        edits: Default::default(),
                    },
                    key(3),
                ),
            ],
        );
        assert_eq!(posted.form.key(), &key(3));
        assert_eq!(posted.posted.len(), 1);
        assert!(posted.form.reply_to().is_none() && posted.form.input().content.is_empty());
    }
}
