//! The states around an article: loading (space reserved, announced) and failed (the cause in
//! plain words, with Retry).

use yew::prelude::*;

use super::texts::use_texts;
use crate::domain::errors::LoadError;

/// A skeleton the size of a typical article top, so the page does not jump when it arrives.
#[component]
pub fn Loading() -> Html {
    let texts = use_texts();
    html! {
        <div class="aw-loading" role="status" aria-live="polite" aria-busy="true">
            <span class="aw-visually-hidden">{texts.loading}</span>
            <div aria-hidden="true">
                <div class="aw-skeleton aw-skeleton--kicker"></div>
                <div class="aw-skeleton aw-skeleton--headline"></div>
                <div class="aw-skeleton aw-skeleton--headline aw-skeleton--short"></div>
                <div class="aw-skeleton aw-skeleton--meta"></div>
                <div class="aw-skeleton aw-skeleton--image"></div>
                { for (0..6).map(|i| html! {
                    <div class={classes!("aw-skeleton", "aw-skeleton--line", (i % 3 == 2).then_some("aw-skeleton--short"))}></div>
                }) }
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct FailedProps {
    pub error: LoadError,
    pub on_retry: Callback<()>,
}

#[component]
pub fn Failed(props: &FailedProps) -> Html {
    let texts = use_texts();
    let onclick = props.on_retry.reform(|_: MouseEvent| ());
    html! {
        <div class="aw-error" role="alert">
            <h2 class="aw-error-title">{texts.load_error_title(&props.error)}</h2>
            <p class="aw-error-message">{texts.load_error(&props.error)}</p>
            <button type="button" class="aw-button" {onclick}>{texts.retry}</button>
        </div>
    }
}
