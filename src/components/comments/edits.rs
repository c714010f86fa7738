//! Editing and deleting one's own comment (issue 20), in the comment's place: Edit and
//! Delete on the reader's own comments while the service's window is open (it says until
//! when, `Edits::editable_until`), the text edited in place under the same rule as the form's
//! (`comment_rules`), Cancel, and Delete asked again before it is sent. A failure keeps the
//! typed text in the field with its reason in the reader's language. What the service
//! answers (the comment as it now is, a tombstone, or removal) is shown by this comment
//! alone: nothing else in the thread renders again.

use std::time::Duration;

use yew::prelude::*;

use crate::components::config::use_config;
use crate::domain::comment::Comment;
use crate::domain::comment_rules::{check_field, Field};
use crate::domain::edits::{ChangeFailure, Deletion};
use crate::i18n::Texts;
use crate::shell::format;

/// Where the comment stands with its author's change.
#[derive(Clone, Debug, Default, PartialEq)]
enum Mode {
    #[default]
    Viewing,
    Editing {
        text: String,
        busy: bool,
        error: Option<String>,
    },
    ConfirmingDelete {
        busy: bool,
        error: Option<String>,
    },
}

/// What the author is doing, and what the service answered (one state: each hook's type
/// costs the module its own copy of Yew's code).
#[derive(Clone, Debug, Default, PartialEq)]
struct Own {
    mode: Mode,
    /// The comment as the service answered an edit.
    revised: Option<Comment>,
    deletion: Option<Deletion>,
}

/// The state's handle as callbacks use it.
#[derive(Clone)]
struct Handle(UseStateHandle<Own>);

impl Handle {
    fn mode(&self) -> Mode {
        self.0.mode.clone()
    }

    fn set(&self, mode: Mode) {
        self.0.set(Own {
            mode,
            ..(*self.0).clone()
        });
    }

    /// The service's answer: the edited comment or what a deletion left; the buttons again.
    fn answered(&self, revised: Option<Comment>, deletion: Option<Deletion>) {
        let before = (*self.0).clone();
        self.0.set(Own {
            mode: Mode::Viewing,
            revised: revised.or(before.revised),
            deletion: deletion.or(before.deletion),
        });
    }
}

/// One comment's own-change state, and where changes go.
pub struct OwnComment {
    state: UseStateHandle<Own>,
    /// Our service's comments URL (no changes without it: WordPress's API has none).
    url: Option<AttrValue>,
    /// The publisher's token of a signed-in reader (let through the sign-in's origin rule):
    /// their comments are theirs from any browser.
    account: Option<AttrValue>,
    timeout: Duration,
    field: NodeRef,
}

/// The comment's change state; `url` is the comments API when it is ours.
#[hook]
pub fn use_own_comment(url: Option<AttrValue>, account: Option<AttrValue>) -> OwnComment {
    let config = use_config();
    let state = use_state(Own::default);
    let field = use_node_ref();
    // The field takes the focus when it opens (effects never run on the server).
    let editing = matches!(state.mode, Mode::Editing { .. });
    {
        let field = field.clone();
        use_effect_with(editing, move |editing| {
            if *editing {
                crate::shell::dom::focus(&field);
            }
        });
    }
    OwnComment {
        state,
        url,
        account,
        timeout: config.timeout,
        field,
    }
}

fn failure_words(failure: &ChangeFailure, texts: &Texts) -> String {
    let words = &texts.edits;
    match failure {
        ChangeFailure::NotSaved => words.failed.to_owned(),
        ChangeFailure::WindowOver => words.window_over.to_owned(),
        ChangeFailure::NotYours => words.not_yours.to_owned(),
        ChangeFailure::Gone => words.gone.to_owned(),
        ChangeFailure::Refused(said) => said.clone(),
    }
}

impl OwnComment {
    /// Removed by its author: nothing is shown.
    pub fn removed(&self) -> bool {
        self.state.deletion == Some(Deletion::Removed)
    }

    /// The comment as shown: the service's answer to an edit over what the list gave (its
    /// likes and marks kept), or a tombstone.
    pub fn shown(&self, given: &Comment) -> Comment {
        let mut comment = given.clone();
        if let Some(revised) = &self.state.revised {
            comment.content = revised.content.clone();
            comment.status = revised.status;
            comment.edits = revised.edits;
        }
        if self.state.deletion == Some(Deletion::Tombstone) {
            comment.author.clear();
            comment.website = None;
            comment.content.clear();
            comment.edits.deleted = true;
            comment.edits.editable_until = None;
        }
        comment
    }

    fn handle(&self) -> Handle {
        Handle(self.state.clone())
    }

    pub fn editing(&self) -> bool {
        matches!(self.state.mode, Mode::Editing { .. })
    }

    /// The edit field in the text's place: label, field, its error, Save and Cancel.
    pub fn editor(&self, comment: &Comment, field_id: &str, texts: &'static Texts) -> Html {
        let Mode::Editing { text, busy, error } = self.state.mode.clone() else {
            return Html::default();
        };
        let words = &texts.edits;
        let error_id = format!("{field_id}-error");
        let oninput = {
            let mode = self.handle();
            Callback::from(move |event: InputEvent| {
                if let Mode::Editing { busy, error, .. } = mode.mode() {
                    mode.set(Mode::Editing {
                        text: input_value(&event),
                        busy,
                        error,
                    });
                }
            })
        };
        let onsubmit = {
            let mode = self.handle();
            let (url, timeout, id) = (self.url.clone(), self.timeout, comment.id.clone());
            let account = self.account.clone();
            let text = text.clone();
            Callback::from(move |event: SubmitEvent| {
                event.prevent_default();
                if busy {
                    return;
                }
                // The form's rule, in the reader's language, before anything is sent.
                if let Err(problem) = check_field(Field::Content, &text) {
                    mode.set(Mode::Editing {
                        text: text.clone(),
                        busy: false,
                        error: Some(texts.problem(&problem, Field::Content)),
                    });
                    return;
                }
                let Some(url) = url.clone() else { return };
                mode.set(Mode::Editing {
                    text: text.clone(),
                    busy: true,
                    error: None,
                });
                let (mode, id, text, account) =
                    (mode.clone(), id.clone(), text.clone(), account.clone());
                yew::platform::spawn_local(async move {
                    let account = account.as_deref();
                    match crate::shell::edits::edit_comment(&url, &id, &text, account, timeout).await {
                        Ok(comment) => mode.answered(Some(comment), None),
                        // Nothing typed is lost: the text stays, with the reason.
                        Err(failure) => mode.set(Mode::Editing {
                            text,
                            busy: false,
                            error: Some(failure_words(&failure, texts)),
                        }),
                    }
                });
            })
        };
        let cancel = {
            let mode = self.handle();
            Callback::from(move |_: MouseEvent| mode.set(Mode::Viewing))
        };
        html! {
            <form class="aw-edit" {onsubmit} novalidate=true>
                <label class="aw-visually-hidden" for={field_id.to_owned()}>{words.edit_label}</label>
                <textarea id={field_id.to_owned()} ref={self.field.clone()} rows="5" value={text}
                    aria-invalid={if error.is_some() { "true" } else { "false" }}
                    aria-describedby={error.is_some().then(|| error_id.clone())} {oninput} />
                if let Some(error) = error {
                    <p id={error_id} class="aw-edit-error" role="alert">{error}</p>
                }
                <button type="submit" class="aw-button" aria-disabled={busy.then_some("true")}>
                    {if busy { words.saving } else { words.save }}
                </button>
                {" "}
                <button type="button" class="aw-button aw-button--secondary" onclick={cancel}>{words.cancel}</button>
            </form>
        }
    }

    /// Edit and Delete on the reader's own comment while its window is open, or Delete's
    /// question with its answer buttons.
    pub fn controls(&self, comment: &Comment, texts: &'static Texts) -> Html {
        if self.url.is_none() || comment.edits.deleted || comment.edits.editable_until.is_none() {
            return Html::default();
        }
        let words = &texts.edits;
        match self.state.mode.clone() {
            Mode::Editing { .. } => Html::default(),
            Mode::Viewing => {
                let edit = {
                    let mode = self.handle();
                    let text = comment.content.clone();
                    Callback::from(move |_: MouseEvent| {
                        mode.set(Mode::Editing {
                            text: text.clone(),
                            busy: false,
                            error: None,
                        })
                    })
                };
                let delete = {
                    let mode = self.handle();
                    Callback::from(move |_: MouseEvent| {
                        mode.set(Mode::ConfirmingDelete {
                            busy: false,
                            error: None,
                        })
                    })
                };
                html! {
                    <span class="aw-own-actions">
                        <button type="button" class="aw-own-action" onclick={edit}>{words.edit}</button>
                        <button type="button" class="aw-own-action" onclick={delete}>{words.delete}</button>
                    </span>
                }
            }
            Mode::ConfirmingDelete { busy, error } => {
                let confirm = {
                    let mode = self.handle();
                    let (url, timeout, id) = (self.url.clone(), self.timeout, comment.id.clone());
                    let account = self.account.clone();
                    Callback::from(move |_: MouseEvent| {
                        let Some(url) = url.clone().filter(|_| !busy) else {
                            return;
                        };
                        mode.set(Mode::ConfirmingDelete {
                            busy: true,
                            error: None,
                        });
                        let (mode, id, account) = (mode.clone(), id.clone(), account.clone());
                        yew::platform::spawn_local(async move {
                            let account = account.as_deref();
                            match crate::shell::edits::delete_comment(&url, &id, account, timeout).await {
                                Ok(done) => mode.answered(None, Some(done)),
                                Err(failure) => mode.set(Mode::ConfirmingDelete {
                                    busy: false,
                                    error: Some(failure_words(&failure, texts)),
                                }),
                            }
                        });
                    })
                };
                let cancel = {
                    let mode = self.handle();
                    Callback::from(move |_: MouseEvent| mode.set(Mode::Viewing))
                };
                html! {
                    <div class="aw-confirm-delete" role="group" aria-label={words.delete}>
                        <p>{words.confirm_delete}</p>
                        if let Some(error) = error {
                            <p class="aw-edit-error" role="alert">{error}</p>
                        }
                        <button type="button" class="aw-button" onclick={confirm}
                            aria-disabled={busy.then_some("true")}>{words.confirm}</button>
                        {" "}
                        <button type="button" class="aw-button aw-button--secondary" onclick={cancel}>{words.cancel}</button>
                    </div>
                }
            }
        }
    }
}

/// "edited 17 Jan 2025, 20:05" after the comment's date, the edit's time a `<time>` element.
pub fn edited_mark(comment: &Comment, texts: &Texts) -> Html {
    let Some(edited) = comment.edits.edited.filter(|_| !comment.edits.deleted) else {
        return Html::default();
    };
    html! {
        <span class="aw-comment-edited">
            {texts.edits.edited}{" "}
            <time datetime={edited.to_rfc3339()}>{format::date_time(edited, texts.language)}</time>
        </span>
    }
}

fn input_value(event: &InputEvent) -> String {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|target| {
            target
                .dyn_ref::<web_sys::HtmlTextAreaElement>()
                .map(|t| t.value())
        })
        .unwrap_or_default()
}

/// A comment its author deleted while it had replies: "This comment was deleted." in its
/// place, at its depth, with no author, date or actions.
pub fn tombstone(element_id: String, depth: usize, texts: &Texts) -> Html {
    html! {
        <li id={element_id} tabindex="-1"
            class={classes!("aw-comment", format!("aw-depth-{depth}"), "aw-comment--deleted")}>
            <article class="aw-comment-body">
                <p class="aw-comment-deleted">{texts.edits.deleted}</p>
            </article>
        </li>
    }
}
