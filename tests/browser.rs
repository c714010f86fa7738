//! The widget in a real browser (headless Chromium, through wasm-bindgen-test): it fetches
//! served JSON from the fixture server on 127.0.0.1 and shows what a reader would see.
//! Run by scripts/test.sh, which starts tools/fixture-server first.
#![cfg(target_arch = "wasm32")]

mod support;

use support::{document, until, Mounted, SERVER};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{HtmlElement, HtmlImageElement};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn fetches_and_shows_the_breaking_news_article_in_full() {
    let widget = Mounted::new(&format!("{SERVER}/static/articles/russia-iran-treaty.json"));
    widget.wait_for("article h1").await;

    assert_eq!(widget.text(".aw-kicker"), "Breaking News");
    assert_eq!(
        widget.text("h1"),
        "Russia and Iran sign a cooperation treaty in the Kremlin"
    );
    let paragraphs = widget.all(".aw-body > p");
    assert_eq!(paragraphs.len(), 21);
    assert!(paragraphs[0]
        .text_content()
        .unwrap()
        .starts_with("President Masoud Pezeshkian of Iran"));
    assert!(paragraphs[20]
        .text_content()
        .unwrap()
        .ends_with("How we see power and how we move forward together.”"));

    let time = widget.query("header time").unwrap();
    assert_eq!(
        time.get_attribute("datetime").as_deref(),
        Some("2025-01-17T19:13:00Z")
    );
    assert!(
        time.text_content().unwrap().contains("2025"),
        "formatted by Intl for the reader"
    );

    // The image URL is resolved against the article's address, and the image really loads.
    let image: HtmlImageElement = widget.query("figure img").unwrap().dyn_into().unwrap();
    assert_eq!(
        image.src(),
        format!("{SERVER}/static/images/kremlin-dusk.svg")
    );
    until("the featured image has loaded", || {
        image.complete() && image.natural_width() > 0
    })
    .await;
    let box_ = image.get_bounding_client_rect();
    assert!(
        (box_.width() / box_.height() - 1050.0 / 550.0).abs() < 0.02,
        "laid out at its aspect ratio"
    );
    assert!(widget.query("nav").is_none(), "no related links, no block");
}

#[wasm_bindgen_test]
async fn a_loading_state_holds_the_space_while_the_server_is_slow() {
    let widget = Mounted::new(&format!("{SERVER}/slow/1500"));
    let loading = widget.wait_for(".aw-loading[role=status]").await;
    assert!(
        loading.get_bounding_client_rect().height() > 400.0,
        "space reserved for the article"
    );
    assert_eq!(
        widget.text(".aw-loading .aw-visually-hidden"),
        "Loading article…"
    );
    widget.wait_for("article h1").await;
    assert!(widget.query(".aw-loading").is_none());
}

#[wasm_bindgen_test]
async fn related_links_resolve_against_the_article_and_stay_in_the_tab() {
    let widget = Mounted::new(&format!(
        "{SERVER}/static/articles/russia-iran-explainer.json"
    ));
    widget.wait_for("nav.aw-related").await;
    let links = widget.all("nav.aw-related li > a");
    assert_eq!(links.len(), 2);
    assert_eq!(
        links[0].get_attribute("href").as_deref(),
        Some(format!("{SERVER}/?src=static/articles/russia-iran-treaty.json").as_str())
    );
    assert_eq!(links[0].get_attribute("target"), None);
    assert_eq!(widget.text("nav.aw-related h2"), "Related Articles");
    assert_eq!(widget.all(".aw-body h2").len(), 3);
    assert_eq!(widget.all(".aw-body blockquote").len(), 1);
}

#[wasm_bindgen_test]
async fn a_persian_article_is_laid_out_right_to_left() {
    let widget = Mounted::new(&format!(
        "{SERVER}/static/articles/iran-russia-treaty-fa.json"
    ));
    let article = widget.wait_for("article").await;
    assert_eq!(article.get_attribute("dir").as_deref(), Some("rtl"));
    assert_eq!(article.get_attribute("lang").as_deref(), Some("fa"));
    // The widget's own logical rules, which the browser's defaults would not give: the
    // list indent is 1.5em (the default is 40px) and the quote's rule is a 4px border, both
    // on the right, and nothing on the left.
    let computed = |selector: &str| {
        web_sys::window()
            .unwrap()
            .get_computed_style(&widget.query(selector).unwrap())
            .unwrap()
            .unwrap()
    };
    let px = |value: String| value.trim_end_matches("px").parse::<f64>().unwrap();
    let list = computed(".aw-body ul");
    let font_size = px(list.get_property_value("font-size").unwrap());
    assert_eq!(
        (
            px(list.get_property_value("padding-right").unwrap()),
            px(list.get_property_value("padding-left").unwrap())
        ),
        (1.5 * font_size, 0.0),
        "list indent of 1.5em on the right in RTL"
    );
    let quote = computed(".aw-body .aw-quote");
    assert_eq!(
        (
            quote.get_property_value("border-right-width").unwrap(),
            quote.get_property_value("border-left-width").unwrap()
        ),
        ("4px".to_owned(), "0px".to_owned()),
        "the quote's rule on the right in RTL"
    );
}

#[wasm_bindgen_test]
async fn dates_follow_the_interface_language_not_the_browsers() {
    // The test browser speaks English; the Persian article's interface is Persian, so its
    // dates are too (Persian digits), in the reader's time zone.
    let widget = Mounted::new(&format!(
        "{SERVER}/static/articles/iran-russia-treaty-fa.json"
    ));
    widget.wait_for("article").await;
    let date = widget.text(".aw-dates time");
    assert!(
        date.chars().any(|c| ('۰'..='۹').contains(&c)) && !date.chars().any(|c| c.is_ascii_digit()),
        "a Persian date: {date}"
    );
    assert!(!date.contains("January"), "{date}");
    // The same widget asked for English shows an English date.
    let english = Mounted::with_props(yew::props!(article_widget::ArticleWidgetProps {
        src: format!("{SERVER}/static/articles/iran-russia-treaty-fa.json"),
        lang: Some(yew::AttrValue::from("en")),
    }));
    english.wait_for("article").await;
    assert!(english
        .text(".aw-dates time")
        .chars()
        .any(|c| c.is_ascii_digit()));
}

async fn shows_error(path: &str, title: &str, detail: &str) {
    let widget = Mounted::new(&format!("{SERVER}{path}"));
    let alert = widget.wait_for(".aw-error[role=alert]").await;
    let text = alert.text_content().unwrap();
    assert!(
        text.contains(title),
        "{path}: expected “{title}” in “{text}”"
    );
    assert!(
        text.contains(detail),
        "{path}: expected “{detail}” in “{text}”"
    );
    assert!(
        widget.query(".aw-error button").is_some(),
        "{path}: Retry offered"
    );
}

#[wasm_bindgen_test]
async fn every_failure_shows_its_cause() {
    shows_error(
        "/static/articles/no-such-article.json",
        "Article not found",
        "HTTP 404",
    )
    .await;
    shows_error("/status/500", "The news server had a problem", "HTTP 500").await;
    shows_error("/status/403", "not available", "HTTP 403").await;
    // The words are the JavaScript engine's (the module reads JSON with `JSON.parse`, see
    // `domain::json`); the position is ours, in the reader's language.
    shows_error(
        "/bad/truncated",
        "cannot be displayed",
        "not valid JSON: Unterminated string at line 1, column",
    )
    .await;
    shows_error("/bad/syntax", "cannot be displayed", "at line 3, column 3").await;
    // An HTML page is read for a schema.org article; this one (an error page served with
    // 200) has none, and says so.
    shows_error("/bad/html", "cannot be displayed", "no schema.org article").await;
    shows_error("/bad/no-headline", "cannot be displayed", "has no headline").await;
    shows_error("/bad/bad-date", "cannot be displayed", "“last Friday”").await;
    // Nothing listens on port 9 of the loopback: the request fails at the network level.
    let widget = Mounted::new("http://127.0.0.1:9/article.json");
    let alert = widget.wait_for(".aw-error").await;
    assert!(alert
        .text_content()
        .unwrap()
        .contains("Cannot reach the news server"));
}

/// Issue 17 §2: an article nested 5,000 deep overflowed the module's stack ("memory access
/// out of bounds") while its JSON was converted: that widget stayed on "Loading article…" and
/// every widget on the page was dead after. Now the engine path stops where serde_json does
/// and says so, with Retry; the module lives on: Retry answers again, and another widget on
/// the page loads its article.
#[wasm_bindgen_test]
async fn deeply_nested_json_is_refused_and_the_page_lives_on() {
    use std::cell::Cell;
    use std::rc::Rc;
    // Each failure the widget reports to the page (`article-error`): a positive signal that
    // a retry has been answered.
    let failures = Rc::new(Cell::new(0u32));
    let on_event = {
        let failures = failures.clone();
        yew::Callback::from(move |event| {
            if let article_widget::host_contract::WidgetEvent::ArticleFailed { .. } = event {
                failures.set(failures.get() + 1);
            }
        })
    };
    let deep = Mounted::with_props(yew::props!(article_widget::ArticleWidgetProps {
        src: format!("{SERVER}/bad/deep"),
        on_event,
    }));
    let alert = deep.wait_for(".aw-error[role=alert]").await;
    let text = alert.text_content().unwrap();
    assert!(
        text.contains("cannot be displayed")
            && text.contains("arrays and objects nested deeper than 127 levels at line 1, column"),
        "{text}"
    );
    assert!(deep.query(".aw-error button").is_some(), "Retry offered");
    let other = Mounted::new(&format!("{SERVER}/static/articles/russia-iran-treaty.json"));
    other.wait_for("article h1").await;
    assert_eq!(other.all(".aw-body > p").len(), 21);

    // Retry reads it again, and refuses it again, in the same words.
    assert_eq!(failures.get(), 1);
    deep.click(".aw-error button");
    until("the retry has been answered", || failures.get() == 2).await;
    assert!(
        deep.text(".aw-error")
            .contains("nested deeper than 127 levels"),
        "{}",
        deep.root.inner_html()
    );
}

#[wasm_bindgen_test]
async fn retry_loads_the_article_after_a_failure() {
    let key = js_sys::Date::now() as u64;
    let widget = Mounted::new(&format!("{SERVER}/flaky/{key}"));
    widget.wait_for(".aw-error").await;
    let retry: HtmlElement = widget
        .query(".aw-error button")
        .unwrap()
        .dyn_into()
        .unwrap();
    retry.click();
    widget.wait_for("article h1").await;
    assert_eq!(widget.all(".aw-body > p").len(), 21);
}

#[wasm_bindgen_test]
async fn a_broken_image_leaves_its_caption_and_no_broken_icon() {
    let widget = Mounted::new(&format!("{SERVER}/bad/broken-image"));
    widget.wait_for("article h1").await;
    until("the broken images are removed", || {
        widget.all("img").is_empty()
    })
    .await;
    assert_eq!(
        widget.text("figure figcaption .aw-caption"),
        "The caption stays."
    );
    // A body image with no caption leaves nothing on screen, not an empty gap.
    let body_figure = widget.query(".aw-body figure").unwrap();
    assert_eq!(
        body_figure.get_bounding_client_rect().height(),
        0.0,
        "{}",
        body_figure.outer_html()
    );
    // A broken thumbnail leaves its related link, with no broken-image icon.
    assert_eq!(widget.text("nav .aw-related-title"), "Another story");
}

#[wasm_bindgen_test]
async fn back_to_top_appears_after_scrolling_and_returns_focus_to_the_top() {
    let widget = Mounted::new(&format!("{SERVER}/static/articles/russia-iran-treaty.json"));
    let headline = widget.wait_for("article h1").await;
    let button: HtmlElement = widget.query(".aw-back-to-top").unwrap().dyn_into().unwrap();
    assert!(button.hidden(), "hidden at the top");

    let window = web_sys::window().unwrap();
    let article_top = widget
        .query("article")
        .unwrap()
        .get_bounding_client_rect()
        .top()
        + window.scroll_y().unwrap();
    window.scroll_to_with_x_and_y(0.0, article_top + 2_500.0);
    until("the button appears", || !button.hidden()).await;

    button.click();
    until("the article top is back in view", || {
        headline.get_bounding_client_rect().top().abs() < 40.0
    })
    .await;
    let active = document().active_element().unwrap();
    assert!(
        active.is_same_node(Some(&headline)),
        "focus moved to the headline"
    );
    until("the button hides again", || button.hidden()).await;
}
