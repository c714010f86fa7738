//! The WebAssembly module Trunk builds. It starts nothing by itself: `article-widget.js`
//! (in `embed/`) initialises it once per page and mounts a `Widget` (see `embed.rs`) on each
//! `<article-widget>` element or `div[data-article-widget]`.

// Keeps the library's exports (`Widget`) in the binary.
#[cfg(target_arch = "wasm32")]
pub use article_widget::embed::Widget;

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!(
        "article-widget is a WebAssembly program: run scripts/serve.sh (trunk serve) to try it."
    );
}
