//! The widget's stylesheet: `styles.css`, our own constant, written as one `<style>` element
//! at the top of the widget (inside its shadow root when embedded, where the page's CSS cannot
//! reach in and this cannot leak out, so the sheet needs no generated class names). The
//! theme is CSS custom properties (README, "Theming"). The same element comes out of the
//! server renderer, so a prerendered widget is styled before any script runs.

use yew::prelude::*;

/// The stylesheet's text, minified by `build.rs` from `styles.css`.
pub const WIDGET_CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/styles.min.css"));

/// The widget's `<style>` element. Raw markup from our own constant, never from an article
/// or a server: as a text node Yew's server renderer would escape the `>` of child
/// combinators, and `<style>` content is not unescaped by the HTML parser.
pub fn style_element() -> Html {
    Html::from_html_unchecked(AttrValue::Static(concat!(
        "<style>",
        include_str!(concat!(env!("OUT_DIR"), "/styles.min.css")),
        "</style>"
    )))
}

#[cfg(test)]
mod tests {
    use super::WIDGET_CSS;

    #[test]
    fn the_sheet_cannot_end_its_own_element_and_scopes_every_rule() {
        assert!(!WIDGET_CSS.to_ascii_lowercase().contains("</style"));
        // Outside the :host rules and keyframes, every rule is under the widget's root.
        let mut depth = 0;
        let mut selector = String::new();
        let mut in_keyframes = false;
        // build.rs took the comments out; what is left is rules only.
        assert!(!WIDGET_CSS.contains("/*"), "minified");
        for c in WIDGET_CSS.chars() {
            match c {
                '{' => {
                    let s = selector.trim().to_owned();
                    if depth == 0 && s.starts_with("@keyframes") {
                        in_keyframes = true;
                    }
                    let nested_rule = depth == 1 && !in_keyframes;
                    let top_rule = depth == 0 && !s.starts_with('@');
                    if (top_rule || nested_rule) && !s.starts_with(":host") {
                        for part in s.split(',') {
                            assert!(part.trim().starts_with(".article-widget"), "{part}");
                        }
                    }
                    depth += 1;
                    selector.clear();
                }
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        in_keyframes = false;
                    }
                    selector.clear();
                }
                ';' => selector.clear(),
                _ => selector.push(c),
            }
        }
    }
}
