//! The comment form as a state machine, without the browser: what the reader typed, which
//! fields are marked wrong and why, when the error summary shows, and the posting state.
//! The component feeds it events and performs the side effects (storage, network, focus).
//!
//! When a field is checked (GOV.UK's pattern, as issue #3 asks):
//! - on blur, once the reader has typed something or left a required field empty;
//! - on submit, every field;
//! - while typing, only a field already marked wrong, so the mark clears as soon as it is
//!   right (and is never shown for a field the reader is still typing for the first time).

use std::ops::Index;

use super::comment::Comment;
use super::comment_rules::{check_field, validate_as, CommentInput, Field, Problem, ValidComment};
use super::draft::{Draft, IdempotencyKey, Identity, ReplyTarget};
use super::sign_in::SignedIn;
use super::wire::PostError;

/// At most one value per form field, in the fields' order: a fixed table rather than a map
/// for four keys (the same answers, and a fraction of the code in the WebAssembly module).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PerField<T>([Option<T>; 4]);

impl<T> Default for PerField<T> {
    fn default() -> Self {
        PerField([None, None, None, None])
    }
}

impl<T> PerField<T> {
    fn slot(field: Field) -> usize {
        match field {
            Field::Content => 0,
            Field::Author => 1,
            Field::Email => 2,
            Field::Website => 3,
        }
    }

    pub fn get(&self, field: &Field) -> Option<&T> {
        self.0[Self::slot(*field)].as_ref()
    }

    pub fn contains_key(&self, field: &Field) -> bool {
        self.get(field).is_some()
    }

    pub fn insert(&mut self, field: Field, value: T) {
        self.0[Self::slot(field)] = Some(value);
    }

    /// Sets the field's value unless it has one (the first finding stays).
    pub fn insert_if_absent(&mut self, field: Field, value: T) {
        let slot = &mut self.0[Self::slot(field)];
        if slot.is_none() {
            *slot = Some(value);
        }
    }

    pub fn remove(&mut self, field: &Field) {
        self.0[Self::slot(*field)] = None;
    }

    pub fn clear(&mut self) {
        *self = PerField::default();
    }

    pub fn is_empty(&self) -> bool {
        self.0.iter().all(Option::is_none)
    }

    /// The fields that have a value, in the form's order, with it.
    pub fn iter(&self) -> impl Iterator<Item = (&'static Field, &T)> {
        Field::ALL
            .iter()
            .zip(self.0.iter())
            .filter_map(|(field, value)| value.as_ref().map(|value| (field, value)))
    }

    pub fn keys(&self) -> impl Iterator<Item = &'static Field> + '_ {
        self.iter().map(|(field, _)| field)
    }
}

impl<T> Index<&Field> for PerField<T> {
    type Output = T;

    fn index(&self, field: &Field) -> &T {
        self.get(field).expect("the field has a value")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Sending {
    Idle,
    InFlight,
    Posted { pending: bool },
    Failed(PostError),
}

/// What a valid submit hands to the network: the comment and everything the POST carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Submission {
    pub comment: ValidComment,
    pub parent: Option<String>,
    pub key: IdempotencyKey,
    pub honeypot: String,
    /// "Notify me of follow-up comments by email."
    pub notify: bool,
    /// The publisher's token, when the reader comments as their account (`sign_in`).
    pub account_token: Option<String>,
}

/// The form. Its fields change only through the transitions below, so the rules (when a
/// field is checked, when the key changes, what survives a failure) hold whatever the view does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormState {
    input: CommentInput,
    reply_to: Option<ReplyTarget>,
    /// The idempotency key for the current draft.
    key: IdempotencyKey,
    /// "Save my name, email, and website in this browser…"
    remember: bool,
    /// The reader asks to hear of replies by email.
    notify: bool,
    /// The form's own findings; a field has at most one (the first).
    errors: PerField<Problem>,
    /// What the server said of a field (422). It stays until the reader changes that field:
    /// leaving the field must not erase it, as the local rules cannot know what it means.
    server_errors: PerField<Problem>,
    /// Problems not tied to a field (from the server).
    general_errors: Vec<String>,
    /// The error summary shows after a submit that failed validation, until all is fixed.
    show_summary: bool,
    sending: Sending,
    /// The value of the hidden honeypot field (people never fill it).
    honeypot: String,
    /// Incremented whenever focus should move to the summary (the view watches it).
    summary_focus: u32,
    /// The publisher's account the reader comments as (no name or email fields), until they
    /// choose to comment anonymously or the service refuses the token.
    account: Option<SignedIn>,
}

impl FormState {
    /// A form restored from a stored draft and identity; `fresh_key` is used when the draft
    /// has no key yet.
    pub fn restore(
        draft: Option<Draft>,
        identity: Option<Identity>,
        fresh_key: IdempotencyKey,
    ) -> FormState {
        let draft = draft.unwrap_or_default();
        let remember = identity.is_some();
        let identity = identity.unwrap_or_default();
        FormState {
            input: CommentInput {
                content: draft.content,
                author: identity.author,
                email: identity.email,
                website: identity.website,
            },
            reply_to: draft.reply_to,
            key: draft.key.unwrap_or(fresh_key),
            remember,
            notify: false,
            errors: PerField::default(),
            server_errors: PerField::default(),
            general_errors: Vec::new(),
            show_summary: false,
            sending: Sending::Idle,
            honeypot: String::new(),
            summary_focus: 0,
            account: None,
        }
    }

    /// A form the reader already typed in elsewhere (the prerendered form, before the widget
    /// took over): their text, with the details they let the browser keep and their consent as
    /// it was; what they typed wins over what was kept. A new draft, so a new key.
    pub fn resume(
        typed: &CommentInput,
        identity: Option<Identity>,
        key: IdempotencyKey,
    ) -> FormState {
        let mut form = FormState::restore(None, identity, key);
        for field in Field::ALL {
            let value = typed.get(field);
            if !value.is_empty() || field == Field::Content {
                form.edit(field, value.to_owned());
            }
        }
        form
    }

    pub fn input(&self) -> &CommentInput {
        &self.input
    }

    /// The fields' text set as a whole, as the reader has it in the page (a hydrated form
    /// keeps what was typed into the server's fields); nothing else changes.
    pub fn set_input(&mut self, input: CommentInput) {
        self.input = input;
    }

    pub fn reply_to(&self) -> Option<&ReplyTarget> {
        self.reply_to.as_ref()
    }

    pub fn key(&self) -> &IdempotencyKey {
        &self.key
    }

    pub fn remember(&self) -> bool {
        self.remember
    }

    pub fn honeypot(&self) -> &str {
        &self.honeypot
    }

    pub fn general_errors(&self) -> &[String] {
        &self.general_errors
    }

    pub fn show_summary(&self) -> bool {
        self.show_summary
    }

    pub fn sending(&self) -> &Sending {
        &self.sending
    }

    pub fn summary_focus(&self) -> u32 {
        self.summary_focus
    }

    pub fn account(&self) -> Option<&SignedIn> {
        self.account.as_ref()
    }

    /// The host page gave a token that looks usable (or none, or the reader chose to comment
    /// anonymously): the name and email fields go, or come back with what they held.
    pub fn sign_in(&mut self, account: Option<SignedIn>) {
        for field in [Field::Author, Field::Email] {
            self.errors.remove(&field);
            self.server_errors.remove(&field);
        }
        self.account = account;
    }

    pub fn draft(&self) -> Draft {
        Draft {
            content: self.input.content.clone(),
            reply_to: self.reply_to.clone(),
            key: Some(self.key.clone()),
        }
    }

    pub fn identity(&self) -> Identity {
        Identity {
            author: self.input.author.clone(),
            email: self.input.email.clone(),
            website: self.input.website.clone(),
        }
    }

    /// The problem each field shows: the form's own finding, else the server's.
    pub fn messages(&self) -> PerField<Problem> {
        let mut messages = PerField::default();
        for field in Field::ALL {
            if let Some(problem) = self.errors.get(&field) {
                messages.insert(field, problem.clone());
            } else if let Some(problem) = self.server_errors.get(&field) {
                messages.insert(field, problem.clone());
            }
        }
        messages
    }

    pub fn is_sending(&self) -> bool {
        self.sending == Sending::InFlight
    }

    /// The reader typed in a field.
    pub fn edit(&mut self, field: Field, value: String) {
        self.input.set(field, value);
        self.server_errors.remove(&field);
        if self.errors.contains_key(&field) {
            self.recheck(field);
        }
        if matches!(self.sending, Sending::Posted { .. }) {
            self.sending = Sending::Idle;
        }
    }

    /// The reader left a field.
    pub fn blur(&mut self, field: Field) {
        let touched = !self.input.get(field).trim().is_empty() || field.required();
        if touched {
            self.recheck(field);
        }
    }

    pub fn set_remember(&mut self, remember: bool) {
        self.remember = remember;
    }

    pub fn notify(&self) -> bool {
        self.notify
    }

    pub fn set_notify(&mut self, notify: bool) {
        self.notify = notify;
    }

    pub fn set_honeypot(&mut self, value: String) {
        self.honeypot = value;
    }

    fn recheck(&mut self, field: Field) {
        match check_field(field, self.input.get(field)) {
            Ok(()) => {
                self.errors.remove(&field);
            }
            Err(problem) => {
                self.errors.insert(field, problem);
            }
        }
        if self.errors.is_empty() && self.server_errors.is_empty() && self.general_errors.is_empty()
        {
            self.show_summary = false;
        }
    }

    /// The reader pressed "Post Comment". Returns what to send, or marks every problem and
    /// asks for the summary to take focus. Does nothing while a post is in flight.
    pub fn submit(&mut self) -> Option<Submission> {
        if self.is_sending() {
            return None;
        }
        self.general_errors.clear();
        self.server_errors.clear();
        match validate_as(&self.input, self.account.is_some()) {
            Ok(comment) => {
                self.errors.clear();
                self.show_summary = false;
                self.sending = Sending::InFlight;
                Some(Submission {
                    comment,
                    parent: self.reply_to.as_ref().map(|target| target.id.clone()),
                    key: self.key.clone(),
                    honeypot: self.honeypot.clone(),
                    notify: self.notify,
                    account_token: self.account.as_ref().map(|account| account.token.clone()),
                })
            }
            Err(problems) => {
                self.errors.clear();
                for (field, problem) in problems {
                    self.errors.insert_if_absent(field, problem);
                }
                self.show_summary = true;
                self.summary_focus += 1;
                self.sending = Sending::Idle;
                None
            }
        }
    }

    /// The server accepted the comment: the draft is done, a new one starts with `next_key`.
    pub fn posted(&mut self, comment: &Comment, next_key: IdempotencyKey) {
        self.input.content.clear();
        self.reply_to = None;
        self.key = next_key;
        self.sending = Sending::Posted {
            pending: comment.is_pending(),
        };
    }

    /// The post failed. Field errors from the server land on their fields; when the server
    /// certainly stored nothing, the next attempt gets `next_key`.
    pub fn failed(&mut self, error: PostError, next_key: IdempotencyKey) {
        if error.definitely_not_stored() {
            self.key = next_key;
        }
        // The service refused the publisher's token: the anonymous form returns, with the
        // text and the details the reader had typed before.
        if error == PostError::SignInRefused {
            self.account = None;
        }
        if let PostError::Invalid { fields, other } = &error {
            for (field, problem) in fields {
                self.server_errors.insert_if_absent(*field, problem.clone());
            }
            self.general_errors = other.clone();
            self.show_summary = true;
            self.summary_focus += 1;
        }
        self.sending = Sending::Failed(error);
    }

    pub fn reply(&mut self, to: Option<ReplyTarget>) {
        self.reply_to = to;
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

    fn form() -> FormState {
        FormState::restore(None, None, key(1))
    }

    fn fill(form: &mut FormState) {
        form.edit(Field::Content, "A fine article.".into());
        form.edit(Field::Author, "Ann".into());
        form.edit(Field::Email, "ann@example.com".into());
    }

    fn comment(pending: bool) -> Comment {
        Comment {
            id: "1".into(),
            parent: None,
            author: "Ann".into(),
            website: None,
            content: "A fine article.".into(),
            published: Timestamp::from_millis(0),
            status: if pending {
                CommentStatus::Pending
            } else {
                CommentStatus::Approved
            },
            likes: Default::default(),
            marks: Default::default(),
            edits: Default::default(),
        }
    }

    #[test]
    fn typing_for_the_first_time_shows_no_error_but_blur_does() {
        let mut form = form();
        form.edit(Field::Email, "ann@".into());
        assert!(
            form.messages().is_empty(),
            "not while typing the first time"
        );
        form.blur(Field::Email);
        assert_eq!(form.messages()[&Field::Email], Problem::NotAnEmail);
        form.edit(Field::Email, "ann@example.co".into());
        assert!(
            form.messages().is_empty(),
            "cleared live as soon as it is right"
        );
        form.blur(Field::Website);
        assert!(
            form.messages().is_empty(),
            "an empty optional field is fine"
        );
        form.blur(Field::Author);
        assert_eq!(
            form.messages()[&Field::Author],
            Problem::Missing,
            "leaving a required field empty marks it"
        );
    }

    #[test]
    fn a_failed_submit_marks_every_field_and_focuses_the_summary() {
        let mut form = form();
        assert_eq!(form.submit(), None);
        assert_eq!(
            form.messages().keys().copied().collect::<Vec<_>>(),
            [Field::Content, Field::Author, Field::Email]
        );
        assert!(form.show_summary());
        assert_eq!(form.summary_focus(), 1);
        fill(&mut form);
        assert!(form.messages().is_empty());
        assert!(
            !form.show_summary(),
            "the summary goes when everything is fixed"
        );
    }

    #[test]
    fn a_valid_submit_sends_once_and_ignores_more_clicks() {
        let mut form = form();
        fill(&mut form);
        let valid = form.submit().unwrap();
        assert_eq!(valid.comment.author, "Ann");
        assert!(form.is_sending());
        assert_eq!(
            form.submit(),
            None,
            "a second click while sending does nothing"
        );
    }

    #[test]
    fn the_key_survives_an_unknown_outcome_and_changes_after_a_refusal_or_success() {
        let mut form = form();
        fill(&mut form);
        form.submit();
        form.failed(PostError::Timeout(15), key(2));
        assert_eq!(
            form.key(),
            &key(1),
            "a retry after a timeout reuses the key"
        );
        assert_eq!(
            form.input().content,
            "A fine article.",
            "nothing typed is lost"
        );
        form.submit();
        form.failed(PostError::TooSoon(Some(10)), key(3));
        assert_eq!(form.key(), &key(3));
        form.submit();
        form.posted(&comment(true), key(4));
        assert_eq!(form.key(), &key(4));
        assert_eq!(form.input().content, "", "the comment field empties");
        assert_eq!(
            form.input().author,
            "Ann",
            "name and email stay for the next comment"
        );
        assert_eq!(form.sending(), &Sending::Posted { pending: true });
    }

    #[test]
    fn server_field_errors_land_on_their_fields() {
        let mut form = form();
        fill(&mut form);
        form.submit();
        form.failed(
            PostError::Invalid {
                fields: vec![(
                    Field::Email,
                    Problem::Server("That address is blocked".into()),
                )],
                other: vec!["Slow down".into()],
            },
            key(2),
        );
        assert_eq!(
            form.messages()[&Field::Email],
            Problem::Server("That address is blocked".into())
        );
        assert_eq!(form.general_errors(), ["Slow down"]);
        assert!(form.show_summary());
        assert_eq!(form.key(), &key(2));
        form.blur(Field::Email);
        assert_eq!(
            form.messages()[&Field::Email],
            Problem::Server("That address is blocked".into()),
            "leaving the field keeps it"
        );
        form.edit(Field::Email, "other@example.com".into());
        assert!(
            !form.messages().contains_key(&Field::Email),
            "changing the field clears it"
        );
    }

    #[test]
    fn a_resumed_form_keeps_what_was_typed_and_consent_as_it_was() {
        let typed = CommentInput {
            content: "Typed early".into(),
            author: "Nora".into(),
            ..CommentInput::default()
        };
        let kept = Identity {
            author: "Ann".into(),
            email: "ann@example.com".into(),
            website: String::new(),
        };
        let form = FormState::resume(&typed, Some(kept), key(5));
        assert_eq!(form.input().content, "Typed early");
        assert_eq!(form.input().author, "Nora", "typed wins");
        assert_eq!(
            form.input().email,
            "ann@example.com",
            "kept details fill the rest"
        );
        assert!(form.remember(), "consent as it was");
        let fresh = FormState::resume(&typed, None, key(6));
        assert!(!fresh.remember(), "typing is no consent to keep details");
        assert_eq!(fresh.key(), &key(6));
    }

    #[test]
    fn a_draft_and_identity_are_restored() {
        let form = FormState::restore(
            Some(Draft {
                content: "half".into(),
                reply_to: Some(ReplyTarget {
                    id: "7".into(),
                    author: "Bob".into(),
                }),
                key: Some(key(9)),
            }),
            Some(Identity {
                author: "Ann".into(),
                email: "a@b.co".into(),
                website: "".into(),
            }),
            key(8),
        );
        assert_eq!(form.input().content, "half");
        assert_eq!(form.reply_to().map(|r| r.id.as_str()), Some("7"));
        assert_eq!(
            form.key(),
            &key(9),
            "a restored draft keeps its key, so a retry cannot double-post"
        );
        assert!(form.remember());
        assert_eq!(form.input().author, "Ann");
    }

    #[test]
    fn a_signed_in_reader_posts_without_name_or_email_and_a_refusal_brings_them_back() {
        let mut form = form();
        form.edit(Field::Author, "Typed before".into());
        form.blur(Field::Email); // marked missing
        form.sign_in(Some(SignedIn {
            token: "h.p.s".into(),
            name: "Ann Reader".into(),
        }));
        assert!(form.messages().is_empty(), "hidden fields carry no marks");
        form.edit(Field::Content, "As my account.".into());
        let sent = form.submit().unwrap();
        assert_eq!(sent.account_token.as_deref(), Some("h.p.s"));
        assert_eq!(
            (sent.comment.author.as_str(), sent.comment.email.as_str()),
            ("", "")
        );

        form.failed(PostError::SignInRefused, key(2));
        assert!(form.account().is_none(), "the anonymous form returns");
        assert_eq!(
            form.input().content,
            "As my account.",
            "nothing typed is lost"
        );
        assert_eq!(form.input().author, "Typed before");
        assert_eq!(form.key(), &key(2));
        assert!(form.submit().is_none(), "now name and email are asked for");
        assert!(form.messages().contains_key(&Field::Email));
        assert_eq!(form.submit().map(|s| s.account_token), None);
    }
}
