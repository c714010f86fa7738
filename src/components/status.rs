//! The states around an article: loading (space reserved, announced) and failed (the cause in
//! plain words, with Retry).

use yew::prelude::*;

use crate::domain::errors::LoadError;
use crate::i18n::Texts;

/// A skeleton the size of a typical article top, so the page does not jump when it arrives.
/// Functions, not components (see `header::article_header`).
pub fn loading(texts: &Texts) -> Html {
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

/// The cause in plain words, with Retry.
pub fn failed(error: &LoadError, on_retry: &Callback<()>, texts: &Texts) -> Html {
    let onclick = on_retry.reform(|_: MouseEvent| ());
    html! {
        <div class="aw-error" role="alert">
            <h2 class="aw-error-title">{texts.load_error_title(error)}</h2>
            <p class="aw-error-message">{texts.load_error(error)}</p>
            <button type="button" class="aw-button" {onclick}>{texts.retry}</button>
        </div>
    }
}
