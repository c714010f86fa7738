//! "Leave a Reply": WordPress's fields and notes, GOV.UK's error pattern (a summary that takes
//! focus and links to each field, inline messages tied to their fields), and a draft that is
//! never lost. Renders the section's state; holds none of its own.

use yew::prelude::*;

use super::model::{Action, Model};
use crate::domain::comment_rules::Field;
use crate::domain::form::Sending;
use crate::domain::wire::PostError;
use crate::i18n::Texts;
use crate::shell::dom;

#[derive(Clone, PartialEq)]
pub struct FormContext {
    pub model: UseReducerHandle<Model>,
    pub on_action: Callback<Action>,
    pub summary_ref: NodeRef,
    pub comment_ref: NodeRef,
    pub id_prefix: AttrValue,
    /// The comments endpoint: where the form posts when no script is running (with one, the
    /// submit is handled here and sent with `fetch`).
    pub action: AttrValue,
    /// Indentation when shown under a comment (0 at the bottom of the thread).
    pub depth: usize,
    /// The article on the publisher's site, linked when the site wants a signed-in reader.
    pub site: Option<AttrValue>,
    /// Whether the API can tell the reader of replies (the checkbox is shown).
    pub notify: bool,
}

fn field_id(prefix: &str, field: Field) -> String {
    format!("{prefix}-{}", field.key())
}

/// How many characters are left before the limit, shown only near it.
fn counter(value: &str, field: Field, texts: &'static Texts) -> Option<String> {
    let max = field.max_chars();
    let used = value.trim().chars().count();
    let threshold = (max / 10).max(20);
    if used + threshold < max {
        return None;
    }
    Some(if used <= max {
        texts.characters_left(max - used)
    } else {
        texts.characters_too_many(used - max)
    })
}

/// A function, not a component: it holds no state, and it re-renders with the section's model
/// on every keystroke either way (a component would only add Yew's lifecycle code for it to
/// the module; see `header::article_header`).
pub fn comment_form(context: &FormContext, texts: &'static Texts) -> Html {
    let model = &context.model;
    let form = &model.form;
    let prefix = context.id_prefix.as_str();
    let field_refs: [NodeRef; 4] = [
        context.comment_ref.clone(),
        NodeRef::default(),
        NodeRef::default(),
        NodeRef::default(),
    ];
    let ref_of =
        |field: Field| field_refs[Field::ALL.iter().position(|f| *f == field).unwrap_or(0)].clone();

    let onsubmit = context.on_action.reform(|event: SubmitEvent| {
        event.prevent_default();
        Action::Submit
    });
    let heading = match form.reply_to() {
        Some(target) => texts.leave_reply_to(&target.author),
        None => texts.leave_reply.to_owned(),
    };
    let heading_id = format!("{prefix}-reply-title");
    let sending = form.is_sending();

    // The error summary: every problem, each a link that moves focus to its field.
    let messages = form.messages();
    let summary = if form.show_summary()
        && (!messages.is_empty() || !form.general_errors().is_empty())
    {
        let items = messages.iter().map(|(field, message)| {
            let target = ref_of(*field);
            let onclick = Callback::from(move |event: MouseEvent| {
                event.prevent_default();
                dom::focus(&target);
            });
            html! { <li><a href={format!("#{}", field_id(prefix, *field))} {onclick}>{texts.problem(message, *field)}</a></li> }
        });
        let general = form
            .general_errors()
            .iter()
            .map(|message| html! { <li>{message.clone()}</li> });
        html! {
            <div class="aw-error-summary" tabindex="-1" ref={context.summary_ref.clone()}
                aria-labelledby={format!("{prefix}-summary-title")}>
                <h3 id={format!("{prefix}-summary-title")}>{texts.summary_title}</h3>
                <ul>{ for items }{ for general }</ul>
            </div>
        }
    } else {
        Html::default()
    };

    let text_field = |field: Field,
                      label: &'static str,
                      kind: &'static str,
                      autocomplete: &'static str| {
        let id = field_id(prefix, field);
        let error = messages.get(&field);
        let error_id = format!("{id}-error");
        let count = counter(form.input().get(field), field, texts);
        let count_id = format!("{id}-count");
        // The comment field says what formatting it takes (`comment_markup`), one line.
        let hint = (field == Field::Content).then_some(texts.formatting_hint);
        let hint_id = format!("{id}-hint");
        let described: Vec<&str> = [
            error.map(|_| error_id.as_str()),
            hint.map(|_| hint_id.as_str()),
            count.as_ref().map(|_| count_id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        let oninput = context
            .on_action
            .reform(move |event: InputEvent| Action::Input(field, input_value(&event)));
        let onblur = context
            .on_action
            .reform(move |_: FocusEvent| Action::Blur(field));
        let value = form.input().get(field).to_owned();
        let control = if field == Field::Content {
            html! {
                <textarea id={id.clone()} name={field.key()} rows="8" ref={ref_of(field)}
                    maxlength={field.max_chars().to_string()} required=true
                    aria-invalid={error.map(|_| "true")}
                    aria-describedby={(!described.is_empty()).then(|| described.join(" "))}
                    {value} {oninput} {onblur} />
            }
        } else {
            html! {
                <input id={id.clone()} name={field.key()} type={kind} ref={ref_of(field)}
                    autocomplete={autocomplete} maxlength={field.max_chars().to_string()}
                    required={field.required()}
                    spellcheck={(field != Field::Author).then_some("false")}
                    aria-invalid={error.map(|_| "true")}
                    aria-describedby={(!described.is_empty()).then(|| described.join(" "))}
                    {value} {oninput} {onblur} />
            }
        };
        html! {
            <p class={classes!("aw-field", format!("aw-field--{}", field.key()), error.map(|_| "aw-field--error"))}>
                <label for={id.clone()}>
                    {label}
                    if field.required() { <span class="aw-required" aria-hidden="true">{" *"}</span> }
                </label>
                if let Some(message) = error {
                    <span id={error_id.clone()} class="aw-field-error">
                        <span class="aw-visually-hidden">{texts.error_prefix}{" "}</span>{texts.problem(message, field)}
                    </span>
                }
                {control}
                if let Some(hint) = hint {
                    <span id={hint_id.clone()} class="aw-hint">{hint}</span>
                }
                if let Some(count) = count {
                    <span id={count_id.clone()} class="aw-counter" aria-live="polite">{count}</span>
                }
            </p>
        }
    };

    let on_remember = context
        .on_action
        .reform(|event: Event| Action::Remember(checkbox_checked(&event)));
    let on_notify = context
        .on_action
        .reform(|event: Event| Action::Notify(checkbox_checked(&event)));
    let on_honeypot = context
        .on_action
        .reform(|event: InputEvent| Action::Honeypot(input_value(&event)));
    let on_cancel = context.on_action.reform(|event: MouseEvent| {
        event.prevent_default();
        Action::Reply(None)
    });
    let on_retry = context.on_action.reform(|_: MouseEvent| Action::Submit);

    let status = match form.sending() {
        Sending::Posted { pending: true } => Some((false, texts.awaiting_moderation.to_owned())),
        Sending::Posted { pending: false } => Some((false, texts.posted.to_owned())),
        // Field problems are in the summary; everything else is said here.
        Sending::Failed(error) if !matches!(error, PostError::Invalid { .. }) => {
            Some((error.retryable(), texts.post_error(error)))
        }
        _ => None,
    };

    // The site wants a signed-in reader, or closed comments meanwhile: the form gives way to
    // a link to the site's own form, and the reader's text stays here to copy.
    if let Sending::Failed(error @ (PostError::LoginRequired | PostError::Closed)) = form.sending()
    {
        let site = context
            .site
            .as_ref()
            .filter(|_| *error == PostError::LoginRequired)
            .map(|site| format!("{site}#respond"));
        return html! {
            <div class="aw-respond">
                <h3 class="aw-reply-title">{heading}</h3>
                <p role="status">{texts.post_error(error)}</p>
                if let Some(site) = site {
                    <p><a class="aw-button" href={site}>{texts.comment_on_site}</a></p>
                }
                <p class="aw-field">
                    <label for={field_id(prefix, Field::Content)}>{texts.label_comment}</label>
                    <textarea id={field_id(prefix, Field::Content)} readonly=true rows="4"
                        value={form.input().get(Field::Content).to_owned()} />
                </p>
            </div>
        };
    }

    html! {
        <div class={classes!("aw-respond", (context.depth > 0).then(|| format!("aw-depth-{}", context.depth)))}>
            <h3 id={heading_id.clone()} class="aw-reply-title">
                {heading}
                if form.reply_to().is_some() {
                    {" "}
                    <a href="#" class="aw-cancel-reply" onclick={on_cancel}>{texts.cancel_reply}</a>
                }
            </h3>
            <form class="aw-comment-form" novalidate=true aria-labelledby={heading_id} {onsubmit}
                method="post" action={context.action.clone()}>
                {summary}
                // What a post without JavaScript carries besides the fields (the service reads
                // the same names as the JSON body's).
                <input type="hidden" name="rendered_at" value={(model.rendered_at as i64).to_string()} />
                <input type="hidden" name="parent" value={form.reply_to().map(|t| t.id.clone()).unwrap_or_default()} />
                <p class="aw-notes">
                    <span>{texts.email_note}</span>{" "}
                    <span>{texts.required_note}{" "}<span class="aw-required" aria-hidden="true">{"*"}</span></span>
                </p>
                { text_field(Field::Content, texts.label_comment, "text", "off") }
                if let Some(account) = form.account() {
                    { signed_in_line(&account.name, context, texts) }
                } else {
                    { text_field(Field::Author, texts.label_name, "text", "name") }
                    { text_field(Field::Email, texts.label_email, "email", "email") }
                }
                { text_field(Field::Website, texts.label_website, "url", "url") }
                // A field people never see or fill; bots do.
                <div class="aw-hp" aria-hidden="true">
                    <label for={format!("{prefix}-homepage")}>{texts.honeypot_label}</label>
                    <input id={format!("{prefix}-homepage")} name="homepage" type="text" tabindex="-1"
                        autocomplete="off" value={form.honeypot().to_owned()} oninput={on_honeypot} />
                </div>
                if form.account().is_none() {
                <p class="aw-consent">
                    <input id={format!("{prefix}-consent")} type="checkbox" checked={form.remember()} onchange={on_remember} />
                    <label for={format!("{prefix}-consent")}>{texts.consent}</label>
                </p>
                }
                if context.notify {
                <p class="aw-consent">
                    <input id={format!("{prefix}-notify")} name="notify" value="1" type="checkbox" checked={form.notify()} onchange={on_notify} />
                    <label for={format!("{prefix}-notify")}>{texts.notify_replies}</label>
                </p>
                }
                if let Some(problem) = &model.storage_problem {
                    <p class="aw-storage-note" role="note">{texts.storage_error(*problem)}</p>
                }
                <p class="aw-submit">
                    // Pressing the button must not move focus out of the field first: that blur
                    // would mark the field, the message would push the button down, and the
                    // click would land beside it. Submit checks every field anyway.
                    <button type="submit" class="aw-button" aria-disabled={sending.then_some("true")}
                        onmousedown={Callback::from(|event: MouseEvent| event.prevent_default())}>
                        { if sending { texts.posting } else { texts.post } }
                    </button>
                </p>
                <div class="aw-post-status" role="status" aria-live="polite">
                    if let Some((retryable, message)) = status {
                        <p class={classes!(retryable.then_some("aw-post-error"))}>{message}</p>
                        if retryable {
                            <button type="button" class="aw-button aw-button--secondary" onclick={on_retry}>{texts.retry}</button>
                        }
                    }
                </div>
            </form>
        </div>
    }
}

/// In place of the name and email fields for a reader signed in by the publisher: the name
/// the comment will be shown under (isolated, for a name in another script), and a way back to
/// the anonymous form, which keeps what it held.
fn signed_in_line(name: &str, context: &FormContext, texts: &'static Texts) -> Html {
    let (before, after) = texts.commenting_as_parts();
    let on_anonymous = context
        .on_action
        .reform(|_: MouseEvent| Action::SignIn(None));
    html! {
        <p class="aw-signed-in">
            {before}<strong><bdi>{name.to_owned()}</bdi></strong>{after}{" "}
            <button type="button" class="aw-button aw-button--secondary" onclick={on_anonymous}>
                {texts.comment_anonymously}
            </button>
        </p>
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
                .or_else(|| {
                    target
                        .dyn_ref::<web_sys::HtmlInputElement>()
                        .map(|i| i.value())
                })
        })
        .unwrap_or_default()
}

fn checkbox_checked(event: &Event) -> bool {
    use wasm_bindgen::JsCast;
    event
        .target()
        .and_then(|target| {
            target
                .dyn_ref::<web_sys::HtmlInputElement>()
                .map(|i| i.checked())
        })
        .unwrap_or(false)
}
