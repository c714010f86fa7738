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

/// Escapes text for an HTML attribute value in double quotes.
use crate::domain::text::escape_markup as attribute;

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

    let mut out = String::with_capacity(body.len() + article_json.len() + 512);
    // The featured image is the page's largest paint, but inside a declarative shadow root
    // the browser's preload scanner does not see it: a preload ahead of the element asks for
    // it as early as a plain <img> would be (valid in the body too, so the fragment carries it).
    if let Some(image) = &article.image {
        out.push_str(&format!(
            "<link rel=\"preload\" as=\"image\" href=\"{}\" fetchpriority=\"high\"",
            attribute(&image.src)
        ));
        if let Some(srcset) = image.srcset_attribute() {
            out.push_str(&format!(" imagesrcset=\"{}\"", attribute(&srcset)));
            if let Some(sizes) = &image.sizes {
                out.push_str(&format!(" imagesizes=\"{}\"", attribute(sizes)));
            }
        }
        out.push('>');
    }
    out.push_str(&format!(
        "<article-widget src=\"{}\" data-aw-prerendered=\"\"",
        attribute(&options.src)
    ));
    // The widget adopts this markup in place (hydration) when its first render in the
    // browser equals this one. A refused post's form (its errors, the reader's text) is a
    // state the browser does not have: that page is replaced instead, once.
    if options.form.is_none() {
        out.push_str(" data-aw-hydrate=\"\"");
    }
    if let Some(lang) = &options.lang {
        out.push_str(&format!(" lang=\"{}\"", attribute(lang)));
    }
    if options.theme != Theme::Auto {
        out.push_str(&format!(" theme=\"{}\"", options.theme.as_str()));
    }
    if !options.comments {
        out.push_str(" comments=\"off\"");
    }
    if options.comments_order != ThreadOrder::default() {
        out.push_str(&format!(
            " comments-order=\"{}\"",
            options.comments_order.as_str()
        ));
    }
    out.push('>');
    out.push_str("<template shadowrootmode=\"open\">");
    out.push_str("<div>");
    out.push_str(&body);
    out.push_str("</div></template>");
    out.push_str("<script type=\"application/ld+json\">");
    out.push_str(&structured);
    out.push_str("</script>");
    out.push_str("<script type=\"application/json\" data-aw-article>");
    out.push_str(&escape_for_script(article_json.trim()));
    out.push_str("</script>");
    if let Some(thread) = &options.thread {
        out.push_str("<script type=\"application/json\" data-aw-thread>");
        out.push_str(&escape_for_script(thread.trim()));
        out.push_str("</script>");
    }
    out.push_str("</article-widget>");
    out
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
    let language = article.language.clone().unwrap_or_else(|| "en".to_owned());
    let description = article
        .standfirst
        .as_deref()
        .map(|text| {
            format!(
                "<meta name=\"description\" content=\"{}\">",
                attribute(text)
            )
        })
        .unwrap_or_default();
    let preview = link_preview(&article);
    Ok(format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title>{description}{preview}\
         <script type=\"module\" src=\"{loader}\"></script>\
         <style>body {{ margin: 0 auto; max-width: 48rem; padding: 1rem; \
         font-family: Georgia, 'Times New Roman', serif; color: #1b1b1b; }}</style>\
         </head><body><main>{fragment}</main></body></html>",
        lang = attribute(&language),
        title = attribute(&article.headline),
        loader = attribute(loader_src),
    ))
}

/// What link previews (chat apps, social networks) read: Open Graph tags, and the canonical
/// address. URLs only where they are absolute, as those readers need them.
fn link_preview(article: &Article) -> String {
    let absolute = |url: &str| url.starts_with("https://") || url.starts_with("http://");
    let mut tags = vec![
        ("og:type".to_owned(), "article".to_owned()),
        ("og:title".to_owned(), article.headline.clone()),
        (
            "article:published_time".to_owned(),
            article.published.to_rfc3339(),
        ),
    ];
    if let Some(standfirst) = &article.standfirst {
        tags.push(("og:description".to_owned(), standfirst.clone()));
    }
    if let Some(image) = article.image.as_ref().filter(|image| absolute(&image.src)) {
        tags.push(("og:image".to_owned(), image.src.clone()));
        if !image.alt.is_empty() {
            tags.push(("og:image:alt".to_owned(), image.alt.clone()));
        }
    }
    let mut out: String = tags
        .iter()
        .map(|(property, content)| {
            format!(
                "<meta property=\"{property}\" content=\"{}\">",
                attribute(content)
            )
        })
        .collect();
    if let Some(url) = article.url.as_deref().filter(|url| absolute(url)) {
        out.push_str(&format!(
            "<meta property=\"og:url\" content=\"{0}\"><link rel=\"canonical\" href=\"{0}\">",
            attribute(url)
        ));
    }
    out
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
