#![cfg(not(target_arch = "wasm32"))]
//! What existing sites serve, natively: WordPress REST API answers (saved from the test
//! WordPress of `scripts/wordpress.sh`, Debian's WordPress 6.1.9, in tests/fixtures/wordpress/)
//! and schema.org JSON-LD, read into the article and comment model.

use article_widget::domain::article::{Article, ArticleError, Block, CommentsApi};
use article_widget::domain::blocks::{html_text, parse_blocks};
use article_widget::domain::comment::{Comment, CommentStatus};
use article_widget::domain::comment_markup::{
    comment_plain_text, parse_comment, CommentBlock, CommentInline,
};
use article_widget::domain::comment_rules::{Field, Problem};
use article_widget::domain::date::Timestamp;
use article_widget::domain::inline::{plain_text, Inline, InlineKind};
use article_widget::domain::wire::PostError;
use article_widget::domain::wordpress;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/wordpress/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn wordpress_article(name: &str) -> Article {
    Article::parse(&fixture(name)).unwrap_or_else(|error| panic!("{name}: {error}"))
}

fn text(block: &Block) -> String {
    match block {
        Block::Paragraph(nodes) | Block::Quote { text: nodes, .. } => plain_text(nodes),
        Block::Heading(text) => text.clone(),
        Block::List { items, .. } => items
            .iter()
            .map(|i| plain_text(i))
            .collect::<Vec<_>>()
            .join("|"),
        Block::Image(image) => format!("[{}]", image.src),
    }
}

#[test]
fn a_wordpress_post_maps_field_by_field() {
    let article = wordpress_article("post-blocks.json");
    assert_eq!(article.id, "wp-4");
    assert_eq!(article.headline, "Tehran & Moscow sign a 20-year treaty");
    assert_eq!(article.kicker.as_deref(), Some("Breaking News"));
    assert_eq!(
        article.published,
        Timestamp::parse("2026-11-20T08:30:00Z").unwrap()
    );
    assert!(article
        .updated
        .is_some_and(|updated| updated > article.published));
    assert!(article
        .url
        .as_deref()
        .unwrap()
        .ends_with("/2026/11/treaty/"));
    assert_eq!(article.authors.len(), 1);
    assert_eq!(article.authors[0].name, "Maryam Rahimi");
    assert!(article.authors[0]
        .url
        .as_deref()
        .unwrap()
        .ends_with("/author/maryam/"));
    // WordPress wrote the excerpt itself (the body's opening): no standfirst.
    assert_eq!(article.standfirst, None);
    assert_eq!(
        article.comments_api,
        CommentsApi::WordPress { post: 4, author: 2 }
    );
    assert!(article
        .comments_url
        .as_deref()
        .unwrap()
        .ends_with("/wp-json/wp/v2/comments?post=4"));
    assert!(article.notices.is_empty(), "{:?}", article.notices);

    let image = article.image.as_ref().expect("the featured image");
    assert!(image.src.ends_with("/uploads/2026/11/signing.jpg"));
    assert_eq!(image.alt, "The two presidents at the signing");
    assert_eq!(
        image.caption.as_deref(),
        Some("The signing in Moscow on Friday")
    );
    assert_eq!((image.width, image.height), (Some(1600), Some(900)));
    let mut widths: Vec<&str> = image.srcset.iter().map(|(_, w)| w.as_str()).collect();
    widths.sort();
    // Every size of the same shape; not the square 150×150 thumbnail.
    assert_eq!(widths, ["1024w", "1536w", "1600w", "300w", "768w"]);
}

#[test]
fn every_block_type_of_the_block_editor_is_read() {
    let article = wordpress_article("post-blocks.json");
    let body = &article.body;
    let kinds: Vec<&str> = body
        .iter()
        .map(|block| match block {
            Block::Paragraph(_) => "p",
            Block::Heading(_) => "h",
            Block::Quote { .. } => "quote",
            Block::List { ordered: false, .. } => "ul",
            Block::List { ordered: true, .. } => "ol",
            Block::Image(_) => "img",
        })
        .collect();
    assert_eq!(kinds, ["p", "h", "h", "quote", "ul", "ol", "img", "p", "p"]);
    assert_eq!(
        text(&body[0]),
        "Iran and Russia signed a comprehensive strategic partnership on Friday, the full text says. It’s “the start of a new era”."
    );
    let Block::Paragraph(first) = &body[0] else {
        unreachable!()
    };
    assert!(first.iter().any(|node| matches!(
        node,
        Inline::Element {
            kind: InlineKind::Strong,
            ..
        }
    )));
    assert!(first.iter().any(|node| matches!(node,
        Inline::Element { kind: InlineKind::Link { href }, .. } if href == "https://example.org/treaty-text")));
    assert_eq!(text(&body[1]), "What the treaty covers");
    assert_eq!(text(&body[2]), "Energy and grain");
    assert_eq!(
        body[3],
        Block::Quote {
            text: vec![Inline::Text("This treaty opens a new chapter.".into())],
            cite: Some("The foreign minister".into())
        }
    );
    assert_eq!(
        text(&body[4]),
        "Gas through the northern corridor|Grain and fertiliser"
    );
    assert_eq!(
        text(&body[5]),
        "Ratification by both parliaments|Entry into force"
    );
    let Block::Image(image) = &body[6] else {
        unreachable!()
    };
    assert!(image.src.ends_with("pipeline-1024x683.jpg"));
    assert_eq!(image.alt, "A gas pipeline in the snow");
    assert_eq!(image.caption.as_deref(), Some("The corridor near Astara"));
    assert_eq!((image.width, image.height), (Some(1024), Some(683)));
    assert_eq!(image.srcset.len(), 4);
    assert_eq!(
        image.sizes.as_deref(),
        Some("(max-width: 1024px) 100vw, 1024px")
    );
    // The embed: a link to what it embeds, named by its caption.
    assert_eq!(
        body[7],
        Block::Paragraph(vec![Inline::Element {
            kind: InlineKind::Link {
                href: "https://www.youtube.com/watch?v=aw-treaty".into()
            },
            children: vec![Inline::Text("The signing ceremony".into())],
        }])
    );
    assert_eq!(text(&body[8]), "A paragraph inside a group block.");
}

#[test]
fn hostile_markup_in_a_post_leaves_nothing_that_can_act() {
    let article = wordpress_article("post-hostile.json");
    assert_eq!(article.headline, "Hostile markup");
    let model = format!("{article:?}");
    for hostile in [
        "__hostile",
        "javascript:",
        "JaVaScRiPt:",
        "data:",
        "evil.example",
        "alert(",
        "x.swf",
        "onerror",
        "style",
    ] {
        assert!(!model.contains(hostile), "{hostile} survived: {model}");
    }
    let texts: Vec<String> = article.body.iter().map(text).collect();
    assert_eq!(texts.first().map(String::as_str), Some("Before after."));
    assert!(texts.contains(&"Styled paragraph".to_owned()), "{texts:?}");
    assert!(texts.contains(&"Heading".to_owned()), "{texts:?}");
    assert_eq!(texts.last().map(String::as_str), Some("The end."));
    // Links whose URL is not allowed keep their text and lose the link.
    assert!(
        texts
            .iter()
            .any(|t| t.contains("javascript link") || t.contains("safe link")),
        "{texts:?}"
    );
    // A page without `_embed` still reads, and says what is missing.
    let page = wordpress_article("page-about.json");
    assert_eq!(page.id, "wp-11");
    assert_eq!(page.comments_url, None, "comments are closed on the page");
    assert_eq!(page.notices.len(), 1);
}

#[test]
fn wordpress_comments_read_as_comments_with_their_line_breaks() {
    let comments = wordpress::parse_comments(&fixture("comments-blocks.json"), 2).unwrap();
    let summary: Vec<(&str, Option<&str>, &str)> = comments
        .iter()
        .map(|c| (c.id.as_str(), c.parent.as_deref(), c.author.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            ("2", None, "Sara"),
            ("3", Some("2"), "Omid"),
            ("4", None, "Lena"),
            ("5", Some("3"), "Sara")
        ]
    );
    assert_eq!(
        comment_plain_text(&comments[0].content),
        "A first comment.\nWith a second line.\n\nAnd a second paragraph & more."
    );
    assert_eq!(
        comments[0].website.as_deref(),
        Some("https://example.org/sara")
    );
    assert_eq!(
        comments[0].published,
        Timestamp::parse("2026-11-20T09:00:00Z").unwrap()
    );
    assert_eq!(
        wordpress::comments_page_url("http://wp.test/wp-json/wp/v2/comments?post=4", 2),
        "http://wp.test/wp-json/wp/v2/comments?post=4&per_page=100&order=asc&page=2"
    );
}

/// WordPress rendered the comment already: what it showed as text (a reader who typed `<b>`
/// and saw `<b>`) is text here too, never read again as formatting.
#[test]
fn wordpress_comments_are_shown_as_wordpress_showed_them() {
    let value = serde_json::json!({
        "id": 9, "parent": 0, "author_name": "Tom", "date_gmt": "2026-11-20T09:00:00",
        "content": {"rendered": "<p>I typed &lt;b&gt;bold&lt;/b&gt; &amp;amp; &lt;i&gt;x&lt;/i&gt;</p>\n"}
    });
    let comment = wordpress::comment_from_value(&value, 2).unwrap();
    let blocks = parse_comment(&comment.content);
    assert_eq!(
        blocks,
        vec![CommentBlock::Paragraph(vec![CommentInline::Text(
            "I typed <b>bold</b> &amp; <i>x</i>".into()
        )])],
        "{:?}",
        comment.content
    );
}

/// A comment whose user wrote the post gets the author's badge, as WordPress's
/// `bypostauthor`; a guest's (user 0) or another user's never, nor any when the post's author
/// is not known.
#[test]
fn a_comment_by_the_posts_author_gets_the_authors_badge() {
    let by = |user: u64, post_author: u64| {
        let value = serde_json::json!({
            "id": 9, "parent": 0, "author": user, "author_name": "Ed",
            "date_gmt": "2026-11-20T09:00:00", "content": {"rendered": "<p>Hi</p>"}
        });
        wordpress::comment_from_value(&value, post_author)
            .unwrap()
            .marks
            .badges
            .author
    };
    assert!(by(2, 2));
    assert!(!by(3, 2));
    assert!(!by(0, 2));
    assert!(!by(0, 0), "a guest on a post whose author is not known");
    assert!(!by(2, 0));
}

fn sent() -> Comment {
    Comment {
        id: "sent-k".into(),
        parent: None,
        author: "Ann".into(),
        website: None,
        content: "Hello".into(),
        published: Timestamp::from_millis(0),
        status: CommentStatus::Approved,
        likes: Default::default(),
        marks: Default::default(),
        edits: Default::default(),
    }
}

#[test]
fn wordpress_answers_to_a_post_mean_what_the_reader_is_told() {
    let held = r#"{"id":137,"post":4,"parent":0,"author_name":"Ann","author_url":"","date_gmt":"2026-11-29T15:08:31","content":{"rendered":"<p>Hello<\/p>\n"},"status":"hold"}"#;
    let comment = wordpress::interpret_answer(201, held, sent()).unwrap();
    assert_eq!(
        (comment.id.as_str(), comment.status),
        ("137", CommentStatus::Pending)
    );
    // What a spam filter marks is not public either.
    let spam = held.replace(r#""status":"hold""#, r#""status":"spam""#);
    assert_eq!(
        wordpress::interpret_answer(201, &spam, sent())
            .unwrap()
            .status,
        CommentStatus::Pending
    );
    let approved = held.replace(r#""status":"hold""#, r#""status":"approved""#);
    assert_eq!(
        wordpress::interpret_answer(201, &approved, sent())
            .unwrap()
            .status,
        CommentStatus::Approved
    );
    // A repeat WordPress already has: posted (a retry after a lost answer posts nothing twice).
    let duplicate = r#"{"code":"comment_duplicate","message":"Duplicate comment detected; it looks as though you&#8217;ve already said that!","data":{"status":409}}"#;
    let comment = wordpress::interpret_answer(409, duplicate, sent()).unwrap();
    assert_eq!(
        (comment.id.as_str(), comment.status),
        ("sent-k", CommentStatus::Pending)
    );
    let invalid = r#"{"code":"rest_invalid_param","message":"Invalid parameter(s): author_email","data":{"status":400,"params":{"author_email":"Invalid email address."}}}"#;
    assert_eq!(
        wordpress::interpret_answer(400, invalid, sent()),
        Err(PostError::Invalid {
            fields: vec![(Field::Email, Problem::NotAnEmail)],
            other: vec![]
        })
    );
    let answer = |status: u16, code: &str| {
        wordpress::interpret_answer(
            status,
            &format!(r#"{{"code":"{code}","message":"x","data":{{"status":{status}}}}}"#),
            sent(),
        )
    };
    assert_eq!(answer(400, "comment_flood"), Err(PostError::TooSoon(None)));
    assert_eq!(
        answer(401, "rest_comment_login_required"),
        Err(PostError::LoginRequired)
    );
    assert_eq!(answer(403, "rest_comment_closed"), Err(PostError::Closed));
    assert_eq!(
        answer(403, "rest_comment_invalid_post_id"),
        Err(PostError::Refused(403))
    );
    assert_eq!(answer(502, "x"), Err(PostError::Server(502)));
    assert_eq!(
        wordpress::interpret_answer(201, "<html>", sent()),
        Err(PostError::Malformed)
    );
    // Nothing was stored by any refusal: the next attempt is a new post.
    assert!(PostError::LoginRequired.definitely_not_stored());
}

#[test]
fn classic_editor_html_and_comments_read_as_text() {
    let blocks = parse_blocks(
        "<p>One<br />\ntwo <img src=\"/a.jpg\" alt=\"A\" width=\"10\" height=\"5\"> three</p>\n\n<p>&lt;b&gt; stays text</p>loose <em>text</em><hr><table><tr><td>cell</td></tr></table>",
    );
    let texts: Vec<String> = blocks.iter().map(text).collect();
    assert_eq!(
        texts,
        [
            "One\n\ntwo",
            "[/a.jpg]",
            "three",
            "<b> stays text",
            "loose text",
            "cell"
        ]
    );
    assert_eq!(html_text("<p>a  b<br>\n c</p>\n<p>d</p>"), "a b\nc\n\nd");
    assert_eq!(html_text("Tom &amp; Jerry"), "Tom & Jerry");
    // An embed of a post elsewhere (a tweet): its text is no address; its link is.
    let tweet = parse_blocks(
        r#"<figure class="wp-block-embed is-provider-twitter"><div class="wp-block-embed__wrapper"><blockquote class="twitter-tweet"><p>Signed today</p>&mdash; A minister <a href="https://twitter.com/x/status/1">November 20, 2026</a></blockquote></div></figure>"#,
    );
    assert_eq!(
        tweet,
        vec![Block::Paragraph(vec![Inline::Element {
            kind: InlineKind::Link {
                href: "https://twitter.com/x/status/1".into()
            },
            children: vec![Inline::Text("https://twitter.com/x/status/1".into())],
        }])]
    );
}

const NEWS_ARTICLE: &str = r#"{
  "@context": "https://schema.org", "@type": "NewsArticle",
  "headline": "Treaty signed", "description": "A standfirst.",
  "datePublished": "2026-11-20T08:30:00+03:30", "dateModified": "2026-11-21T09:00:00Z",
  "url": "https://news.example/2026/11/treaty-signed/",
  "inLanguage": "fa", "articleSection": ["Breaking News", "World"],
  "author": [{"@type": "Person", "name": "Maryam Rahimi", "url": "https://news.example/maryam"},
             {"@type": "Organization", "name": "Tehran Times"}],
  "image": {"@type": "ImageObject", "url": "https://news.example/a.jpg", "width": 1200, "height": "675", "caption": "The signing"},
  "articleBody": "First paragraph <b>not markup</b>.\n\nSecond paragraph."
}"#;

#[test]
fn a_schema_org_news_article_maps_field_by_field() {
    let article = Article::parse(NEWS_ARTICLE).unwrap();
    assert_eq!(article.id, "treaty-signed");
    assert_eq!(article.headline, "Treaty signed");
    assert_eq!(article.standfirst.as_deref(), Some("A standfirst."));
    assert_eq!(article.kicker.as_deref(), Some("Breaking News"));
    assert_eq!(article.language.as_deref(), Some("fa"));
    assert_eq!(
        article.published,
        Timestamp::parse("2026-11-20T05:00:00Z").unwrap()
    );
    assert_eq!(
        article
            .authors
            .iter()
            .map(|a| a.name.as_str())
            .collect::<Vec<_>>(),
        ["Maryam Rahimi", "Tehran Times"]
    );
    let image = article.image.unwrap();
    assert_eq!(
        (image.src.as_str(), image.width, image.height),
        ("https://news.example/a.jpg", Some(1200), Some(675))
    );
    assert_eq!(image.caption.as_deref(), Some("The signing"));
    // articleBody is plain text: what looks like markup is text.
    assert_eq!(
        article.body,
        vec![
            Block::Paragraph(vec![Inline::Text(
                "First paragraph <b>not markup</b>.".into()
            )]),
            Block::Paragraph(vec![Inline::Text("Second paragraph.".into())]),
        ]
    );
    assert_eq!(article.comments_url, None);

    // In a graph (as SEO plugins write it), in a list, with an image URL or list, an author as text.
    let graph = r#"{"@context":"https://schema.org","@graph":[{"@type":"WebPage","name":"x"},
        {"@type":["Article","NewsArticle"],"headline":"In a graph","datePublished":"2026-01-02",
         "image":["https://news.example/b.jpg"],"author":"Ann","mainEntityOfPage":{"@id":"https://news.example/in-a-graph"}}]}"#;
    let article = Article::parse(graph).unwrap();
    assert_eq!(
        (article.id.as_str(), article.headline.as_str()),
        ("in-a-graph", "In a graph")
    );
    assert_eq!(article.image.unwrap().src, "https://news.example/b.jpg");
    assert_eq!(article.authors[0].name, "Ann");
    let list = format!(
        "[{{\"@context\":\"https://schema.org\",\"@type\":\"Organization\"}}, {NEWS_ARTICLE}]"
    );
    assert_eq!(Article::parse(&list).unwrap().headline, "Treaty signed");
    assert_eq!(
        Article::parse(
            r#"{"@context":"https://schema.org","@type":"NewsArticle","headline":"No date"}"#
        ),
        Err(ArticleError::Missing("published"))
    );
    assert_eq!(
        Article::parse(r#"{"@context":"https://schema.org","@type":"Recipe"}"#),
        Err(ArticleError::NoStructuredData)
    );
    let hostile = r#"{"@type":"NewsArticle","headline":"H","datePublished":"2026-01-02","url":"javascript:alert(1)","image":"javascript:alert(2)","author":{"name":"A","url":"javascript:alert(3)"}}"#;
    assert!(!format!("{:?}", Article::parse(hostile).unwrap()).contains("javascript"));
}

#[test]
fn an_html_page_is_read_for_its_json_ld() {
    let page = format!(
        "<!doctype html><html lang=en><head><script type=\"application/ld+json\">{{\"@context\":\"https://schema.org\",\"@type\":\"BreadcrumbList\"}}</script>\
         <SCRIPT TYPE=\"application/ld+json\">{NEWS_ARTICLE}</SCRIPT><script>var x = '<script type=\"application/ld+json\">';</script></head><body><p>Hi</p></body></html>"
    );
    assert_eq!(Article::parse(&page).unwrap().headline, "Treaty signed");
    assert_eq!(
        Article::parse("<!doctype html><p>No structured data</p>"),
        Err(ArticleError::NoStructuredData)
    );
}

#[test]
fn an_excerpt_an_editor_wrote_is_the_standfirst_and_wordpresss_own_is_not() {
    let mut post: serde_json::Value = serde_json::from_str(&fixture("post-blocks.json")).unwrap();
    let with_excerpt = |post: &mut serde_json::Value, excerpt: &str| {
        post["excerpt"]["rendered"] = excerpt.into();
        Article::from_value(post).unwrap().standfirst
    };
    assert_eq!(
        with_excerpt(
            &mut post,
            "<p>Moscow and Tehran bind themselves for twenty years.</p>\n"
        ),
        Some("Moscow and Tehran bind themselves for twenty years.".to_owned())
    );
    // WordPress's own: the body's opening words, cut with "[…]" or not.
    assert_eq!(
        with_excerpt(&mut post, "<p>Iran and Russia signed a comprehensive strategic partnership on Friday [&hellip;]</p>"),
        None
    );
    assert_eq!(
        with_excerpt(
            &mut post,
            "<p>Iran and Russia signed a comprehensive deal.</p>"
        ),
        None
    );
    // Comments open without the link to them: shown closed, and the console says why.
    post["_links"] = serde_json::json!({});
    let article = Article::from_value(&post).unwrap();
    assert_eq!(article.comments_url, None);
    assert!(
        article.notices.iter().any(|n| n.contains("_links.replies")),
        "{:?}",
        article.notices
    );
}
