//! The demo entry point that Trunk builds: mounts one widget on the element
//! `#article-widget`. The article comes from `?src=` in the page address, else from the
//! element's `data-src`.

#[cfg(target_arch = "wasm32")]
fn main() {
    use article_widget::{ArticleWidget, ArticleWidgetProps};

    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let Some(root) = document.get_element_by_id("article-widget") else {
        web_sys::console::error_1(&"article-widget: no element with id=\"article-widget\" to mount on".into());
        return;
    };
    let from_query = document
        .location()
        .and_then(|l| l.search().ok())
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok())
        .and_then(|params| params.get("src"))
        .filter(|src| !src.trim().is_empty());
    let src = from_query.or_else(|| root.get_attribute("data-src")).unwrap_or_default();
    yew::Renderer::<ArticleWidget>::with_root_and_props(root, yew::props!(ArticleWidgetProps { src })).render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("article-widget is a WebAssembly program: run scripts/serve.sh (trunk serve) to try it.");
}
