//! Server rendering (native only; the comment service and its `render` command use it): an
//! article's widget as HTML, rendered by the very components the browser runs, inside a
//! declarative shadow root with its styles, so the article shows before (and without) any
//! JavaScript:
//!
//! ```html
//! <article-widget src="…" data-aw-prerendered="" data-aw-hydrate="">
//!   <template shadowrootmode="open"><div><style>…</style>…the widget…</div></template>
//!   <script type="application/ld+json">…schema.org NewsArticle…</script>
//!   <script type="application/json" data-aw-article>…the article JSON…</script>
//! </article-widget>
//! ```
//!
//! The loader hands the embedded JSON to the widget, which then shows the article at once
//! instead of fetching it again. The JSON-LD is in the light DOM, where crawlers read it.
//!
//! With a thread, the comment section is prerendered too (its list JSON goes along, as
//! `data-aw-thread`, so the widget starts from the same list); its form posts to the
//! comments API as a plain HTML form (`method="post"`), so it works without JavaScript.
//! Dates are rendered in UTC (the server cannot know the reader's time zone); the widget
//! shows them in the reader's zone and language once it runs.

use std::rc::Rc;

use maud::{html, Markup, PreEscaped};
use yew::prelude::*;

use crate::components::config::BadgeWords;
use crate::components::widget::{ArticleWidget, ArticleWidgetProps};
use crate::domain::article::{Article, ArticleError, Block};
use crate::domain::form::FormState;
use crate::domain::inline::plain_text;
use crate::domain::structured_data::{escape_for_script, news_article, script_safe_json};
use crate::domain::thread::ThreadOrder;
use crate::domain::wire::parse_comment_page;
use crate::host_contract::Theme;

/// What to render, besides the article.
#[derive(Clone, Debug, Default)]
pub struct PrerenderOptions {
    /// The `src` the element gets: the article JSON's address, absolute or relative to the
    /// page. The article's relative URLs are resolved against it.
    pub src: String,
    /// The interface language asked for (`lang`), if any.
    pub lang: Option<String>,
    pub theme: Theme,
    /// False for `comments="off"`.
    pub comments: bool,
    /// The publisher's `comments-order`: which threads come first (the first page's).
    pub comments_order: ThreadOrder,
    /// The comment thread to show, as the comments API answers (`{"comments": […]}`): the
    /// approved comments. `None` shows the section loading, as a widget that fetches it.
    pub thread: Option<String>,
    /// The comment form as a refused post left it (the reader's text and the errors), for
    /// the page a form posted without JavaScript comes back to.
    pub form: Option<FormState>,
    /// The reading page's own absolute address (the service's `--public-url` and
    /// `/read/{id}`), for its share card: the canonical address when the article names none
    /// of its own, and the base its relative addresses (the image's) resolve against, as link
    /// previews need absolute ones. Never from a request: a Host header is the client's word.
    pub page_url: Option<String>,
    /// The publisher's words for the badges (`badge-moderator`, `badge-author`; issue 20),
    /// written on the element too, so the widget hydrating reads the same.
    pub badge_moderator: Option<String>,
    pub badge_author: Option<String>,
}

/// Resolves `reference` against `base`, where `base` may itself be relative to the page
/// (`/articles/a.json`, `articles/a.json`): the result is then relative to the page in the
/// same way (root-relative, or relative to the page's folder).
fn resolve(base: &str, reference: &str) -> Option<String> {
    if reference.starts_with('#') {
        return Some(reference.to_owned());
    }
    // A stand-in for the page's address; what resolves under it is written back relative.
    const FOLDER: &str = "https://page.invalid/page-folder/";
    let page = url::Url::parse(FOLDER).ok()?;
    let resolved = page.join(base).ok()?.join(reference).ok()?;
    let text = resolved.to_string();
    if resolved.host_str() != Some("page.invalid") {
        return Some(text);
    }
    Some(match text.strip_prefix(FOLDER) {
        Some(relative) => relative.to_owned(),
        None => text.trim_start_matches("https://page.invalid").to_owned(),
    })
}

/// Renders the widget for an article's JSON text. Fails only when the text is not an article
/// (the same errors the widget would show).
pub async fn render_fragment(
    article_json: &str,
    options: &PrerenderOptions,
) -> Result<String, ArticleError> {
    let article = prepare(article_json, options)?;
    Ok(fragment_html(Rc::new(article), article_json, options).await)
}

/// The article as the widget will have it: parsed, its URLs resolved against `src`.
fn prepare(article_json: &str, options: &PrerenderOptions) -> Result<Article, ArticleError> {
    let mut article = Article::parse(article_json)?;
    article.resolve_urls(&|url: &str| resolve(&options.src, url));
    Ok(article)
}

/// The fragment for a prepared article (`article_json` is its text, carried along).
async fn fragment_html(
    article: Rc<Article>,
    article_json: &str,
    options: &PrerenderOptions,
) -> String {
    let structured = script_safe_json(&news_article(&article));

    let widget = yew::props!(ArticleWidgetProps {
        src: options.src.clone(),
        lang: options.lang.clone().map(AttrValue::from),
        theme: options.theme,
        comments: options.comments,
        comments_order: options.comments_order,
        article: Some(article.clone()),
        thread: options
            .thread
            .as_deref()
            .and_then(|text| parse_comment_page(text).ok())
            .map(Rc::new),
        form: options.form.clone().map(Rc::new),
        badge_words: BadgeWords::new(
            options.badge_moderator.as_deref(),
            options.badge_author.as_deref()
        ),
    });
    // The markup includes the widget's <style> element (see `components::styles`).
    let body = yew::LocalServerRenderer::<ArticleWidget>::with_props(widget)
        .render()
        .await;

    let preload = preload_image(&article);
    let theme = (options.theme != Theme::Auto).then(|| options.theme.as_str());
    let order =
        (options.comments_order != ThreadOrder::default()).then(|| options.comments_order.as_str());
    html! {
        // The featured image is the page's largest paint, but inside a declarative shadow
        // root the browser's preload scanner does not see it: a preload ahead of the element
        // asks for it as early as a plain <img> would be (valid in the body too, so the
        // fragment carries it).
        @if let Some((src, srcset, sizes)) = &preload {
            link rel="preload" as="image" href=(src) fetchpriority="high"
                imagesrcset=[srcset.as_deref()] imagesizes=[sizes.as_deref()];
        }
        // The widget adopts this markup in place (hydration) when its first render in the
        // browser equals this one. A refused post's form (its errors, the reader's text) is a
        // state the browser does not have: that page is replaced instead, once.
        article-widget src=(options.src) data-aw-prerendered=""
            data-aw-hydrate=[options.form.is_none().then_some("")]
            lang=[options.lang.as_deref()] theme=[theme]
            comments=[(!options.comments).then_some("off")] comments-order=[order]
            badge-moderator=[options.badge_moderator.as_deref()]
            badge-author=[options.badge_author.as_deref()] {
            template shadowrootmode="open" {
                // Yew's server rendering (with the widget's <style>, see
                // `components::styles`): markup Yew escaped itself, the one HTML spliced in.
                div { (PreEscaped(body)) }
            }
            // JSON made script-safe by `structured_data::escape_for_script` (`<`, `>`, `&` as
            // `\u003c`…: nothing can close the element or open a comment): a script's text is
            // not HTML, so HTML escaping would corrupt it.
            script type="application/ld+json" { (PreEscaped(structured)) }
            script type="application/json" data-aw-article {
                (PreEscaped(escape_for_script(article_json.trim())))
            }
            @if let Some(thread) = &options.thread {
                script type="application/json" data-aw-thread {
                    (PreEscaped(escape_for_script(thread.trim())))
                }
            }
        }
    }
    .into_string()
}

/// The featured image's preload: its address, and its `srcset` with `sizes` (only with a
/// `srcset`, which they qualify).
fn preload_image(article: &Article) -> Option<(String, Option<String>, Option<String>)> {
    let image = article.image.as_ref()?;
    let srcset = image.srcset_attribute();
    let sizes = srcset.as_ref().and(image.sizes.clone());
    Some((image.src.clone(), srcset, sizes))
}

/// A whole reading page for an article: the prerendered widget, the loader, and the page's
/// title, description and share card from the article (see [`share_card`]), so it reads as
/// a page of its own (the demo's article page; also what a link unfurler, a search engine or
/// a reader without JavaScript gets).
pub async fn render_page(
    article_json: &str,
    options: &PrerenderOptions,
    loader_src: &str,
) -> Result<String, ArticleError> {
    let article = Rc::new(prepare(article_json, options)?);
    let fragment = fragment_html(article.clone(), article_json, options).await;
    let language = article.language.as_deref().unwrap_or("en");
    Ok(html! {
        // Our own constant (maud's `DOCTYPE` is upper case; the pages have always written it
        // lower case).
        (PreEscaped("<!doctype html>"))
        html lang=(language) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (article.headline) }
                (share_card(&article, options.page_url.as_deref()))
                script type="module" src=(loader_src) {}
                // Our own constant: a style's text is CSS, not HTML.
                style { (PreEscaped(PAGE_STYLE)) }
            }
            body {
                // The fragment built above: our element around Yew's own markup.
                main { (PreEscaped(fragment)) }
            }
        }
    }
    .into_string())
}

/// The reading page's own style: a readable column around the widget.
const PAGE_STYLE: &str = "body { margin: 0 auto; max-width: 48rem; padding: 1rem; \
     font-family: Georgia, 'Times New Roman', serif; color: #1b1b1b; }";

/// Near how many characters a description taken from the body is cut: about what search
/// results and link previews show of one.
const DESCRIPTION_LENGTH: usize = 160;

/// What search engines and link previews (chat apps, social networks) read of the page: the
/// description, the canonical address, Open Graph and a Twitter card. Each value from the
/// article (or the page's own address, `page_url`); a value the article lacks leaves its tags
/// out (never an empty one). Addresses only absolute, as those readers need them: a relative
/// one resolved against `page_url`, else left out. Everything through the template's escaping.
fn share_card(article: &Article, page_url: Option<&str>) -> Markup {
    let description = description(article);
    let canonical = article
        .url
        .as_deref()
        .and_then(|url| absolute_url(url, page_url))
        .or_else(|| page_url.and_then(|url| absolute_url(url, None)));
    let image = article
        .image
        .as_ref()
        .and_then(|image| Some((absolute_url(&image.src, page_url)?, image)));
    let alt = image
        .as_ref()
        .map(|(_, image)| image.alt.trim())
        .filter(|alt| !alt.is_empty());
    let card = if image.is_some() {
        "summary_large_image"
    } else {
        "summary"
    };
    html! {
        @if let Some(description) = &description {
            meta name="description" content=(description);
        }
        @if let Some(url) = &canonical {
            link rel="canonical" href=(url);
        }
        meta property="og:type" content="article";
        meta property="og:title" content=(article.headline);
        @if let Some(description) = &description {
            meta property="og:description" content=(description);
        }
        @if let Some(url) = &canonical {
            meta property="og:url" content=(url);
        }
        @if let Some((src, image)) = &image {
            meta property="og:image" content=(src);
            @if let Some(width) = image.width {
                meta property="og:image:width" content=(width);
            }
            @if let Some(height) = image.height {
                meta property="og:image:height" content=(height);
            }
        }
        @if let Some(alt) = alt {
            meta property="og:image:alt" content=(alt);
        }
        meta property="article:published_time" content=(article.published.to_rfc3339());
        @if let Some(updated) = article.updated {
            meta property="article:modified_time" content=(updated.to_rfc3339());
        }
        // Twitter's card takes the title, description and image from the Open Graph tags.
        meta name="twitter:card" content=(card);
        @if let Some(alt) = alt {
            meta name="twitter:image:alt" content=(alt);
        }
    }
}

/// The page's description: the article's standfirst (its own summary), else its first
/// paragraph's text cut at a word near [`DESCRIPTION_LENGTH`] characters with `…`. Runs of
/// white space become one space.
fn description(article: &Article) -> Option<String> {
    let collapse = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(standfirst) = article.standfirst.as_deref().map(collapse) {
        if !standfirst.is_empty() {
            return Some(standfirst);
        }
    }
    article.body.iter().find_map(|block| match block {
        Block::Paragraph(text) => {
            let text = collapse(&plain_text(text));
            (!text.is_empty()).then(|| cut_at_word(&text, DESCRIPTION_LENGTH))
        }
        _ => None,
    })
}

/// `text` whole when it has at most `limit` characters, else cut after its last whole word
/// that fits with the `…` within `limit` (and its trailing punctuation dropped). A text
/// without a space in the second half of that length (one long word, or a script written
/// without spaces) is cut at the character instead.
fn cut_at_word(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let keep = limit.saturating_sub(1);
    let end_of = |count: usize| {
        text.char_indices()
            .nth(count)
            .map_or(text.len(), |(i, _)| i)
    };
    // The kept characters and the one after them: a space there means the last kept word is
    // whole.
    let head = &text[..end_of(keep + 1)];
    let cut = match head.rfind(' ') {
        Some(space) if head[..space].chars().count() >= keep / 2 => &head[..space],
        _ => &text[..end_of(keep)],
    };
    let cut = cut.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, ',' | ';' | ':' | '-' | '\u{2013}' | '\u{2014}')
    });
    format!("{cut}\u{2026}")
}

/// `url` as an absolute http(s) address: itself when it is one, else resolved against `base`
/// (the page's absolute address). `None` for anything else (no base, another scheme).
fn absolute_url(url: &str, base: Option<&str>) -> Option<String> {
    let parsed = match url::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            url::Url::parse(base?).ok()?.join(url).ok()?
        }
        Err(_) => return None,
    };
    matches!(parsed.scheme(), "http" | "https").then(|| parsed.to_string())
}

#[cfg(test)]
mod tests {
    use super::{absolute_url, cut_at_word, resolve};

    #[test]
    fn a_long_text_is_cut_after_a_whole_word() {
        assert_eq!(cut_at_word("short enough", 20), "short enough");
        // 19 characters kept at most, and the ellipsis.
        assert_eq!(
            cut_at_word("one two three four five six", 20),
            "one two three four\u{2026}"
        );
        // The word ending right at the limit is whole: it stays.
        assert_eq!(
            cut_at_word("abcdefghijklmnopqrs tail", 20),
            "abcdefghijklmnopqrs\u{2026}"
        );
        assert_eq!(
            cut_at_word("first, second, third, fourth", 20),
            "first, second\u{2026}"
        );
        // No space to cut at: cut at the character (a script without spaces).
        let unspaced = "\u{6587}".repeat(30);
        assert_eq!(
            cut_at_word(&unspaced, 20),
            format!("{}\u{2026}", "\u{6587}".repeat(19))
        );
    }

    #[test]
    fn share_card_addresses_are_absolute_or_absent() {
        let page = Some("https://comments.example/read/a");
        assert_eq!(
            absolute_url("/static/images/x.jpg", page).as_deref(),
            Some("https://comments.example/static/images/x.jpg")
        );
        assert_eq!(
            absolute_url("https://cdn.example/x.jpg", None).as_deref(),
            Some("https://cdn.example/x.jpg")
        );
        assert_eq!(absolute_url("/static/images/x.jpg", None), None);
        assert_eq!(absolute_url("javascript:alert(1)", page), None);
        assert_eq!(absolute_url("data:image/png;base64,AA", page), None);
    }

    #[test]
    fn relative_urls_stay_relative_to_the_page() {
        assert_eq!(
            resolve("/articles/a.json", "../static/images/x.svg").as_deref(),
            Some("/static/images/x.svg")
        );
        assert_eq!(
            resolve("articles/a.json", "b.json").as_deref(),
            Some("articles/b.json")
        );
        assert_eq!(
            resolve("https://news.example/a/b.json", "c.jpg").as_deref(),
            Some("https://news.example/a/c.jpg")
        );
        assert_eq!(resolve("/a.json", "#top").as_deref(), Some("#top"));
        assert_eq!(
            resolve("/a.json", "https://elsewhere.example/x").as_deref(),
            Some("https://elsewhere.example/x")
        );
    }
}
