#![cfg(not(target_arch = "wasm32"))]
//! Component structure, rendered natively with Yew's server-side renderer: what a reader's
//! browser would receive as markup, read back as a DOM and queried by selector, in
//! milliseconds and without a browser.

use std::rc::Rc;

use article_widget::components::widget::{view_state, widget_frame, ArticleWidgetProps, LoadState};
use article_widget::domain::article::{Article, ArticleError, Block};
use article_widget::domain::errors::LoadError;
use article_widget::domain::inline::plain_text;
use scraper::{ElementRef, Html as Dom, Selector};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
struct StateProps {
    state: LoadState,
    widget: ArticleWidgetProps,
}

#[component]
fn StateView(props: &StateProps) -> Html {
    widget_frame(
        props.widget.theme,
        view_state(&props.state, Callback::noop(), &props.widget),
    )
}

async fn render(state: LoadState) -> Dom {
    render_with(state, yew::props!(ArticleWidgetProps { src: "" })).await
}

async fn render_with(state: LoadState, widget: ArticleWidgetProps) -> Dom {
    let html = yew::LocalServerRenderer::<StateView>::with_props(StateProps { state, widget })
        .hydratable(false)
        .render()
        .await;
    Dom::parse_fragment(&html)
}

fn parse(json: &str) -> Article {
    Article::parse(json).unwrap()
}

async fn render_article(article: Article) -> Dom {
    render(LoadState::Loaded(Rc::new(article))).await
}

fn sample(name: &str) -> Article {
    parse(
        &std::fs::read_to_string(format!(
            "{}/static/articles/{name}.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap(),
    )
}

fn all<'a>(dom: &'a Dom, selector: &str) -> Vec<ElementRef<'a>> {
    dom.select(&Selector::parse(selector).unwrap()).collect()
}

fn one<'a>(dom: &'a Dom, selector: &str) -> ElementRef<'a> {
    let found = all(dom, selector);
    assert_eq!(
        found.len(),
        1,
        "expected one {selector}, found {} in {}",
        found.len(),
        dom.html()
    );
    found[0]
}

fn text(element: ElementRef<'_>) -> String {
    element.text().collect()
}

fn attr<'a>(element: ElementRef<'a>, name: &str) -> Option<&'a str> {
    element.value().attr(name)
}

#[tokio::test(flavor = "current_thread")]
async fn the_breaking_news_article_renders_in_full_with_semantic_markup() {
    let article = sample("russia-iran-treaty");
    let dom = render_article(article.clone()).await;

    let root = one(&dom, "article.aw-article");
    assert_eq!(attr(root, "lang"), Some("en"));
    assert_eq!(attr(root, "dir"), Some("ltr"));
    assert_eq!(
        attr(root, "aria-labelledby"),
        Some("aw-russia-iran-treaty-headline")
    );
    assert_eq!(
        text(one(&dom, "article > header > p.aw-kicker")),
        "Breaking News"
    );
    let headline = one(&dom, "article > header > h1#aw-russia-iran-treaty-headline");
    assert_eq!(
        text(headline),
        "Russia and Iran sign a cooperation treaty in the Kremlin"
    );
    assert_eq!(
        attr(headline, "tabindex"),
        Some("-1"),
        "focus target for Back to top"
    );
    let time = one(&dom, "header time");
    assert_eq!(attr(time, "datetime"), Some("2025-01-17T19:13:00Z"));
    assert_eq!(
        text(time),
        "17 January 2025, 19:13 UTC",
        "natively; the browser formats in the reader's locale"
    );
    assert_eq!(text(one(&dom, ".aw-reading-time")), "4 min read");

    let image = one(&dom, "article > figure.aw-figure--featured > img");
    assert_eq!(
        (attr(image, "width"), attr(image, "height")),
        (Some("1050"), Some("550")),
        "space is reserved"
    );
    assert_eq!(
        attr(image, "alt"),
        Some("Illustration: the Kremlin's Spasskaya Tower and walls against an evening sky.")
    );
    assert_eq!(attr(image, "loading"), Some("eager"));
    assert_eq!(
        text(one(
            &dom,
            "figure.aw-figure--featured figcaption .aw-caption"
        )),
        "The treaty was signed in the Kremlin on Friday."
    );
    assert!(text(one(
        &dom,
        "figure.aw-figure--featured figcaption .aw-credit"
    ))
    .starts_with("Credit: Illustration"));

    let paragraphs: Vec<String> = all(&dom, ".aw-body > p").into_iter().map(text).collect();
    let expected: Vec<String> = article
        .body
        .iter()
        .map(|block| match block {
            Block::Paragraph(text) => plain_text(text),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(paragraphs.len(), 21);
    assert_eq!(paragraphs, expected, "every paragraph, verbatim");
    assert!(
        all(&dom, ".aw-related, nav").is_empty(),
        "no related links: the block is omitted entirely"
    );
    let back = one(&dom, ".aw-story > button.aw-back-to-top");
    assert!(attr(back, "hidden").is_some(), "Back to top starts hidden");
    assert_eq!(attr(back, "type"), Some("button"));
    assert_eq!(text(back), "↑ Back to top");
}

#[tokio::test(flavor = "current_thread")]
async fn every_block_type_has_its_element() {
    let dom = render_article(sample("russia-iran-explainer")).await;
    assert!(text(one(&dom, "header > p.aw-standfirst")).starts_with("Trade, gas"));
    assert_eq!(
        text(one(&dom, ".aw-byline")),
        "By Foreign Desk and Demo Newsroom"
    );
    let author = one(&dom, ".aw-byline a.aw-author");
    assert_eq!(
        attr(author, "href"),
        Some("mailto:foreign-desk@example.com")
    );
    assert_eq!(
        attr(one(&dom, ".aw-updated time"), "datetime"),
        Some("2025-01-18T14:05:00Z")
    );

    let headings: Vec<String> = all(&dom, ".aw-body > h2").into_iter().map(text).collect();
    assert_eq!(
        headings,
        [
            "What the treaty covers",
            "What it leaves out",
            "A year of Russian treaties"
        ]
    );
    assert_eq!(all(&dom, ".aw-body > ul > li").len(), 4);
    assert_eq!(all(&dom, ".aw-body > ol > li").len(), 3);
    assert_eq!(
        text(one(&dom, ".aw-body > ul > li:first-child > strong")),
        "Trade and finance"
    );
    let quote = one(&dom, ".aw-body > figure.aw-quote");
    assert!(text(one(&dom, "figure.aw-quote > blockquote > p"))
        .starts_with("This is not just a political agreement"));
    assert_eq!(
        text(one(&dom, "figure.aw-quote > figcaption > cite")),
        "Abbas Araghchi, Iran's foreign minister, on Telegram"
    );
    let _ = quote;
    let body_image = one(&dom, ".aw-body > figure.aw-figure > img");
    assert_eq!(attr(body_image, "loading"), Some("lazy"));
    let featured = one(&dom, "figure.aw-figure--featured > img");
    assert_eq!(
        attr(featured, "srcset"),
        Some("../images/gas-corridor.svg 800w")
    );
    assert_eq!(
        attr(featured, "sizes"),
        Some("(max-width: 760px) 100vw, 720px")
    );

    let first = one(&dom, ".aw-body > p:first-of-type");
    assert_eq!(text(one(&dom, ".aw-body > p:first-of-type > em")), "does");
    assert_eq!(
        text(one(&dom, ".aw-body > p:first-of-type > strong")),
        "does not"
    );
    assert!(first.inner_html().contains(r#"<a href="../../?src=static/articles/russia-iran-treaty.json">Our report from the signing</a>"#));
    assert_eq!(
        all(&dom, ".aw-body br").len(),
        1,
        "br survives the allowlist"
    );
    assert!(
        all(&dom, "abbr, q, script, iframe").is_empty(),
        "other elements are reduced to text"
    );
    assert!(dom
        .html()
        .contains("the country was not interested in joining any bloc."));

    let nav = one(&dom, "nav.aw-related");
    assert_eq!(
        attr(nav, "aria-labelledby"),
        Some("aw-russia-iran-explainer-related")
    );
    assert_eq!(
        text(one(
            &dom,
            "nav.aw-related > h2#aw-russia-iran-explainer-related"
        )),
        "Related Articles"
    );
    let links = all(&dom, "nav.aw-related li > a");
    assert_eq!(links.len(), 2);
    assert_eq!(
        attr(links[0], "href"),
        Some("../../?src=static/articles/russia-iran-treaty.json")
    );
    assert_eq!(
        attr(links[0], "rel"),
        None,
        "a link within the site opens normally"
    );
    assert_eq!(attr(links[0], "target"), None);
    assert_eq!(
        attr(one(&dom, "nav.aw-related li:first-child img"), "alt"),
        Some(""),
        "thumbnail is decorative"
    );
    assert_eq!(
        attr(one(&dom, "nav.aw-related li:first-child time"), "datetime"),
        Some("2025-01-17T19:13:00Z")
    );
}

#[tokio::test(flavor = "current_thread")]
async fn right_to_left_articles_set_lang_and_dir() {
    let dom = render_article(sample("iran-russia-treaty-fa")).await;
    let root = one(&dom, "article");
    assert_eq!(
        (attr(root, "lang"), attr(root, "dir")),
        (Some("fa"), Some("rtl"))
    );
    assert_eq!(
        text(one(&dom, "h1")),
        "ایران و روسیه در کرملین پیمان همکاری امضا کردند"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn hostile_content_is_rendered_as_text_only() {
    let dom = render_article(parse(
        r#"{"id":"x","headline":"<img src=x onerror=alert(1)>","kicker":"<script>alert(1)</script>",
            "published":"2025-01-17","image":{"src":"javascript:alert(1)","caption":"c"},
            "authors":[{"name":"\"><svg onload=alert(1)>","url":"javascript:alert(1)"}],
            "body":[{"type":"paragraph","text":"<a href=\"https://example.com\" onclick=\"alert(1)\">ok</a><img src=x onerror=alert(1)><script>alert(2)</script>"},
                    {"type":"heading","text":"<b>not bold</b>"}],
            "related":[{"title":"<i>t</i>","url":"https://example.com/r"}]}"#,
    ))
    .await;
    assert!(
        all(
            &dom,
            "script, svg, iframe, [onerror], [onclick], [onload], .aw-figure"
        )
        .is_empty(),
        "{}",
        dom.html()
    );
    assert_eq!(all(&dom, "img").len(), 0, "{}", dom.html());
    assert!(!dom.html().contains("javascript:"), "{}", dom.html());
    assert_eq!(
        text(one(&dom, "h1")),
        "<img src=x onerror=alert(1)>",
        "shown as text"
    );
    assert_eq!(text(one(&dom, ".aw-kicker")), "<script>alert(1)</script>");
    assert_eq!(text(one(&dom, ".aw-byline")), "By \"><svg onload=alert(1)>");
    let link = one(&dom, ".aw-body a");
    assert_eq!(
        (attr(link, "href"), attr(link, "rel")),
        (Some("https://example.com"), Some("noopener noreferrer"))
    );
    assert_eq!(text(one(&dom, ".aw-body h2")), "<b>not bold</b>");
    assert_eq!(
        attr(one(&dom, "nav a"), "rel"),
        Some("noopener noreferrer"),
        "external related link"
    );
    assert_eq!(text(one(&dom, "nav .aw-related-title")), "<i>t</i>");
}

#[tokio::test(flavor = "current_thread")]
async fn the_loading_state_reserves_space_and_announces_itself() {
    let dom = render(LoadState::Loading).await;
    let status = one(&dom, ".aw-loading");
    assert_eq!(attr(status, "role"), Some("status"));
    assert_eq!(attr(status, "aria-busy"), Some("true"));
    assert_eq!(
        text(one(&dom, ".aw-loading > .aw-visually-hidden")),
        "Loading article…"
    );
    one(&dom, ".aw-skeleton--image");
}

#[tokio::test(flavor = "current_thread")]
async fn each_error_state_names_its_cause_with_retry() {
    let cases = [
        (LoadError::NotFound, "Article not found", "HTTP 404"),
        (
            LoadError::Server(503),
            "The news server had a problem",
            "HTTP 503",
        ),
        (
            LoadError::Network,
            "Cannot reach the news server",
            "connection",
        ),
        (
            LoadError::Timeout(15),
            "The news server is not answering",
            "15 seconds",
        ),
        (LoadError::NoSource, "No article to show", "src"),
        (
            LoadError::Article(ArticleError::Syntax {
                line: 3,
                column: 7,
                detail: "expected value".into(),
            }),
            "This article cannot be displayed",
            "not valid JSON: expected value at line 3, column 7",
        ),
        (
            LoadError::Article(ArticleError::Missing("headline")),
            "This article cannot be displayed",
            "has no headline",
        ),
    ];
    for (error, title, detail) in cases {
        let dom = render(LoadState::Failed(error)).await;
        assert_eq!(attr(one(&dom, ".aw-error"), "role"), Some("alert"));
        assert_eq!(text(one(&dom, ".aw-error > h2")), title);
        assert!(
            text(one(&dom, ".aw-error > p")).contains(detail),
            "{}",
            dom.html()
        );
        assert_eq!(text(one(&dom, ".aw-error > button[type=button]")), "Retry");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_minimal_article_renders_without_optional_parts() {
    let dom = render_article(parse(
        r#"{"id":"m","headline":"Only a headline","published":"2025-01-17"}"#,
    ))
    .await;
    assert_eq!(text(one(&dom, "h1")), "Only a headline");
    assert!(all(
        &dom,
        ".aw-kicker, .aw-standfirst, figure, .aw-byline, nav, .aw-body > *"
    )
    .is_empty());
    assert_eq!(text(one(&dom, ".aw-reading-time")), "1 min read");
}

#[tokio::test(flavor = "current_thread")]
async fn the_comment_form_has_wordpress_fields_with_real_labels() {
    let dom = render_article(sample("russia-iran-explainer")).await;
    let section = one(&dom, "section.aw-comments");
    assert_eq!(
        attr(section, "aria-labelledby"),
        Some("aw-russia-iran-explainer-comments")
    );
    assert_eq!(
        text(one(&dom, ".aw-comments-heading")),
        "Comments",
        "while the thread loads"
    );
    assert_eq!(
        text(one(&dom, ".aw-comments-status[role=status]")),
        "Loading comments…"
    );
    assert_eq!(text(one(&dom, ".aw-respond > h3")), "Leave a Reply");
    assert_eq!(
        text(one(&dom, ".aw-notes")),
        "Your email address will not be published. Required fields are marked *"
    );
    for (name, label, required) in [
        ("content", "Comment *", true),
        ("author", "Name *", true),
        ("email", "Email *", true),
        ("website", "Website", false),
    ] {
        let control = one(&dom, &format!("form [name={name}]"));
        let id = attr(control, "id").unwrap();
        assert_eq!(id, format!("aw-russia-iran-explainer-{name}"));
        assert_eq!(text(one(&dom, &format!("label[for={id}]"))), label);
        assert_eq!(attr(control, "required").is_some(), required, "{name}");
        assert!(attr(control, "aria-invalid").is_none());
    }
    assert_eq!(attr(one(&dom, "input[name=email]"), "type"), Some("email"));
    assert_eq!(attr(one(&dom, "input[name=website]"), "type"), Some("url"));
    assert!(
        attr(one(&dom, "form"), "novalidate").is_some(),
        "the widget validates, not the browser's bubbles"
    );
    let consent = one(&dom, "input[id$=\"-consent\"]");
    assert_eq!(
        text(one(
            &dom,
            &format!("label[for={}]", attr(consent, "id").unwrap())
        )),
        "Save my name, email, and website in this browser for the next time I comment."
    );
    assert!(
        attr(consent, "checked").is_none(),
        "not ticked unless the reader ticked it before"
    );
    assert_eq!(attr(one(&dom, ".aw-hp"), "aria-hidden"), Some("true"));
    assert_eq!(attr(one(&dom, ".aw-hp input"), "tabindex"), Some("-1"));
    assert_eq!(text(one(&dom, "button[type=submit]")), "Post Comment");
    assert!(all(&dom, ".aw-error-summary").is_empty());
}

#[tokio::test(flavor = "current_thread")]
async fn closed_comments_say_so_and_show_no_form() {
    let dom = render_article(sample("iran-russia-treaty-fa")).await;
    assert_eq!(
        text(one(&dom, ".aw-comments--closed")),
        "امکان ارسال دیدگاه بسته شده است.",
        "in the article's language"
    );
    assert!(all(&dom, "form").is_empty());
    let dom = render_article(parse(
        r#"{"id":"m","headline":"H","published":"2025-01-17"}"#,
    ))
    .await;
    assert_eq!(
        text(one(&dom, ".aw-comments--closed")),
        "Comments are closed.",
        "absent means closed too"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn the_interface_speaks_the_articles_language_unless_told_otherwise() {
    let persian = sample("iran-russia-treaty-fa");
    let dom = render(LoadState::Loaded(Rc::new(persian.clone()))).await;
    assert_eq!(text(one(&dom, "nav.aw-related > h2")), "مطالب مرتبط");
    assert_eq!(
        text(one(&dom, ".aw-comments--closed")),
        "امکان ارسال دیدگاه بسته شده است."
    );
    assert!(
        text(one(&dom, ".aw-reading-time")).contains("دقیقه"),
        "Persian digits and words"
    );

    let forced = yew::props!(ArticleWidgetProps {
        src: "",
        lang: Some(AttrValue::from("de"))
    });
    let dom = render_with(LoadState::Loaded(Rc::new(persian)), forced).await;
    assert_eq!(
        text(one(&dom, "nav.aw-related > h2")),
        "Ähnliche Artikel",
        "lang on the element wins"
    );
    assert_eq!(
        attr(one(&dom, "article"), "lang"),
        Some("fa"),
        "the article keeps its own language"
    );

    let page = yew::props!(ArticleWidgetProps {
        src: "",
        page_lang: Some(AttrValue::from("fr-FR"))
    });
    let dom = render_with(LoadState::Failed(LoadError::NotFound), page).await;
    assert_eq!(
        text(one(&dom, ".aw-error > h2")),
        "Article introuvable",
        "before the article, the page's language"
    );
    assert_eq!(text(one(&dom, ".aw-error > button")), "Réessayer");
}

#[tokio::test(flavor = "current_thread")]
async fn theme_and_comments_off_come_from_the_host() {
    use article_widget::host_contract::Theme;
    let props = yew::props!(ArticleWidgetProps {
        src: "",
        theme: Theme::Dark,
        comments: false
    });
    let dom = render_with(
        LoadState::Loaded(Rc::new(sample("russia-iran-treaty"))),
        props,
    )
    .await;
    assert_eq!(
        attr(one(&dom, ".article-widget"), "data-theme"),
        Some("dark")
    );
    assert!(
        all(&dom, ".aw-comments, form").is_empty(),
        "comments off: no section at all"
    );
}

#[tokio::test(flavor = "current_thread")]
async fn an_article_without_a_language_takes_the_host_pages_language_and_direction() {
    // A WordPress post carries no language: neither `lang` nor `dir` is set, so the shadow
    // tree inherits both from the page (a Persian site's post reads right to left).
    let post = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/wordpress/post-blocks.json"
    ))
    .unwrap();
    let dom = render_article(parse(&post)).await;
    let root = one(&dom, "article.aw-article");
    assert_eq!((attr(root, "lang"), attr(root, "dir")), (None, None));
    // With one, both are the article's.
    let dom = render_article(sample("iran-russia-treaty-fa")).await;
    let root = one(&dom, "article.aw-article");
    assert_eq!(
        (attr(root, "lang"), attr(root, "dir")),
        (Some("fa"), Some("rtl"))
    );
}
