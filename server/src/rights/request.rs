//! `GET /my-data`: the form; `POST /my-data`: a link is mailed when something is held under the
//! address, and the answer is the same words whatever is held, whether a link went or not, and
//! whether the request was within its rate limit, so that nobody learns whose address is known.

use article_widget::domain::comment_rules::is_valid_email;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;

use super::{field, form_fields, from_this_site, no_randomness, page, Failure};
use crate::clock::now_ms;
use crate::http::extract::ClientAddress;
use crate::http::AppState;
use crate::link_key::signing_key;
use crate::reader_data::{address_digest, NONCE_BYTES, READER};
use crate::store::{LinkRequest, Turn};
use crate::tokens::random_hex;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
/// The longest address mail systems carry (RFC 5321's path limit, less its brackets).
const ADDRESS_LIMIT: usize = 254;

/// An address is mailed a link at most once in 10 minutes and 3 times a day (whoever asks)…
fn address_turn(subject: String) -> Turn {
    Turn {
        subject,
        interval_ms: 10 * MINUTE_MS,
        window_ms: DAY_MS,
        most: 3,
    }
}

/// …and one client address may ask 10 times an hour (whatever addresses it names).
fn client_turn(subject: String) -> Turn {
    Turn {
        subject,
        interval_ms: 0,
        window_ms: HOUR_MS,
        most: 10,
    }
}

fn ask_form(status: StatusCode, problem: Option<&str>, email: &str) -> Response {
    page(
        status,
        "Your data",
        html! {
            h1 { "Your comments and subscriptions" }
            p {
                "Enter the email address you gave with your comments. If anything is held under \
                 it, we email it a link to download your data or erase it."
            }
            @if let Some(problem) = problem {
                p role="alert" style="color:#a00" { (problem) }
            }
            form method="post" action="/my-data" {
                p {
                    label {
                        "Email address" br;
                        input type="email" name="email" autocomplete="email" required
                            maxlength=(ADDRESS_LIMIT) value=(email);
                    }
                }
                button { "Email me a link" }
            }
        },
    )
}

pub(super) async fn ask_page() -> Response {
    ask_form(StatusCode::OK, None, "")
}

/// An address the comment form would take (the widget's own rule, `is_valid_email`, so that
/// the two never disagree), within the length limit. Letters outside ASCII are refused as the
/// form refuses them: PostgreSQL's `lower()` folds some of them into ASCII (the Kelvin sign
/// `K` into `k`), so such an address would open another reader's comments and have the link
/// mailed to itself. (Whether the address is anyone's is not said.)
fn plausible_address(email: &str) -> bool {
    email.len() <= ADDRESS_LIMIT && is_valid_email(email)
}

pub(super) async fn ask(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Failure> {
    from_this_site(&headers, &state.settings.public_url)?;
    let fields = form_fields(&body);
    let email = field(&fields, "email").unwrap_or_default().trim();
    if !plausible_address(email) {
        return Ok(ask_form(
            StatusCode::BAD_REQUEST,
            Some("Enter an email address, such as name@example.com."),
            email,
        ));
    }
    let key = signing_key(&state.store).await?;
    let nonce = random_hex(NONCE_BYTES).map_err(no_randomness)?;
    let digest = address_digest(key, email);
    let now = now_ms();
    let valid_ms = state.settings.data_rights.link_valid_secs * 1000;
    // The turns' subjects name no address (the digest, and the client's, kept a day at most).
    let turns = [
        // An IPv6 client counted by its /64, as every per-client limit is (`client_group`).
        client_turn(format!(
            "client {}",
            crate::http::client_address::client_group(client)
        )),
        address_turn(digest.clone()),
    ];
    let outcome = state
        .store
        .request_data_link(
            email,
            &nonce,
            &turns,
            now + valid_ms,
            now - valid_ms.max(DAY_MS),
            now,
        )
        .await?;
    let detail = match outcome {
        LinkRequest::Issued => "link mailed",
        LinkRequest::NothingHeld => "nothing held: no link",
        LinkRequest::TooSoon => "asked too often: no link",
    };
    state
        .store
        .audit(READER, "data link requested", &digest, detail, now)
        .await?;
    let hours = state.settings.data_rights.link_valid_secs / 3_600;
    Ok(page(
        StatusCode::OK,
        "Your data",
        html! {
            h1 { "Check your email" }
            p {
                "If comments or subscriptions are held under that address, a link is on its way; \
                 it lasts " (hours) " hours."
            }
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plausible_addresses_are_asked_for() {
        for good in ["ann@example.com", "a.b+c@x.example", "Ann@Example.COM"] {
            assert!(plausible_address(good), "{good}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "a nn@example.com",
            "a\u{0}@x.example",
            &long,
        ] {
            assert!(!plausible_address(bad), "{bad}");
        }
        // What the comment form refuses: letters outside ASCII, among them the Kelvin sign
        // that PostgreSQL's lower() reads as `k` (kim@example.com's comments).
        for not_ascii in ["\u{212A}im@example.com", "Zoë@example.com", "zoe@例え.jp"] {
            assert!(!plausible_address(not_ascii), "{not_ascii}");
            assert!(
                !is_valid_email(not_ascii),
                "the form refuses {not_ascii} too"
            );
        }
    }
}
