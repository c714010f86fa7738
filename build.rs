//! Minifies the widget's stylesheet (`src/components/styles.css`) into the build: comments
//! and indentation out, nothing else changed (selectors and values are kept as written).
//! `components::styles` includes the result; the readable file stays the source.

use std::path::PathBuf;

fn minify(css: &str) -> String {
    let mut without_comments = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("/*") {
        without_comments.push_str(&rest[..start]);
        rest = rest[start..]
            .split_once("*/")
            .map_or("", |(_, after)| after);
    }
    without_comments.push_str(rest);
    let joined = without_comments
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    // Spaces next to `{`, `}`, `;` and `,` carry no meaning in CSS; every other space (a
    // descendant combinator, a value's separator) is kept.
    let mut out = String::with_capacity(joined.len());
    let chars: Vec<char> = joined.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let before = out.chars().last();
            let after = chars.get(i + 1).copied();
            let tight = |x: Option<char>| matches!(x, Some('{' | '}' | ';' | ','));
            if tight(before) || tight(after) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

fn main() {
    let source = "src/components/styles.css";
    println!("cargo:rerun-if-changed={source}");
    let css = std::fs::read_to_string(source).expect("src/components/styles.css is readable");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out.join("styles.min.css"), minify(&css)).expect("OUT_DIR is writable");
}
