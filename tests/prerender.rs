#![cfg(not(target_arch = "wasm32"))]
//! The prerendered widget (server rendering): the same components as in the browser, inside a
//! declarative shadow root with their styles, the schema.org JSON-LD and the article JSON in
//! the light DOM. Read back with `scraper`.

use article_widget::domain::article::{Article, ArticleError};
use article_widget::prerender::{render_fragment, render_page, PrerenderOptions};
use scraper::{Html as Dom, Selector};
use serde_json::Value;

fn sample(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/static/articles/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn options(name: &str) -> PrerenderOptions {
    PrerenderOptions {
        // Where the service (with --site dist) and the demo serve the samples.
        src: format!("/static/articles/{name}.json"),
        comments: true,
        ..PrerenderOptions::default()
    }
}

/// The text between `start` and the next `end`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let to = text[from..].find(end).unwrap_or_else(|| panic!("no {end}")) + from;
    &text[from..to]
}

fn select<'a>(dom: &'a Dom, selector: &str) -> Vec<scraper::ElementRef<'a>> {
    dom.select(&Selector::parse(selector).unwrap()).collect()
}

#[tokio::test]
async fn the_article_is_in_a_declarative_shadow_root_with_its_styles() {
    let html = render_fragment(
        &sample("russia-iran-treaty"),
        &options("russia-iran-treaty"),
    )
    .await
    .unwrap();
    // The featured image is asked for ahead of the element (the preload scanner does not
    // look into declarative shadow roots).
    let (preload, element) = html.split_at(html.find("<article-widget").unwrap());
    assert!(
        preload.starts_with("<link rel=\"preload\" as=\"image\" href=\"/static/images/")
            && preload.contains("fetchpriority=\"high\""),
        "{preload}"
    );
    assert!(element.starts_with(
        "<article-widget src=\"/static/articles/russia-iran-treaty.json\" data-aw-prerendered=\"\" data-aw-hydrate=\"\">"
    ));
    assert!(html.ends_with("</article-widget>"));
    let shadow = between(&html, "<template shadowrootmode=\"open\">", "</template>");
    assert!(shadow.contains(":host"), "the host reset is in the root");
    assert!(
        shadow.contains("<style>") && shadow.find("<style>") < shadow.find("<h1"),
        "the stylesheet comes first"
    );
    assert!(
        shadow.contains(".article-widget .aw-dates > * + *::before"),
        "child combinators are not escaped inside <style>"
    );
    let dom = Dom::parse_fragment(shadow);
    assert_eq!(
        select(&dom, "h1")[0].text().collect::<String>().trim(),
        "Russia and Iran sign a cooperation treaty in the Kremlin"
    );
    assert_eq!(
        select(&dom, ".aw-kicker")[0].text().collect::<String>(),
        "Breaking News"
    );
    assert_eq!(select(&dom, ".aw-body > p").len(), 21, "every paragraph");
    let image = select(&dom, "figure.aw-figure--featured img")[0];
    assert!(
        image
            .value()
            .attr("src")
            .unwrap()
            .starts_with("/static/images/"),
        "relative to the page, resolved through the article's address: {:?}",
        image.value().attr("src")
    );
    let time = select(&dom, ".aw-dates time")[0];
    assert_eq!(time.value().attr("datetime"), Some("2025-01-17T19:13:00Z"));
    assert!(
        time.text().collect::<String>().contains("UTC"),
        "dates in UTC on the server"
    );
    // The root the stylesheet's rules hang from.
    let frame = select(&dom, "div.article-widget")[0];
    assert_eq!(frame.value().attr("data-theme"), Some("auto"));
    // The form posts to the comments API without JavaScript.
    let form = select(&dom, "form.aw-comment-form")[0];
    assert_eq!(form.value().attr("method"), Some("post"));
    assert_eq!(
        form.value().attr("action"),
        Some("/api/articles/russia-iran-treaty/comments")
    );
    for name in [
        "content",
        "author",
        "email",
        "website",
        "homepage",
        "rendered_at",
        "parent",
    ] {
        assert_eq!(
            select(&dom, &format!("form [name={name}]")).len(),
            1,
            "a field named {name}"
        );
    }
    assert!(
        select(&dom, ".aw-storage-note").is_empty(),
        "the server has no storage trouble to report"
    );
}

#[tokio::test]
async fn the_thread_and_a_refused_form_prerender() {
    use article_widget::domain::draft::{Draft, IdempotencyKey, Identity};
    use article_widget::domain::form::FormState;
    use article_widget::domain::wire::PostError;
    let thread = r#"{"comments":[
        {"id":"c1","parent":null,"author":"Ann","website":null,"content":"First <u>thought</u>",
         "published":"2025-01-17T20:00:00Z","status":"approved"},
        {"id":"c2","parent":"c1","author":"Bob","website":null,"content":"A reply",
         "published":"2025-01-17T20:05:00Z","status":"approved"}]}"#;
    let mut form = FormState::restore(
        Some(Draft {
            content: "My half-typed comment".into(),
            ..Draft::default()
        }),
        Some(Identity {
            author: "Cy".into(),
            email: "not-an-email".into(),
            website: String::new(),
        }),
        IdempotencyKey::from_random_bytes([1; 16]),
    );
    form.submit();
    form.failed(
        PostError::Invalid {
            fields: vec![],
            other: vec![],
        },
        IdempotencyKey::from_random_bytes([2; 16]),
    );
    let html = render_fragment(
        &sample("russia-iran-treaty"),
        &PrerenderOptions {
            thread: Some(thread.into()),
            form: Some(form),
            ..options("russia-iran-treaty")
        },
    )
    .await
    .unwrap();
    assert!(
        !html[..html.find('>').unwrap()].contains("data-aw-hydrate"),
        "a refused form is a state only the server has: the widget must not hydrate it"
    );
    let dom = Dom::parse_fragment(between(
        &html,
        "<template shadowrootmode=\"open\">",
        "</template>",
    ));
    let comments = select(&dom, ".aw-thread .aw-comment");
    assert_eq!(comments.len(), 2);
    assert!(
        comments[0]
            .text()
            .collect::<String>()
            .contains("First <u>thought</u>"),
        "comment text is text"
    );
    assert_eq!(
        select(&dom, ".aw-comments-heading")[0]
            .text()
            .collect::<String>(),
        "2 Responses"
    );
    assert_eq!(
        select(&dom, "textarea[name=content]")[0]
            .text()
            .collect::<String>(),
        "My half-typed comment",
        "what the reader typed is kept"
    );
    assert_eq!(
        select(&dom, "input[name=email]")[0].value().attr("value"),
        Some("not-an-email")
    );
    let summary = select(&dom, ".aw-error-summary")[0]
        .text()
        .collect::<String>();
    assert!(summary.contains("There is a problem"), "{summary}");
    assert!(summary.contains("Enter an email address in the correct format"));
    assert!(html.contains("<script type=\"application/json\" data-aw-thread>"));
}

#[tokio::test]
async fn the_light_dom_holds_json_ld_and_the_article_itself() {
    let json = sample("russia-iran-treaty");
    let html = render_fragment(&json, &options("russia-iran-treaty"))
        .await
        .unwrap();
    let structured: Value = serde_json::from_str(between(
        &html,
        "<script type=\"application/ld+json\">",
        "</script>",
    ))
    .unwrap();
    assert_eq!(structured["@type"], "NewsArticle");
    assert_eq!(
        structured["headline"],
        "Russia and Iran sign a cooperation treaty in the Kremlin"
    );
    assert_eq!(structured["datePublished"], "2025-01-17T19:13:00Z");
    assert!(structured["image"][0]
        .as_str()
        .unwrap()
        .starts_with("/static/images/"));
    let carried = between(
        &html,
        "<script type=\"application/json\" data-aw-article>",
        "</script>",
    );
    assert_eq!(
        Article::parse(carried).unwrap(),
        Article::parse(&json).unwrap(),
        "the widget gets the very article the markup shows"
    );
}

#[tokio::test]
async fn right_to_left_articles_and_languages_prerender() {
    let html = render_fragment(
        &sample("iran-russia-treaty-fa"),
        &options("iran-russia-treaty-fa"),
    )
    .await
    .unwrap();
    let dom = Dom::parse_fragment(between(
        &html,
        "<template shadowrootmode=\"open\">",
        "</template>",
    ));
    let article = select(&dom, "article")[0];
    assert_eq!(article.value().attr("dir"), Some("rtl"));
    assert_eq!(article.value().attr("lang"), Some("fa"));
    // The interface speaks Persian: reading time in Persian digits.
    let reading = select(&dom, ".aw-reading-time")[0]
        .text()
        .collect::<String>();
    assert!(
        reading.chars().any(|c| ('۰'..='۹').contains(&c)),
        "{reading}"
    );

    let german = render_fragment(
        &sample("russia-iran-treaty"),
        &PrerenderOptions {
            lang: Some("de".into()),
            ..options("russia-iran-treaty")
        },
    )
    .await
    .unwrap();
    assert!(german.contains(" lang=\"de\""));
    assert!(german.contains("Lesezeit"), "German interface");
}

#[tokio::test]
async fn hostile_text_cannot_leave_its_place() {
    let json = r#"{"id": "x", "headline": "</script><script>alert(1)</script>",
        "published": "2025-01-17", "body": "<img src=x onerror=alert(1)>Text </template>"}"#;
    let html = render_fragment(json, &options("x")).await.unwrap();
    // Only our two data blocks.
    let scripts: Vec<&str> = html
        .match_indices("<script")
        .map(|(at, _)| &html[at..at + html[at..].find('>').unwrap() + 1])
        .collect();
    assert_eq!(
        scripts,
        [
            "<script type=\"application/ld+json\">",
            "<script type=\"application/json\" data-aw-article>"
        ],
        "{html}"
    );
    assert_eq!(html.matches("</template>").count(), 1);
    let shadow = between(&html, "<template shadowrootmode=\"open\">", "</template>");
    assert!(
        !shadow.contains("onerror") && !shadow.contains("<img"),
        "{shadow}"
    );
    assert!(shadow.contains("&lt;/script&gt;"), "the headline is text");
}

#[tokio::test]
async fn what_is_not_an_article_is_refused_with_the_widgets_own_error() {
    assert!(matches!(
        render_fragment("{\"id\": \"x\"", &options("x")).await,
        Err(ArticleError::Syntax { .. })
    ));
    assert_eq!(
        render_fragment(r#"{"id": "x", "published": "2025-01-17"}"#, &options("x")).await,
        Err(ArticleError::Missing("headline"))
    );
}

#[tokio::test]
async fn a_reading_page_wraps_the_widget() {
    let html = render_page(
        &sample("iran-russia-treaty-fa"),
        &options("iran-russia-treaty-fa"),
        "/article-widget.js",
    )
    .await
    .unwrap();
    assert!(html.starts_with("<!doctype html><html lang=\"fa\">"));
    assert!(html.contains("<script type=\"module\" src=\"/article-widget.js\"></script>"));
    assert!(html.contains("<template shadowrootmode=\"open\">"));
    assert!(html.contains("<title>"));
    assert!(html.contains("<meta property=\"og:type\" content=\"article\">"));
    assert!(html.contains("<meta property=\"og:title\""));

    // Link previews need absolute addresses: given an absolute src, the image and the
    // canonical address are there, and escaped.
    let json = r#"{"id": "p", "url": "https://news.example/2025/p?a=1&b=2", "headline": "A \"quoted\" <b>title</b>",
        "published": "2025-01-17", "image": {"src": "images/p.jpg", "alt": "The scene"}, "body": "Text."}"#;
    let page = render_page(
        json,
        &PrerenderOptions {
            src: "https://news.example/articles/p.json".into(),
            ..PrerenderOptions::default()
        },
        "/article-widget.js",
    )
    .await
    .unwrap();
    assert!(page.contains(
        "<meta property=\"og:image\" content=\"https://news.example/articles/images/p.jpg\">"
    ));
    assert!(
        page.contains("<link rel=\"canonical\" href=\"https://news.example/2025/p?a=1&amp;b=2\">")
    );
    assert!(page.contains(
        "<meta property=\"og:title\" content=\"A &quot;quoted&quot; &lt;b&gt;title&lt;/b&gt;\">"
    ));
}

#[tokio::test]
async fn our_reading_page_read_as_an_existing_sites_page_gives_its_article_back() {
    // The widget reads an HTML page's schema.org JSON-LD (`domain::schema_org`); the reading
    // pages write it (`domain::structured_data`). The two agree on every sample.
    for name in [
        "russia-iran-treaty",
        "russia-iran-explainer",
        "iran-russia-treaty-fa",
        "corrections",
    ] {
        let article = Article::parse(&sample(name)).unwrap();
        let page = render_page(
            &sample(name),
            &PrerenderOptions {
                src: format!("https://news.example/static/articles/{name}.json"),
                ..options(name)
            },
            "/article-widget.js",
        )
        .await
        .unwrap();
        let read = Article::parse(&page).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(read.headline, article.headline, "{name}");
        assert_eq!(read.published, article.published, "{name}");
        assert_eq!(read.standfirst, article.standfirst, "{name}");
        assert_eq!(read.language, article.language, "{name}");
        // The page writes the address resolved against `src`.
        match article.url.as_deref() {
            Some(url) if url.starts_with("https://") => {
                assert_eq!(read.url.as_deref(), Some(url), "{name}")
            }
            Some(_) => assert!(read
                .url
                .is_some_and(|u| u.starts_with("https://news.example/"))),
            None => assert_eq!(read.url, None, "{name}"),
        }
        assert_eq!(
            read.authors.iter().map(|a| &a.name).collect::<Vec<_>>(),
            article.authors.iter().map(|a| &a.name).collect::<Vec<_>>(),
            "{name}"
        );
    }
}

/// The reading page's shell is a template: whatever an article or the options say, their
/// text is escaped where it lands (title, description, previews, the element's attributes),
/// and the page has exactly the one loader script we put in its head.
#[tokio::test]
async fn the_reading_pages_shell_escapes_what_the_article_says() {
    let json = r#"{"id": "h", "headline": "</title><script>alert(1)</script>",
        "standfirst": "\"><script>alert(2)</script>", "language": "en\"><script>alert(3)</script>",
        "url": "https://news.example/h?a=\"><script>alert(4)</script>",
        "published": "2025-01-17", "body": "Text."}"#;
    let page = render_page(
        json,
        &PrerenderOptions {
            src: "/articles/h.json?x=\"<b>".into(),
            lang: Some("fr\" onload=\"alert(5)".into()),
            ..PrerenderOptions::default()
        },
        "/article-widget.js?\"><script>alert(6)</script>",
    )
    .await
    .unwrap();
    let head = &page[..page.find("</head>").unwrap()];
    assert!(!head.contains("<script>alert"), "{head}");
    assert!(head.contains("<title>&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</title>"));
    assert!(head.contains(
        "<meta name=\"description\" content=\"&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;\">"
    ));
    assert!(page.starts_with("<!doctype html><html lang=\""), "{page}");
    let dom = Dom::parse_document(&page);
    let scripts: Vec<_> = dom
        .select(&Selector::parse("head script").unwrap())
        .map(|script| script.value().attr("src").unwrap_or_default().to_owned())
        .collect();
    assert_eq!(scripts, ["/article-widget.js?\"><script>alert(6)</script>"]);
    let widget = dom
        .select(&Selector::parse("main > article-widget").unwrap())
        .next()
        .expect("the widget in the page's main");
    assert_eq!(widget.value().attr("src"), Some("/articles/h.json?x=\"<b>"));
    assert_eq!(widget.value().attr("lang"), Some("fr\" onload=\"alert(5)"));
    assert_eq!(widget.value().attr("onload"), None);
}

/// The head's `<meta>` content for `key` (`property` or `name`), as a browser reads it.
fn meta(page: &str, key: &str) -> Option<String> {
    let dom = Dom::parse_document(page);
    let selector = format!("head meta[property=\"{key}\"], head meta[name=\"{key}\"]");
    let found = select(&dom, &selector);
    assert!(found.len() <= 1, "{key} once at most");
    found.first().map(|element| {
        element
            .value()
            .attr("content")
            .unwrap_or_default()
            .to_owned()
    })
}

fn canonical(page: &str) -> Option<String> {
    let dom = Dom::parse_document(page);
    let found = select(&dom, "head link[rel=canonical]");
    assert!(found.len() <= 1, "one canonical address at most");
    found
        .first()
        .map(|element| element.value().attr("href").unwrap_or_default().to_owned())
}

/// A shared reading page shows a card: title, description, image (absolute, with its size and
/// text), the page's address, dates, and a Twitter card; every value escaped where it lands.
#[tokio::test]
async fn a_shared_reading_page_carries_its_card_escaped() {
    let json = r#"{"id": "s", "headline": "\"/><script>alert(1)</script> & <b>more</b>",
        "standfirst": "'\"><img src=x onerror=alert(2)>  a   standfirst",
        "published": "2025-01-17T08:30:00Z", "updated": "2025-01-18T09:00:00Z",
        "image": {"src": "../images/s.jpg?a=1&b=\"2\"", "alt": "\"><script>alert(3)</script>",
                  "width": 1200, "height": 675},
        "body": "Text."}"#;
    let page = render_page(
        json,
        &PrerenderOptions {
            src: "/static/articles/s.json".into(),
            page_url: Some("https://comments.example/read/s".into()),
            ..PrerenderOptions::default()
        },
        "/article-widget.js",
    )
    .await
    .unwrap();
    let head = &page[..page.find("</head>").unwrap()];
    assert!(!head.contains("<script>alert"), "{head}");
    assert!(!head.contains("<img"), "{head}");
    assert!(!head.contains("<b>"), "{head}");
    assert!(head.contains(
        "<meta property=\"og:title\" content=\"&quot;/&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;more&lt;/b&gt;\">"
    ), "{head}");
    let headline = "\"/><script>alert(1)</script> & <b>more</b>";
    let standfirst = "'\"><img src=x onerror=alert(2)> a standfirst";
    assert_eq!(meta(&page, "og:title").as_deref(), Some(headline));
    assert_eq!(meta(&page, "description").as_deref(), Some(standfirst));
    assert_eq!(meta(&page, "og:description").as_deref(), Some(standfirst));
    assert_eq!(meta(&page, "og:type").as_deref(), Some("article"));
    // The image, relative to the article JSON, made absolute against the page's address.
    assert_eq!(
        meta(&page, "og:image").as_deref(),
        Some("https://comments.example/static/images/s.jpg?a=1&b=%222%22")
    );
    assert_eq!(meta(&page, "og:image:width").as_deref(), Some("1200"));
    assert_eq!(meta(&page, "og:image:height").as_deref(), Some("675"));
    assert_eq!(
        meta(&page, "og:image:alt").as_deref(),
        Some("\"><script>alert(3)</script>")
    );
    // No address of the article's own: the reading page is the canonical one.
    assert_eq!(
        canonical(&page).as_deref(),
        Some("https://comments.example/read/s")
    );
    assert_eq!(
        meta(&page, "og:url").as_deref(),
        Some("https://comments.example/read/s")
    );
    assert_eq!(
        meta(&page, "article:published_time").as_deref(),
        Some("2025-01-17T08:30:00Z")
    );
    assert_eq!(
        meta(&page, "article:modified_time").as_deref(),
        Some("2025-01-18T09:00:00Z")
    );
    assert_eq!(
        meta(&page, "twitter:card").as_deref(),
        Some("summary_large_image")
    );
    // The publisher's own address wins over the reading page's.
    let own = json.replace(
        "\"id\": \"s\",",
        "\"id\": \"s\", \"url\": \"https://news.example/2025/s\",",
    );
    let page = render_page(
        &own,
        &PrerenderOptions {
            src: "/static/articles/s.json".into(),
            page_url: Some("https://comments.example/read/s".into()),
            ..PrerenderOptions::default()
        },
        "/article-widget.js",
    )
    .await
    .unwrap();
    assert_eq!(
        canonical(&page).as_deref(),
        Some("https://news.example/2025/s")
    );
    assert_eq!(
        meta(&page, "og:url").as_deref(),
        Some("https://news.example/2025/s")
    );
}

/// What the article does not have, the card does not claim: no empty tags, no relative
/// addresses (nothing to resolve them against without the page's own), a plain summary card.
#[tokio::test]
async fn a_card_leaves_out_what_the_article_lacks() {
    let json = r#"{"id": "bare", "headline": "Bare", "published": "2025-01-17",
        "image": {"src": "images/bare.jpg", "alt": ""}, "body": []}"#;
    let page = render_page(
        json,
        &PrerenderOptions {
            src: "/articles/bare.json".into(),
            ..PrerenderOptions::default()
        },
        "/article-widget.js",
    )
    .await
    .unwrap();
    let head = &page[..page.find("</head>").unwrap()];
    assert!(!head.contains("content=\"\""), "no empty tag: {head}");
    for absent in [
        "description",
        "og:description",
        "og:url",
        "og:image",
        "og:image:width",
        "og:image:height",
        "og:image:alt",
        "og:site_name",
        "article:modified_time",
        "twitter:image:alt",
    ] {
        assert_eq!(meta(&page, absent), None, "{absent}: {head}");
    }
    assert_eq!(canonical(&page), None, "{head}");
    assert_eq!(meta(&page, "og:title").as_deref(), Some("Bare"));
    assert_eq!(meta(&page, "twitter:card").as_deref(), Some("summary"));
}

/// Without a standfirst the description is the first paragraph's text, cut after a whole
/// word near 160 characters with an ellipsis.
#[tokio::test]
async fn the_description_falls_back_to_the_first_paragraph_cut_at_a_word() {
    let words = "Moscow signed a broad treaty with Tehran on Friday, binding the two \
        governments to consult on threats and to deepen trade, energy and transport links \
        over the next twenty years, officials said.";
    assert!(words.chars().count() > 160);
    let json = serde_json::json!({
        "id": "long", "headline": "Long", "published": "2025-01-17",
        "body": [
            {"type": "heading", "text": "Not this"},
            {"type": "paragraph", "text": format!("<em>{words}</em>")},
            {"type": "paragraph", "text": "Nor this."}
        ]
    })
    .to_string();
    let page = render_page(&json, &options("long"), "/article-widget.js")
        .await
        .unwrap();
    let description = meta(&page, "description").expect("a description");
    assert_eq!(meta(&page, "og:description").as_ref(), Some(&description));
    assert!(description.ends_with('\u{2026}'), "{description}");
    assert!(description.chars().count() <= 160, "{description}");
    assert!(description.chars().count() > 120, "{description}");
    let kept = description.trim_end_matches('\u{2026}');
    assert!(words.starts_with(kept), "{description}");
    // Cut where a word ends: the next character in the text is a space.
    assert_eq!(
        words[kept.len()..].chars().next(),
        Some(' '),
        "{description}"
    );
    assert!(!kept.ends_with(','), "{description}");
}
