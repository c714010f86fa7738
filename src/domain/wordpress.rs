//! WordPress's REST API (v2) as it is: a post or page (`/wp/v2/posts/<id>?_embed`) read as
//! an article, its comments (`/wp/v2/comments?post=<id>`) read as comments, and the comment
//! form's post and WordPress's answers. Recognised by shape, not by address.

use serde_json::{json, Value};

use super::article::{Article, ArticleError, Author, Block, CommentsApi, Image};
use super::blocks::{html_line, html_text, parse_blocks};
use super::comment::{website, Comment, CommentStatus};
use super::comment_markup::escape_markup;
use super::comment_rules::{Field, Problem, ValidComment};
use super::date::Timestamp;
use super::form::Submission;
use super::url::{safe_url, UrlUse};
use super::wire::PostError;

/// WordPress answers at most this many comments a page.
pub const COMMENTS_PER_PAGE: u32 = 100;

fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str)
}

fn rendered<'a>(value: &'a Value, key: &str) -> &'a str {
    value
        .get(key)
        .and_then(|field| text(field, "rendered"))
        .unwrap_or_default()
}

/// A post or page of the REST API: it has `title.rendered` and `content.rendered`.
pub fn is_post(value: &Value) -> bool {
    let rendered = |key: &str| {
        value
            .get(key)
            .and_then(|field| field.get("rendered"))
            .is_some()
    };
    rendered("title") && rendered("content")
}

/// A post (or page) as an article. `title.rendered` (its references decoded, tags removed) is
/// the headline, `date_gmt`/`modified_gmt` (UTC without a zone) the dates, `content.rendered`
/// the body (`blocks.rs`), the first category the kicker ("Uncategorized", WordPress's
/// placeholder, is none), the embedded authors the byline, the featured media the image; the
/// excerpt is the standfirst only when an editor wrote it (see [`standfirst`]). Comments are
/// open when `comment_status` is `open`: then the post's `replies` link is the comments URL.
pub fn article_from_post(post: &Value) -> Result<Article, ArticleError> {
    let number = post
        .get("id")
        .and_then(Value::as_u64)
        .ok_or(ArticleError::Missing("id"))?;
    let headline = html_line(rendered(post, "title")).ok_or(ArticleError::Missing("headline"))?;
    let date = |key: &str| text(post, key).and_then(|d| Timestamp::parse(d).ok());
    let published = date("date_gmt").ok_or(ArticleError::Missing("published"))?;
    let body = parse_blocks(rendered(post, "content"));
    let mut notices = Vec::new();
    let embedded = post.get("_embedded");
    if embedded.is_none() {
        notices.push("no _embedded: add ?_embed to src for byline, kicker and image".to_owned());
    }
    let list = |key: &str| {
        embedded
            .and_then(|e| e.get(key))
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default()
    };
    let kicker = list("wp:term")
        .iter()
        .filter_map(Value::as_array)
        .flatten()
        .find(|term| {
            text(term, "taxonomy") == Some("category")
                && text(term, "slug") != Some("uncategorized")
        })
        .and_then(|term| text(term, "name"))
        .map(html_text)
        .filter(|name| !name.is_empty());
    let authors = list("author")
        .iter()
        .filter_map(|author| {
            let name = html_text(text(author, "name")?);
            (!name.is_empty()).then(|| Author {
                name,
                url: text(author, "link").and_then(|u| safe_url(u, UrlUse::Link)),
            })
        })
        .collect();
    let comments_url = if text(post, "comment_status") == Some("open") {
        let replies = post
            .get("_links")
            .and_then(|links| links.get("replies")?.get(0)?.get("href")?.as_str())
            .and_then(|url| safe_url(url, UrlUse::Link));
        if replies.is_none() {
            notices.push("comments open but no _links.replies: shown closed".to_owned());
        }
        replies
    } else {
        None
    };
    Ok(Article {
        id: format!("wp-{number}"),
        url: text(post, "link").and_then(|u| safe_url(u, UrlUse::Link)),
        language: None,
        kicker,
        standfirst: standfirst(rendered(post, "excerpt"), &body),
        headline,
        authors,
        updated: date("modified_gmt").filter(|updated| *updated > published),
        published,
        image: list("wp:featuredmedia").first().and_then(featured_image),
        body,
        related: Vec::new(),
        comments_url,
        comments_api: CommentsApi::WordPress {
            post: number,
            author: post.get("author").and_then(Value::as_u64).unwrap_or(0),
        },
        notices,
    })
}

/// The excerpt as a standfirst, or `None` when WordPress wrote it itself: then it is the
/// body's first 55 words (ending in "[…]" when it cut them), which would only repeat the body.
/// An automatic excerpt is recognised by that ending or by opening with the body's first
/// five words (not eight: WordPress keeps the text of elements the reader never sees).
fn standfirst(excerpt: &str, body: &[Block]) -> Option<String> {
    let excerpt = html_line(excerpt)?;
    if excerpt.ends_with("[…]") || excerpt.ends_with("[...]") {
        return None;
    }
    // The body's first words, from the blocks already read (not the HTML a second time).
    let mut opening = String::new();
    for block in body.iter().take(5) {
        opening.push_str(&block.text());
        opening.push(' ');
    }
    // Automatic when the body opens with the excerpt's first words (as many as it has).
    let automatic = excerpt
        .split_whitespace()
        .take(5)
        .zip(opening.split_whitespace())
        .all(|(a, b)| a == b);
    (!automatic).then_some(excerpt)
}

/// `_embedded["wp:featuredmedia"][0]`: `source_url`, `alt_text`, `caption.rendered` as text,
/// `media_details` (which may be `{}`) for the size and a `srcset` of its sizes. Sizes that
/// WordPress crops to another shape (the square thumbnail) are left out of the `srcset`.
fn featured_image(media: &Value) -> Option<Image> {
    let src = safe_url(text(media, "source_url")?, UrlUse::Image)?;
    let details = media.get("media_details");
    let dimension = |value: Option<&Value>, key: &str| {
        value
            .and_then(|v| v.get(key))
            .and_then(Value::as_u64)
            .filter(|n| (1..=100_000).contains(n))
            .map(|n| n as u32)
    };
    let (width, height) = (dimension(details, "width"), dimension(details, "height"));
    let mut srcset: Vec<(String, String)> = Vec::new();
    let sizes = details
        .and_then(|d| d.get("sizes"))
        .and_then(Value::as_object);
    // WordPress registers a handful of sizes; past `MAX_SIZES` an answer is not a real one,
    // and the duplicate check below would cost their square.
    const MAX_SIZES: usize = 64;
    for size in sizes
        .into_iter()
        .flat_map(|sizes| sizes.values())
        .take(MAX_SIZES)
    {
        let (Some(url), Some(w), Some(h)) = (
            text(size, "source_url")
                .and_then(|u| safe_url(u, UrlUse::Image))
                .filter(|u| srcset_safe(u)),
            dimension(Some(size), "width"),
            dimension(Some(size), "height"),
        ) else {
            continue;
        };
        let same_shape = match (width, height) {
            // Within 2%: WordPress rounds the scaled side.
            (Some(full_w), Some(full_h)) => {
                let (a, b) = (
                    u64::from(w) * u64::from(full_h),
                    u64::from(h) * u64::from(full_w),
                );
                a.abs_diff(b) * 50 <= a
            }
            _ => true,
        };
        let descriptor = format!("{w}w");
        if same_shape && !srcset.iter().any(|(_, d)| *d == descriptor) {
            srcset.push((url, descriptor));
        }
    }
    Some(Image {
        src,
        alt: text(media, "alt_text")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        caption: html_line(rendered(media, "caption")),
        credit: None,
        width,
        height,
        srcset,
        sizes: None,
    })
}

/// Whether a URL stays one candidate in a `srcset`: a browser splits candidates at white
/// space and strips commas at either end, so `"a.jpg, data:… 400w"` would smuggle in another
/// image that was never checked.
fn srcset_safe(url: &str) -> bool {
    !url.contains(|c: char| c.is_ascii_whitespace()) && !url.starts_with(',') && !url.ends_with(',')
}

/// The address of one page of a post's comments, oldest first (`url` is the post's `replies`
/// link, `…/wp/v2/comments?post=<id>`).
pub fn comments_page_url(url: &str, page: u32) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}per_page={COMMENTS_PER_PAGE}&order=asc&page={page}")
}

/// One comment of the REST API: `parent` 0 is the top level; the content as plain text with
/// its line breaks; `date_gmt` is UTC; the author's badge when its user wrote the post
/// (`post_author`, 0 when not known), as WordPress's `bypostauthor`. `None` without an id or
/// a date.
pub fn comment_from_value(value: &Value, post_author: u64) -> Option<Comment> {
    let by_post_author =
        post_author != 0 && value.get("author").and_then(Value::as_u64) == Some(post_author);
    Some(Comment {
        id: value.get("id")?.as_u64()?.to_string(),
        parent: value
            .get("parent")
            .and_then(Value::as_u64)
            .filter(|parent| *parent != 0)
            .map(|parent| parent.to_string()),
        author: html_text(text(value, "author_name").unwrap_or_default()),
        website: text(value, "author_url").and_then(website),
        // WordPress already rendered the comment: its text is shown as text, never read
        // again as formatting (a comment showing `<b>` there shows `<b>` here).
        content: escape_markup(&html_text(rendered(value, "content"))),
        published: Timestamp::parse(text(value, "date_gmt")?).ok()?,
        // Only "approved" is public; "hold" and whatever a spam filter answers ("spam") are
        // not, so they are shown as awaiting moderation, never as published.
        status: match text(value, "status") {
            Some("approved") | None => CommentStatus::Approved,
            _ => CommentStatus::Pending,
        },
        likes: Default::default(),
        marks: super::comment::Marks {
            pinned: false,
            badges: super::comment::Badges {
                moderator: false,
                author: by_post_author,
            },
        },
        edits: Default::default(),
    })
}

/// A page of comments: the array WordPress answers; entries that are not comments skipped.
/// `post_author`: the post's author's user id (0: not known).
pub fn parse_comments(body: &str, post_author: u64) -> Option<Vec<Comment>> {
    let value = super::json::parse(body).ok()?;
    Some(
        value
            .as_array()?
            .iter()
            .filter_map(|comment| comment_from_value(comment, post_author))
            .collect(),
    )
}

/// The JSON body of `POST /wp/v2/comments`.
pub fn request_body(comment: &ValidComment, parent: Option<&str>, post: u64) -> String {
    json!({
        "post": post,
        "parent": parent.and_then(|p| p.parse::<u64>().ok()).unwrap_or(0),
        "author_name": comment.author,
        "author_email": comment.email,
        "author_url": comment.website.as_deref().unwrap_or_default(),
        "content": comment.content,
    })
    .to_string()
}

/// The comment as this reader sent it, at `now`: what is shown when WordPress says it has
/// it already (see [`interpret_answer`]).
pub fn sent_comment(submission: &Submission, now: Timestamp) -> Comment {
    Comment {
        id: format!("sent-{}", submission.key.as_str()),
        parent: submission.parent.clone(),
        author: submission.comment.author.clone(),
        website: submission.comment.website.clone(),
        content: submission.comment.content.clone(),
        published: now,
        status: CommentStatus::Pending,
        likes: Default::default(),
        marks: Default::default(),
        edits: Default::default(),
    }
}

/// What WordPress's answer to a post means. `sent` is the comment as this reader sent it:
/// WordPress answers a repeat of a comment it already has (a retry after a lost answer) with
/// `409 comment_duplicate`, which means it was posted; it is shown as awaiting moderation,
/// as WordPress does not say more. Its messages are HTML-escaped English: the reader gets
/// ours.
pub fn interpret_answer(status: u16, body: &str, sent: Comment) -> Result<Comment, PostError> {
    let value = super::json::parse(body).unwrap_or_default();
    let code = text(&value, "code").unwrap_or_default();
    match (status, code) {
        // Posted from the widget, never signed in to WordPress: no author's badge.
        (200..=299, _) => comment_from_value(&value, 0).ok_or(PostError::Malformed),
        (409, _) => Ok(Comment {
            status: CommentStatus::Pending,
            ..sent
        }),
        (400, "rest_invalid_param") => {
            let params = value
                .get("data")
                .and_then(|data| data.get("params")?.as_object());
            let named = |key: &str| params.is_some_and(|p| p.contains_key(key));
            let fields = [
                ("content", Field::Content, Problem::Missing),
                ("author_name", Field::Author, Problem::Missing),
                ("author_email", Field::Email, Problem::NotAnEmail),
                ("author_url", Field::Website, Problem::NotAWebsite),
            ]
            .into_iter()
            .filter(|(key, ..)| named(key))
            .map(|(_, field, problem)| (field, problem))
            .collect();
            Err(PostError::Invalid {
                fields,
                other: Vec::new(),
            })
        }
        (400, "rest_comment_content_invalid") => Err(PostError::Invalid {
            fields: vec![(Field::Content, Problem::Missing)],
            other: Vec::new(),
        }),
        (400, "comment_flood") => Err(PostError::TooSoon(None)),
        (401, _) => Err(PostError::LoginRequired),
        (403, "rest_comment_closed") => Err(PostError::Closed),
        (500..=599, _) => Err(PostError::Server(status)),
        _ => Err(PostError::Refused(status)),
    }
}
