//! The area's layout and the pieces its pages share, as maud templates: every splice is
//! escaped by maud, so nothing a commenter (or a request) wrote can become markup here.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use article_widget::domain::date::Timestamp;

/// The area's own stylesheet: a constant of ours, nothing from a request in it.
const STYLE: &str = "body{font:16px/1.45 system-ui,sans-serif;margin:0;color:#1a1a1a;background:#fafafa}\
header{display:flex;flex-wrap:wrap;gap:.75rem 1.25rem;align-items:center;padding:.75rem 1rem;background:#fff;border-bottom:1px solid #ddd}\
header strong{margin-right:auto}main{max-width:60rem;margin:0 auto;padding:1rem}\
.card{background:#fff;border:1px solid #ddd;border-radius:8px;padding:.75rem 1rem;margin:0 0 1rem}\
.meta{color:#555;font-size:.875rem;overflow-wrap:anywhere}.badge{border:1px solid currentColor;border-radius:4px;padding:0 .3rem;font-size:.75rem}.text{white-space:pre-line;overflow-wrap:anywhere}\
.context{border-left:3px solid #ccc;padding-left:.75rem;color:#555;font-size:.875rem}\
.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.5rem}button,input,select{font:inherit;padding:.4rem .7rem}\
button{border:1px solid #888;border-radius:6px;background:#fff}form.inline{display:inline}\
.filters{display:flex;flex-wrap:wrap;gap:.5rem;margin-bottom:1rem}table{border-collapse:collapse;width:100%}\
td,th{border-bottom:1px solid #ddd;padding:.35rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}\
.error{color:#a00}@media (prefers-color-scheme:dark){body{background:#111;color:#eee}header,.card{background:#1b1b1b;border-color:#333}\
.meta,.context{color:#aaa}button{background:#222;color:#eee}}";

/// Who is signed in, for the layout's navigation and sign-out form.
pub struct SignedInAs<'a> {
    pub moderator: &'a str,
    pub csrf: &'a str,
}

/// A page of the area: the layout around `body`, with this status. (The area's security
/// headers are added to every answer by the router's layer, in `mod.rs`.)
pub fn page(
    status: StatusCode,
    title: &str,
    signed_in: Option<SignedInAs<'_>>,
    body: Markup,
) -> Response {
    let html = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                title { (title) " · Comments" }
                // The one `PreEscaped` of the area: our own constant stylesheet, which holds
                // nothing from a request (and inside `<style>` a browser reads no character
                // references, so escaped text would not be CSS).
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    strong { "Comments · moderation" }
                    @if let Some(signed_in) = signed_in {
                        (navigation(&signed_in))
                    }
                }
                main {
                    h1 { (title) }
                    (body)
                }
            }
        }
    };
    (status, html).into_response()
}

fn navigation(signed_in: &SignedInAs<'_>) -> Markup {
    html! {
        nav {
            a href="/moderate/overview" { "Overview" } " "
            a href="/moderate" { "Queue" } " "
            a href="/moderate?status=approved" { "Published" } " "
            a href="/moderate?status=all" { "All" } " "
            a href="/moderate/blocks" { "Blocks" } " "
            a href="/moderate/readers" { "Readers' data" } " "
            a href="/moderate/audit" { "Audit log" }
        }
        form.inline method="post" action="/moderate/sign-out" {
            (csrf_field(signed_in.csrf))
            span { (shown(signed_in.moderator)) } " "
            button { "Sign out" }
        }
    }
}

/// The hidden field every state-changing form of the area carries.
pub fn csrf_field(csrf: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(csrf); }
}

/// A redirect after a form (303: the browser follows it with a GET).
pub fn see_other(location: &str) -> Response {
    (
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location.to_owned())],
    )
        .into_response()
}

/// A time as a moderator reads it: `2026-12-07 21:52:18 UTC`.
pub fn when(ms: i64) -> String {
    let text = Timestamp::from_millis(ms).to_rfc3339();
    text.replace('T', " ").replace('Z', " UTC")
}

/// A comment status (or `all`) as the area names it.
pub fn status_label(status: &str) -> &'static str {
    match status {
        "pending" => "Held",
        "approved" => "Published",
        "rejected" => "Rejected",
        "spam" => "Spam",
        _ => "All",
    }
}

/// Text someone else wrote, to be shown (not to go back into a form): line breaks and tabs
/// kept (a CR before a line break dropped); every other control character and every
/// bidirectional override or isolate (what the comment rules refuse, which imports and old
/// rows may still hold) written as a visible escape (`\u{202e}`), so none can reorder or hide
/// what a moderator reads. Escaping for HTML is maud's, after this.
pub fn shown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\t' => out.push(c),
            c if c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}') =>
            {
                out.extend(c.escape_unicode());
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_text_is_shown_not_obeyed() {
        assert_eq!(
            shown("a\r\nb\tc\u{1b}[2J\u{0}\u{202e}d\u{2066}\re"),
            "a\nb\tc\\u{1b}[2J\\u{0}\\u{202e}d\\u{2066}\\u{d}e"
        );
        assert_eq!(shown("Zoë «ω» שלום"), "Zoë «ω» שלום");
        let markup = html! { p title=(shown("\"><script>")) { (shown("<b>&")) } };
        assert_eq!(
            markup.into_string(),
            "<p title=\"&quot;&gt;&lt;script&gt;\">&lt;b&gt;&amp;</p>"
        );
    }
}
