//! Reading an article from what a publisher has: our own JSON, a WordPress post or page (its
//! REST answer), schema.org JSON-LD, or an HTML page carrying JSON-LD. This module tells the
//! inputs apart and hands each to its reader (`article.rs` for ours, `wordpress.rs`,
//! `schema_org.rs`); the readers build the model of `article.rs`, which imports none of them,
//! so the dependencies point one way: `reading` → readers → `article`.
//!
//! The entry points are `Article`'s own associated functions, declared here (an inherent
//! `impl` may live in any module of the crate), so callers keep writing `Article::parse`.

use serde_json::Value;

use super::article::{Article, ArticleError};
use super::{json, schema_org, wordpress};

impl Article {
    /// Parses the article JSON text (ours, a WordPress post or schema.org JSON-LD), or an HTML
    /// page's schema.org JSON-LD.
    pub fn parse(text: &str) -> Result<Article, ArticleError> {
        if text.trim_start().starts_with('<') {
            return from_html_page(text);
        }
        let value: Value = json::parse(text).map_err(|error| ArticleError::Syntax {
            line: error.line,
            column: error.column,
            detail: error.detail,
        })?;
        Article::from_value(&value)
    }

    /// An article from JSON: recognised by its shape as a WordPress post or page, schema.org
    /// JSON-LD, or ours.
    pub fn from_value(value: &Value) -> Result<Article, ArticleError> {
        if wordpress::is_post(value) {
            return wordpress::article_from_post(value);
        }
        if schema_org::is_json_ld(value) {
            return schema_org::find_article(value)
                .ok_or(ArticleError::NoStructuredData)
                .and_then(schema_org::article_from_json_ld);
        }
        Article::from_own_format(value)
    }
}

/// The first schema.org article among an HTML page's JSON-LD scripts.
fn from_html_page(html: &str) -> Result<Article, ArticleError> {
    schema_org::json_ld_scripts(html)
        .into_iter()
        .filter_map(|script| json::parse(script).ok())
        .find_map(|value| schema_org::find_article(&value).cloned())
        .ok_or(ArticleError::NoStructuredData)
        .and_then(|value| schema_org::article_from_json_ld(&value))
}
