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

use crate::components::widget::{ArticleWidget, ArticleWidgetProps};
use crate::domain::article::{Article, ArticleError};
use crate::domain::form::FormState;
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
            comments=[(!options.comments).then_some("off")] comments-order=[order] {
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
/// title and description from the article, so it reads as a page of its own (the demo's
/// article page; also what a link unfurler or a reader without JavaScript gets).
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
                @if let Some(standfirst) = &article.standfirst {
                    meta name="description" content=(standfirst);
                }
                (link_preview(&article))
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

/// What link previews (chat apps, social networks) read: Open Graph tags, and the canonical
/// address. URLs only where they are absolute, as those readers need them.
fn link_preview(article: &Article) -> Markup {
    let absolute = |url: &str| url.starts_with("https://") || url.starts_with("http://");
    let published = article.published.to_rfc3339();
    let mut tags = vec![
        ("og:type", "article"),
        ("og:title", article.headline.as_str()),
        ("article:published_time", published.as_str()),
    ];
    if let Some(standfirst) = &article.standfirst {
        tags.push(("og:description", standfirst.as_str()));
    }
    if let Some(image) = article.image.as_ref().filter(|image| absolute(&image.src)) {
        tags.push(("og:image", image.src.as_str()));
        if !image.alt.is_empty() {
            tags.push(("og:image:alt", image.alt.as_str()));
        }
    }
    html! {
        @for (property, content) in &tags {
            meta property=(property) content=(content);
        }
        @if let Some(url) = article.url.as_deref().filter(|url| absolute(url)) {
            meta property="og:url" content=(url);
            link rel="canonical" href=(url);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::resolve;

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
