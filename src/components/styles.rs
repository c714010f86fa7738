//! The widget's stylesheet, scoped by stylist to the widget root.
//!
//! Theme values are CSS custom properties, so a host page can restyle the widget without
//! touching its internals (README, "Theming"); custom properties pass the shadow boundary.
//! By default the widget takes the host's font and text colour and mixes its muted, border
//! and surface colours from that text colour, so it looks native on light and dark pages;
//! `theme="light"`/`"dark"` set a full palette; accents follow `prefers-color-scheme` in
//! `auto`. Every inherited property a host could disturb (letter-spacing, text-transform …)
//! is reset on the root. Layout uses logical properties so right-to-left articles mirror.

use stylist::yew::{use_style, Global};
use yew::prelude::*;

/// The rule on the host element, inside the shadow root. `!important` inside a shadow root
/// beats the page's `!important` on the host element, so a page-wide `* { padding: 3em
/// !important }` cannot reach the widget. Font family and colour alone are taken from the
/// page, by design. Used by the embed layer and by the prerendered markup alike.
#[component]
pub fn HostReset() -> Html {
    html! {
        <Global css={stylist::css!(
            ":host { all: initial !important; display: block !important;
                     font-family: inherit !important; color: inherit !important; }
             :host([hidden]) { display: none !important; }"
        )} />
    }
}

#[hook]
pub fn use_widget_style() -> Classes {
    let style = use_style!(
        r#"
        /* Fonts and text colour come from the host page unless a --aw-* property says
           otherwise; the derived colours are mixed from the text colour, so they suit any
           host, light or dark. theme="light"/"dark" set a full palette instead. */
        font-family: var(--aw-font-body, inherit);
        color: var(--aw-color-text, inherit);
        background: var(--aw-color-background, transparent);
        font-size: 1.0625rem;
        line-height: 1.65;
        font-weight: 400;
        font-style: normal;
        letter-spacing: normal;
        word-spacing: normal;
        text-transform: none;
        text-indent: 0;
        text-shadow: none;
        text-align: start;
        white-space: normal;
        visibility: visible;
        -webkit-text-size-adjust: 100%;

        --_muted: var(--aw-color-muted, color-mix(in srgb, currentColor 68%, transparent));
        --_surface: var(--aw-color-surface, color-mix(in srgb, currentColor 7%, transparent));
        --_border: var(--aw-color-border, color-mix(in srgb, currentColor 22%, transparent));
        --_accent: var(--aw-color-accent, #b3261e);
        --_on-accent: var(--aw-color-on-accent, #ffffff);
        --_link: var(--aw-color-link, #0b57a4);
        --_error: var(--aw-color-error, #c0262d);
        --_radius: var(--aw-radius, 6px);
        --_space: var(--aw-space, 1rem);
        --_max-width: var(--aw-max-width, 44rem);

        &[data-theme="light"] {
            color: var(--aw-color-text, #1b1b1b);
            background: var(--aw-color-background, #ffffff);
            color-scheme: light;
        }
        &[data-theme="dark"] {
            color: var(--aw-color-text, #ebe9e4);
            background: var(--aw-color-background, #161616);
            color-scheme: dark;
            --_accent: var(--aw-color-accent, #ff8a80);
            --_on-accent: var(--aw-color-on-accent, #1b0d0c);
            --_link: var(--aw-color-link, #8cc4ff);
            --_error: var(--aw-color-error, #ff8f8a);
        }
        @media (prefers-color-scheme: dark) {
            &[data-theme="auto"] {
                --_accent: var(--aw-color-accent, #ff8a80);
                --_on-accent: var(--aw-color-on-accent, #1b0d0c);
                --_link: var(--aw-color-link, #8cc4ff);
                --_error: var(--aw-color-error, #ff8f8a);
            }
        }

        .aw-headline, .aw-body h2 { font-family: var(--aw-font-heading, inherit); }
        .aw-kicker, .aw-meta, figcaption, .aw-related, .aw-error, .aw-comments, .aw-back-to-top,
        button, input, textarea { font-family: var(--aw-font-ui, inherit); }
        button, input, textarea { font-size: inherit; line-height: inherit; color: inherit; }

        *, *::before, *::after { box-sizing: border-box; }

        .aw-article, .aw-loading, .aw-error {
            max-width: var(--_max-width);
            margin-inline: auto;
            padding: calc(var(--_space) * 1.5) var(--_space);
        }

        a { color: var(--_link); text-underline-offset: 0.15em; }
        a:hover { text-decoration-thickness: 2px; }
        :focus-visible { outline: 3px solid var(--_link); outline-offset: 2px; border-radius: 2px; }
        [tabindex="-1"]:focus:not(:focus-visible) { outline: none; }

        .aw-kicker {
            margin: 0 0 0.5rem;
            font-weight: 700; font-size: 0.8125rem; line-height: 1.3;
            letter-spacing: 0.08em;
            text-transform: uppercase;
            color: var(--_accent);
        }
        .aw-headline {
            margin: 0 0 0.75rem;
            font-weight: 700; font-size: clamp(1.75rem, 1.1rem + 2.6vw, 2.6rem); line-height: 1.15;
            letter-spacing: -0.01em;
            text-wrap: balance;
        }
        .aw-standfirst {
            margin: 0 0 1rem;
            font-size: 1.25rem;
            line-height: 1.45;
            color: var(--_muted);
        }
        .aw-meta {
            margin: 0 0 1.5rem;
            padding-block: 0.75rem;
            border-block: 1px solid var(--_border);
            font-size: 0.875rem; line-height: 1.5;
            color: var(--_muted);
        }
        .aw-meta p { margin: 0; }
        .aw-byline { color: currentColor; font-weight: 600; }
        .aw-dates { display: flex; flex-wrap: wrap; column-gap: 0.5rem; }
        .aw-dates > * + *::before { content: "·"; margin-inline-end: 0.5rem; }

        .aw-figure { margin: 0 0 1.5rem; }
        .aw-figure:empty { display: none; }
        .aw-figure img {
            display: block;
            width: 100%;
            height: auto;
            background: var(--_surface);
            border-radius: var(--_radius);
        }
        .aw-figure figcaption {
            margin-top: 0.5rem;
            font-size: 0.8125rem; line-height: 1.45;
            color: var(--_muted);
        }
        .aw-credit { display: block; font-size: 0.75rem; opacity: 0.85; }
        .aw-caption + .aw-credit { margin-top: 0.125rem; }

        .aw-body p, .aw-body ul, .aw-body ol { margin: 0 0 1.1em; }
        .aw-body h2 {
            margin: 2rem 0 0.75rem;
            font-weight: 700; font-size: 1.375rem; line-height: 1.25;
        }
        .aw-body ul, .aw-body ol { padding-inline-start: 1.5em; }
        .aw-body li + li { margin-top: 0.35em; }
        .aw-body ol:lang(fa) { list-style-type: persian; }
        .aw-body ol:lang(ar) { list-style-type: arabic-indic; }
        .aw-body code {
            font-size: 0.9em;
            padding: 0.1em 0.3em;
            background: var(--_surface);
            border-radius: 3px;
        }
        .aw-quote { margin: 1.75rem 0; padding-inline-start: 1.25rem; border-inline-start: 4px solid var(--_accent); }
        .aw-quote blockquote { margin: 0; font-size: 1.25rem; line-height: 1.45; font-style: italic; }
        .aw-quote blockquote p { margin: 0; }
        .aw-quote figcaption { margin-top: 0.5rem; font-size: 0.875rem; line-height: 1.4; color: var(--_muted); }
        .aw-quote figcaption::before { content: "— "; }
        .aw-quote cite { font-style: normal; }

        .aw-related {
            margin-top: 2.5rem;
            padding-top: 1rem;
            border-top: 3px solid currentColor;
            
        }
        .aw-related h2 { margin: 0 0 0.75rem; font-size: 1.125rem; }
        .aw-related ul { list-style: none; margin: 0; padding: 0; display: grid; gap: 1rem; }
        .aw-related li { display: grid; gap: 0.25rem; }
        .aw-related a {
            display: flex;
            gap: 0.75rem;
            align-items: center;
            color: currentColor;
            font-weight: 600;
            line-height: 1.35;
            text-decoration: none;
        }
        .aw-related a:hover .aw-related-title { text-decoration: underline; }
        .aw-related img { flex: none; width: 6rem; height: auto; aspect-ratio: 3 / 2; object-fit: cover; border-radius: var(--_radius); background: var(--_surface); }
        .aw-related time { font-size: 0.8125rem; color: var(--_muted); }

        .aw-back-to-top {
            position: fixed;
            inset-block-end: 1.25rem;
            inset-inline-end: 1.25rem;
            z-index: 10;
            padding: 0.6rem 1rem;
            border: 0;
            border-radius: 999px;
            background: var(--_accent);
            color: var(--_on-accent);
            font-weight: 600; font-size: 0.875rem; line-height: 1;
            box-shadow: 0 2px 10px rgb(0 0 0 / 0.25);
            cursor: pointer;
            animation: aw-fade-in 160ms ease-out;
        }
        .aw-back-to-top[hidden] { display: none; }

        .aw-button {
            padding: 0.6rem 1.25rem;
            border: 0;
            border-radius: var(--_radius);
            background: var(--_accent);
            color: var(--_on-accent);
            font-weight: 600; font-size: 0.9375rem; line-height: 1.2;
            cursor: pointer;
        }
        .aw-error {
            
        }
        .aw-error > * { max-width: 36rem; }
        .aw-error-title { margin: 0 0 0.5rem; font-size: 1.25rem; }
        .aw-error-message { margin: 0 0 1rem; color: var(--_muted); overflow-wrap: anywhere; }

        .aw-loading { min-height: 42rem; }
        .aw-skeleton {
            height: 1rem;
            margin-bottom: 0.75rem;
            border-radius: 4px;
            background: linear-gradient(90deg, var(--_surface) 0%, var(--_border) 50%, var(--_surface) 100%) 0 0 / 200% 100%;
            animation: aw-shimmer 1.4s linear infinite;
        }
        .aw-skeleton--kicker { width: 8rem; height: 0.8rem; }
        .aw-skeleton--headline { height: 2.2rem; }
        .aw-skeleton--meta { width: 60%; margin-block: 1.25rem 1.5rem; }
        .aw-skeleton--image { height: auto; aspect-ratio: 16 / 9; margin-bottom: 1.5rem; }
        .aw-skeleton--short { width: 65%; }

        .aw-visually-hidden {
            position: absolute !important;
            width: 1px; height: 1px;
            overflow: hidden;
            clip: rect(0 0 0 0);
            clip-path: inset(50%);
            white-space: nowrap;
        }


        .aw-comments {
            max-width: var(--_max-width);
            margin-inline: auto;
            padding: 0 var(--_space) calc(var(--_space) * 2);
            
            font-size: 0.9375rem;
            line-height: 1.55;
        }
        .aw-comments--closed p { margin: 1rem 0; color: var(--_muted); }
        .aw-comments-heading {
            margin: 0.5rem 0 1rem;
            padding-top: 1rem;
            border-top: 3px solid currentColor;
            font-size: 1.25rem;
        }
        .aw-comments-status { color: var(--_muted); }
        .aw-error-inline p { margin: 0 0 0.5rem; }
        .aw-thread { list-style: none; margin: 0 0 1.5rem; padding: 0; }
        .aw-comment { margin: 0 0 1rem; }
        .aw-comment-body { padding: 0.75rem 1rem; background: var(--_surface); border-radius: var(--_radius); }
        .aw-depth-2 { margin-inline-start: 1.5rem; }
        .aw-depth-3 { margin-inline-start: 3rem; }
        .aw-comment--pending .aw-comment-body { outline: 1px dashed var(--_border); }
        .aw-comment-meta { display: flex; flex-wrap: wrap; gap: 0.25rem 0.75rem; align-items: baseline; }
        .aw-comment-author { font-weight: 700; color: currentColor; }
        .aw-comment-meta time, .aw-comment-in-reply { font-size: 0.8125rem; color: var(--_muted); }
        .aw-comment-pending { margin: 0.25rem 0 0; font-style: italic; color: var(--_muted); }
        .aw-comment-text { font-family: var(--aw-font-body, inherit); font-size: 1rem; overflow-wrap: anywhere; }
        .aw-comment-text p { margin: 0.5rem 0 0; white-space: pre-line; }
        .aw-reply-button {
            margin-top: 0.5rem; padding: 0.2rem 0.6rem;
            border: 1px solid var(--_border); border-radius: 999px;
            background: transparent; color: var(--_link);
            font-weight: 600; font-size: 0.8125rem; line-height: 1.4; cursor: pointer;
        }
        .aw-thread-form { margin-bottom: 1.5rem; }

        .aw-reply-title { margin: 1.5rem 0 0.5rem; font-size: 1.25rem; }
        .aw-cancel-reply { font-size: 0.875rem; font-weight: 400; }
        .aw-notes { margin: 0 0 1rem; color: var(--_muted); font-size: 0.875rem; }
        .aw-required { color: var(--_accent); }
        .aw-field { margin: 0 0 1rem; display: flex; flex-direction: column; gap: 0.25rem; }
        .aw-field label { font-weight: 600; }
        .aw-field input, .aw-field textarea {
            width: 100%;
            padding: 0.55rem 0.65rem;
            border: 1px solid var(--_muted);
            border-radius: var(--_radius);
            background: transparent;
            color: currentColor;
            font-size: 1rem; line-height: 1.45;
        }
        .aw-field textarea { min-height: 9rem; resize: vertical; }
        .aw-field--author, .aw-field--email, .aw-field--website { max-width: 28rem; }
        .aw-field--error { padding-inline-start: 0.75rem; border-inline-start: 4px solid var(--_error); }
        .aw-field--error input, .aw-field--error textarea { border: 2px solid var(--_error); }
        .aw-field-error { color: var(--_error); font-weight: 700; }
        .aw-counter { font-size: 0.8125rem; color: var(--_muted); }
        .aw-consent { display: flex; gap: 0.5rem; align-items: flex-start; margin: 0 0 1rem; }
        .aw-consent input { margin-top: 0.3rem; width: 1.1rem; height: 1.1rem; flex: none; }
        .aw-storage-note { font-size: 0.875rem; color: var(--_muted); border-inline-start: 3px solid var(--_border); padding-inline-start: 0.5rem; }
        .aw-submit { margin: 0 0 0.5rem; }
        .aw-button[aria-disabled="true"] { opacity: 0.7; cursor: progress; }
        .aw-button--secondary { background: transparent; color: var(--_link); border: 1px solid var(--_border); }
        .aw-post-error { color: var(--_error); font-weight: 600; }
        .aw-error-summary {
            margin: 0 0 1.25rem;
            padding: 1rem 1.25rem;
            border: 4px solid var(--_error);
            border-radius: var(--_radius);
        }
        .aw-error-summary:focus { outline: 3px solid var(--_link); outline-offset: 2px; }
        .aw-error-summary h3 { margin: 0 0 0.5rem; font-size: 1.125rem; }
        .aw-error-summary ul { margin: 0; padding-inline-start: 1.25rem; }
        .aw-error-summary a { color: var(--_error); font-weight: 700; }
        .aw-hp { position: absolute; inset-inline-start: -10000px; width: 1px; height: 1px; overflow: hidden; }

        @media (prefers-reduced-motion: reduce) {
            .aw-skeleton, .aw-back-to-top { animation: none; }
        }

        @keyframes aw-shimmer { from { background-position: 100% 0; } to { background-position: -100% 0; } }
        @keyframes aw-fade-in { from { opacity: 0; transform: translateY(0.5rem); } to { opacity: 1; transform: none; } }
        "#
    );
    style.into()
}
