//! The comment section in a real browser against the fixture server's comments API and its
//! failure modes: validation and focus, the error summary, drafts that survive a reload,
//! consent, exactly-once posting across a timeout, replies.
#![cfg(target_arch = "wasm32")]

mod support;

use std::time::Duration;

use article_widget::ArticleWidgetProps;
use support::{active_element, local_storage, sleep, unique, until, Mounted, SERVER};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const COMMENT: &str = "textarea[name=content]";
const NAME: &str = "input[name=author]";
const EMAIL: &str = "input[name=email]";
const WEBSITE: &str = "input[name=website]";
const CONSENT: &str = "input[id$=\"-consent\"]";
const SUBMIT: &str = "button[type=submit]";
const IDENTITY: &str = "article-widget:identity";

/// A widget showing a test article whose comments behave as `mode` says, with a 1 s limit
/// on requests so that timeouts are quick to provoke.
async fn open(mode: &str, id: &str) -> Mounted {
    let widget = Mounted::with_props(yew::props!(ArticleWidgetProps {
        src: format!("{SERVER}/article/{mode}/{id}"),
        timeout: Duration::from_secs(1),
    }));
    widget.wait_for("form.aw-comment-form").await;
    widget
}

async fn fill_valid(widget: &Mounted, content: &str) {
    widget.type_into(COMMENT, content).await;
    widget.type_into(NAME, "Ann Reader").await;
    widget.type_into(EMAIL, "ann@example.com").await;
}

/// The comments the server holds for this article, fetched directly.
async fn server_count(mode: &str, id: &str) -> usize {
    // A query the service ignores, so the browser's cache (the list may be kept 10 s) cannot
    // answer for the server.
    let url = format!(
        "{SERVER}/api/{mode}/articles/{id}/comments?fresh={}",
        js_sys::Math::random()
    );
    let text = gloo_net::http::Request::get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.matches("\"id\":").count()
}

/// How many POST requests the server received for this article.
async fn server_posts(mode: &str, id: &str) -> usize {
    let url = format!("{SERVER}/posts/{mode}/{id}");
    gloo_net::http::Request::get(&url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

fn forget_identity() {
    local_storage().remove_item(IDENTITY).unwrap();
}

#[wasm_bindgen_test]
async fn the_form_has_wordpress_fields_labels_and_notes() {
    forget_identity();
    let id = unique("fields");
    let widget = open("ok", &id).await;
    assert_eq!(widget.text(".aw-reply-title"), "Leave a Reply");
    assert!(widget
        .text(".aw-notes")
        .contains("Your email address will not be published."));
    assert!(widget
        .text(".aw-notes")
        .contains("Required fields are marked"));
    for (selector, label, autocomplete, maxlength) in [
        (COMMENT, "Comment *", None, "65525"),
        (NAME, "Name *", Some("name"), "245"),
        (EMAIL, "Email *", Some("email"), "100"),
        (WEBSITE, "Website", Some("url"), "200"),
    ] {
        let field = widget.query(selector).unwrap();
        let id = field.id();
        let label_element = widget
            .query(&format!("label[for='{id}']"))
            .unwrap_or_else(|| panic!("a label for {selector}"));
        assert_eq!(label_element.text_content().unwrap(), label);
        if let Some(token) = autocomplete {
            assert_eq!(
                field.get_attribute("autocomplete").as_deref(),
                Some(token),
                "{selector}"
            );
        }
        assert_eq!(
            field.get_attribute("maxlength").as_deref(),
            Some(maxlength),
            "{selector}"
        );
    }
    let consent_id = widget.query(CONSENT).unwrap().id();
    assert_eq!(
        widget.text(&format!("label[for='{consent_id}']")),
        "Save my name, email, and website in this browser for the next time I comment."
    );
    assert_eq!(widget.text(SUBMIT), "Post Comment");
    widget.wait_for_text("No comments yet").await;
    assert_eq!(widget.text(".aw-comments-heading"), "No comments yet");
    let honeypot = widget.query(".aw-hp").unwrap();
    assert_eq!(
        honeypot.get_attribute("aria-hidden").as_deref(),
        Some("true")
    );
    assert!(
        honeypot.get_bounding_client_rect().width() <= 1.0,
        "not visible"
    );
}

#[wasm_bindgen_test]
async fn a_failed_submit_shows_a_focused_summary_linked_to_each_field() {
    let id = unique("summary");
    let widget = open("ok", &id).await;
    widget.click(SUBMIT);
    let summary = widget.wait_for(".aw-error-summary").await;
    until("the summary has focus", || {
        active_element().is_some_and(|a| a.is_same_node(Some(&summary)))
    })
    .await;
    let links = widget.all(".aw-error-summary a");
    let texts: Vec<String> = links.iter().map(|l| l.text_content().unwrap()).collect();
    assert_eq!(
        texts,
        [
            "Enter your comment",
            "Enter your name",
            "Enter your email address"
        ]
    );

    for selector in [COMMENT, NAME, EMAIL] {
        let field = widget.query(selector).unwrap();
        assert_eq!(
            field.get_attribute("aria-invalid").as_deref(),
            Some("true"),
            "{selector}"
        );
        // The error is named first; the comment field also names its formatting hint.
        let described = field.get_attribute("aria-describedby").unwrap();
        let ids: Vec<&str> = described.split_whitespace().collect();
        if selector == COMMENT {
            assert!(ids.iter().any(|id| id.ends_with("-hint")), "{selector}: {described}");
        }
        let message = widget
            .query(&format!("#{}", ids[0]))
            .unwrap()
            .text_content()
            .unwrap();
        assert!(
            message.starts_with("Error: Enter your"),
            "{selector}: {message}"
        );
    }
    assert_eq!(
        widget.query(WEBSITE).unwrap().get_attribute("aria-invalid"),
        None,
        "optional and empty: fine"
    );

    // A summary link moves focus to its field.
    support::Mounted::click(&widget, ".aw-error-summary li:nth-child(2) a");
    let name = widget.query(NAME).unwrap();
    until("the name field has focus", || {
        active_element().is_some_and(|a| a.is_same_node(Some(&name)))
    })
    .await;

    // Correcting a field clears its mark while typing; the summary keeps the rest.
    widget.type_into(COMMENT, "Thoughtful words.").await;
    assert_eq!(
        widget.query(COMMENT).unwrap().get_attribute("aria-invalid"),
        None
    );
    assert_eq!(widget.all(".aw-error-summary a").len(), 2);
}

#[wasm_bindgen_test]
async fn fields_are_checked_on_blur_and_live_once_marked() {
    let id = unique("blur");
    let widget = open("ok", &id).await;
    widget.type_into(EMAIL, "ann@").await;
    assert!(
        widget.query(".aw-field--email .aw-field-error").is_none(),
        "no error while typing the first time"
    );
    widget.leave(EMAIL).await;
    assert_eq!(
        widget.text(".aw-field--email .aw-field-error"),
        "Error: Enter an email address in the correct format, like name@example.com"
    );
    widget.type_into(EMAIL, "ann@example.org").await;
    assert!(
        widget.query(".aw-field--email .aw-field-error").is_none(),
        "cleared as soon as it is right"
    );
    widget.type_into(WEBSITE, "javascript:alert(1)").await;
    widget.leave(WEBSITE).await;
    assert!(widget
        .text(".aw-field--website .aw-field-error")
        .contains("website address in the correct format"));
}

#[wasm_bindgen_test]
async fn a_counter_appears_near_the_limit() {
    let id = unique("counter");
    let widget = open("ok", &id).await;
    widget.type_into(NAME, &"n".repeat(200)).await;
    assert!(
        widget.query(".aw-field--author .aw-counter").is_none(),
        "far from 245"
    );
    widget.type_into(NAME, &"n".repeat(230)).await;
    assert_eq!(
        widget.text(".aw-field--author .aw-counter"),
        "15 characters left"
    );
    let described = widget
        .query(NAME)
        .unwrap()
        .get_attribute("aria-describedby")
        .unwrap();
    assert!(described.ends_with("-count"));
}

#[wasm_bindgen_test]
async fn the_draft_survives_a_reload_and_personal_details_need_consent() {
    forget_identity();
    let id = unique("draft");
    let widget = open("ok", &id).await;
    widget
        .type_into(COMMENT, "Half-written thought\nwith a second line")
        .await;
    widget.type_into(NAME, "Ann Reader").await;
    let stored = local_storage()
        .get_item(&format!("article-widget:draft:{id}"))
        .unwrap()
        .unwrap();
    assert!(stored.contains("Half-written thought"));
    assert_eq!(
        local_storage().get_item(IDENTITY).unwrap(),
        None,
        "no consent, no name stored"
    );
    widget.destroy();

    let reloaded = open("ok", &id).await;
    let area: web_sys::HtmlTextAreaElement = reloaded.element(COMMENT);
    assert_eq!(area.value(), "Half-written thought\nwith a second line");
    let name: web_sys::HtmlInputElement = reloaded.element(NAME);
    assert_eq!(name.value(), "", "the name was not kept without consent");
}

#[wasm_bindgen_test]
async fn consent_saves_details_and_unticking_forgets_them_at_once() {
    forget_identity();
    let id = unique("consent");
    let widget = open("ok", &id).await;
    widget.type_into(NAME, "Ann Reader").await;
    widget.type_into(EMAIL, "ann@example.com").await;
    widget.click(CONSENT);
    support::settle().await;
    let stored = local_storage()
        .get_item(IDENTITY)
        .unwrap()
        .expect("stored with consent");
    assert!(stored.contains("Ann Reader") && stored.contains("ann@example.com"));
    widget.destroy();

    let again = open("ok", &unique("consent-next")).await;
    assert_eq!(
        again.element::<web_sys::HtmlInputElement>(NAME).value(),
        "Ann Reader",
        "remembered for next time"
    );
    assert!(again
        .element::<web_sys::HtmlInputElement>(CONSENT)
        .checked());
    again.click(CONSENT);
    support::settle().await;
    assert_eq!(
        local_storage().get_item(IDENTITY).unwrap(),
        None,
        "forgotten the moment it is unticked"
    );
}

#[wasm_bindgen_test]
async fn a_new_comment_appears_at_once_and_the_field_empties() {
    let id = unique("post");
    let widget = open("pending", &id).await;
    fill_valid(&widget, "First!\n\nA second paragraph.").await;
    widget.click(SUBMIT);
    let comment = widget.wait_for(".aw-thread .aw-comment").await;
    assert_eq!(widget.text(".aw-comment .aw-comment-author"), "Ann Reader");
    assert_eq!(widget.all(".aw-comment-text p").len(), 2, "paragraphs kept");
    assert!(comment
        .text_content()
        .unwrap()
        .contains("Your comment is awaiting moderation."));
    assert_eq!(
        widget
            .element::<web_sys::HtmlTextAreaElement>(COMMENT)
            .value(),
        ""
    );
    assert_eq!(widget.text(".aw-comments-heading"), "1 Response");
    assert!(widget
        .text(".aw-post-status")
        .contains("awaiting moderation"));
    assert_eq!(
        local_storage()
            .get_item(&format!("article-widget:draft:{id}"))
            .unwrap(),
        None,
        "draft cleared after 201"
    );
}

#[wasm_bindgen_test]
async fn a_retry_after_a_timeout_posts_exactly_once() {
    let id = unique("slow");
    let widget = open("slow", &id).await;
    fill_valid(&widget, "Sent over a slow line.").await;
    widget.click(SUBMIT);
    widget
        .wait_for_text("The server did not answer within 1 second")
        .await;
    assert_eq!(
        widget
            .element::<web_sys::HtmlTextAreaElement>(COMMENT)
            .value(),
        "Sent over a slow line.",
        "kept"
    );
    widget.click(".aw-post-status button");
    widget.wait_for(".aw-thread .aw-comment").await;
    sleep(3_500).await; // the first request has finished on the server too
    assert_eq!(
        server_posts("slow", &id).await,
        2,
        "the first attempt and the retry"
    );
    assert_eq!(
        server_count("slow", &id).await,
        1,
        "one comment on the server"
    );
    assert_eq!(widget.all(".aw-thread .aw-comment").len(), 1);
}

#[wasm_bindgen_test]
async fn clicks_while_sending_are_ignored() {
    let id = unique("double");
    let widget = Mounted::with_props(yew::props!(ArticleWidgetProps {
        src: format!("{SERVER}/article/slow/{id}"),
        timeout: Duration::from_secs(10),
    }));
    widget.wait_for("form.aw-comment-form").await;
    fill_valid(&widget, "Clicked twice.").await;
    widget.click(SUBMIT);
    support::settle().await;
    assert_eq!(widget.text(SUBMIT), "Posting…");
    assert_eq!(
        widget
            .query(SUBMIT)
            .unwrap()
            .get_attribute("aria-disabled")
            .as_deref(),
        Some("true")
    );
    widget.click(SUBMIT);
    widget.click(SUBMIT);
    widget.wait_for(".aw-thread .aw-comment").await;
    assert_eq!(server_posts("slow", &id).await, 1, "one request, not three");
    assert_eq!(server_count("slow", &id).await, 1);
}

#[wasm_bindgen_test]
async fn a_reply_nests_under_its_parent() {
    forget_identity();
    let id = unique("reply");
    let widget = open("ok", &id).await;
    fill_valid(&widget, "The parent comment.").await;
    widget.click(SUBMIT);
    widget.wait_for(".aw-comment").await;

    widget.click(".aw-comment .aw-reply-button");
    widget.wait_for(".aw-thread-form form").await;
    assert_eq!(
        widget.text(".aw-reply-title"),
        "Leave a Reply to Ann Reader Cancel reply"
    );
    let area = widget.query(COMMENT).unwrap();
    until("the comment field has focus", || {
        active_element().is_some_and(|a| a.is_same_node(Some(&area)))
    })
    .await;

    widget.type_into(COMMENT, "A reply to the parent.").await;
    widget.click(SUBMIT);
    until("two comments", || widget.all(".aw-comment").len() == 2).await;
    let comments = widget.all(".aw-comment");
    assert!(comments[0].class_name().contains("aw-depth-1"));
    assert!(
        comments[1].class_name().contains("aw-depth-2"),
        "{}",
        comments[1].class_name()
    );
    assert!(comments[1]
        .text_content()
        .unwrap()
        .contains("In reply to Ann Reader"));
    assert!(
        widget.query(".aw-thread-form").is_none(),
        "the form went back below the thread"
    );
    assert_eq!(widget.text(".aw-reply-title"), "Leave a Reply");
}

#[wasm_bindgen_test]
async fn cancel_reply_keeps_the_text() {
    let id = unique("cancel");
    let widget = open("ok", &id).await;
    fill_valid(&widget, "Parent.").await;
    widget.click(SUBMIT);
    widget.wait_for(".aw-comment").await;
    widget.click(".aw-reply-button");
    widget.wait_for(".aw-thread-form").await;
    widget.type_into(COMMENT, "Second thoughts").await;
    widget.click(".aw-cancel-reply");
    until("the form is back at the bottom", || {
        widget.query(".aw-thread-form").is_none()
    })
    .await;
    assert_eq!(
        widget
            .element::<web_sys::HtmlTextAreaElement>(COMMENT)
            .value(),
        "Second thoughts"
    );
}

#[wasm_bindgen_test]
async fn server_failures_explain_themselves_and_keep_the_comment() {
    let id = unique("error");
    let widget = open("error", &id).await;
    fill_valid(&widget, "Will the server cope?").await;
    widget.click(SUBMIT);
    widget
        .wait_for_text("The server had a problem (HTTP 500)")
        .await;
    assert!(
        widget.query(".aw-post-status button").is_some(),
        "Retry offered"
    );
    assert_eq!(
        widget
            .element::<web_sys::HtmlTextAreaElement>(COMMENT)
            .value(),
        "Will the server cope?"
    );
    drop(widget);

    let widget = open("flaky", &unique("flaky")).await;
    fill_valid(&widget, "Second time lucky.").await;
    widget.click(SUBMIT);
    widget.wait_for_text("HTTP 500").await;
    widget.click(".aw-post-status button");
    widget.wait_for(".aw-comment").await;
    drop(widget);

    let widget = open("ratelimit", &unique("ratelimit")).await;
    fill_valid(&widget, "Too quick?").await;
    widget.click(SUBMIT);
    widget
        .wait_for_text("Please wait 30 seconds before trying again.")
        .await;
    drop(widget);

    let widget = open("invalid", &unique("invalid")).await;
    fill_valid(&widget, "The server will object.").await;
    widget.click(SUBMIT);
    widget.wait_for(".aw-error-summary").await;
    assert_eq!(
        widget.text(".aw-field--email .aw-field-error"),
        "Error: This email address cannot comment here.",
        "{}",
        widget.root.inner_html()
    );
    assert!(widget
        .text(".aw-error-summary")
        .contains("Comments from this network are held."));
    drop(widget);

    let widget = open("malformed", &unique("malformed")).await;
    widget.wait_for_text("The comments could not be read").await;
    fill_valid(&widget, "Into the void.").await;
    widget.click(SUBMIT);
    widget
        .wait_for_text("The server's answer could not be read.")
        .await;
    drop(widget);

    let widget = open("listerror", &unique("listerror")).await;
    widget
        .wait_for_text("The comments could not be loaded (HTTP 500).")
        .await;
    assert!(
        widget.query(".aw-error-inline button").is_some(),
        "Retry for the list"
    );
}

#[wasm_bindgen_test]
async fn comments_closed_shows_no_form() {
    let widget = Mounted::new(&format!(
        "{SERVER}/static/articles/iran-russia-treaty-fa.json"
    ));
    widget.wait_for(".aw-comments--closed").await;
    assert_eq!(
        widget.text(".aw-comments--closed"),
        "امکان ارسال دیدگاه بسته شده است.",
        "in the article's language"
    );
    assert!(widget.query("form").is_none());
}

#[wasm_bindgen_test]
async fn full_storage_is_explained_and_the_form_still_works() {
    let storage = local_storage();
    // Fill the origin's storage to the brim.
    let block = "x".repeat(512 * 1024);
    let mut filled = 0;
    while storage
        .set_item(&format!("filler-{filled}"), &block)
        .is_ok()
    {
        filled += 1;
        if filled > 64 {
            break;
        }
    }
    let mut small = 0;
    while storage
        .set_item(&format!("filler-small-{small}"), &"y".repeat(1024))
        .is_ok()
        && small < 10_000
    {
        small += 1;
    }
    let id = unique("full");
    let widget = open("ok", &id).await;
    widget
        .type_into(COMMENT, &"A comment that cannot be stored. ".repeat(20))
        .await;
    widget.wait_for_text("storage for the site is full").await;
    for i in 0..=filled {
        storage.remove_item(&format!("filler-{i}")).unwrap();
    }
    for i in 0..=small {
        storage.remove_item(&format!("filler-small-{i}")).unwrap();
    }
    widget.type_into(NAME, "Ann Reader").await;
    widget.type_into(EMAIL, "ann@example.com").await;
    widget.click(SUBMIT);
    widget.wait_for(".aw-comment").await;
}

#[wasm_bindgen_test]
async fn the_reader_can_read_the_newest_first() {
    forget_identity();
    let id = unique("order");
    let widget = open("ok", &id).await;
    for text in ["One comment.", "Another comment."] {
        fill_valid(&widget, text).await;
        widget.click(SUBMIT);
        until("posted", || {
            widget.text(".aw-post-status").contains("posted")
        })
        .await;
    }
    until("two comments and the order control", || {
        widget.all(".aw-comment").len() == 2 && widget.query(".aw-thread-order").is_some()
    })
    .await;
    let texts = |widget: &Mounted| -> Vec<String> {
        widget
            .all(".aw-comment .aw-comment-text")
            .iter()
            .map(|e| e.text_content().unwrap_or_default())
            .collect()
    };
    let oldest_first = texts(&widget);
    let buttons = widget.all(".aw-thread-order button");
    let names: Vec<String> = buttons
        .iter()
        .map(|b| b.text_content().unwrap_or_default())
        .collect();
    assert_eq!(names, ["Oldest first", "Newest first", "Best first"]);
    assert_eq!(
        buttons[0].get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    widget.click(".aw-thread-order button:nth-of-type(2)");
    until("the order turned", || {
        let mut reversed = oldest_first.clone();
        reversed.reverse();
        texts(&widget) == reversed
    })
    .await;
    assert_eq!(
        widget.all(".aw-thread-order button")[1]
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        widget
            .element::<web_sys::HtmlTextAreaElement>(COMMENT)
            .value(),
        "",
        "the form is untouched"
    );
}
