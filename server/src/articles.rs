//! Which articles take comments: those whose JSON is in the articles folder and does not close
//! them. Asked on every request, so each file is parsed once and again only when it changes
//! (by modification time and length); a request then costs one `stat`, through `tokio::fs`
//! (the blocking pool), and a changed file is read and parsed there too, never on the
//! service's workers.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use article_widget::domain::article::{valid_article_id, Article};

/// A file as last read: (modified, length).
type Version = (SystemTime, u64);

pub struct ArticleGate {
    folder: Option<PathBuf>,
    /// Per article id: the file's (modified, length) when read, and what it said.
    seen: Mutex<HashMap<String, (Version, Known)>>,
}

/// What the gate keeps of an article file.
#[derive(Clone, Default)]
struct Known {
    open: bool,
    headline: Option<String>,
    /// The publisher's accounts (`iss|sub`, as `sso::Account::id`) its `authors[].account`
    /// name: a comment written under one carries the author badge (issue 20).
    author_accounts: Vec<String>,
}

impl ArticleGate {
    /// Without a folder, every well-formed id is open.
    pub fn new(folder: Option<PathBuf>) -> ArticleGate {
        ArticleGate {
            folder,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The article's headline (the moderation area, the feeds, the messages), from the same
    /// once-per-version reading as `comments_open`.
    pub async fn headline(&self, id: &str) -> Option<String> {
        self.known(id).await?.headline
    }

    /// What to call the article: its headline, or its id when the file gives none.
    pub async fn title(&self, id: &str) -> String {
        self.headline(id).await.unwrap_or_else(|| id.to_owned())
    }

    /// Whether this account (`iss|sub`) is named as one of the article's authors (an
    /// `account` beside an author's `name` in the article file; the widget ignores it).
    pub async fn is_author(&self, id: &str, account: &str) -> bool {
        self.known(id)
            .await
            .is_some_and(|known| known.author_accounts.iter().any(|a| a == account))
    }

    pub async fn comments_open(&self, id: &str) -> bool {
        if !valid_article_id(id) {
            return false;
        }
        if self.folder.is_none() {
            return true;
        }
        self.known(id).await.is_some_and(|known| known.open)
    }

    /// The article file as last read, read again only when it changed; `None` without a
    /// folder or a file.
    async fn known(&self, id: &str) -> Option<Known> {
        if !valid_article_id(id) {
            return None;
        }
        let path = self.folder.as_ref()?.join(format!("{id}.json"));
        let metadata = tokio::fs::metadata(&path).await.ok()?;
        let version: Version = (
            metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            metadata.len(),
        );
        if let Some((seen_version, known)) =
            self.seen.lock().ok().and_then(|seen| seen.get(id).cloned())
        {
            if seen_version == version {
                return Some(known);
            }
        }
        let known = tokio::task::spawn_blocking(move || {
            let text = std::fs::read_to_string(&path).ok();
            let article = text.as_deref().and_then(|text| Article::parse(text).ok());
            Known {
                open: article.as_ref().is_some_and(|a| a.comments_url.is_some()),
                headline: article.map(|a| a.headline),
                author_accounts: text.as_deref().map(author_accounts).unwrap_or_default(),
            }
        })
        .await
        .ok()?;
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(id.to_owned(), (version, known.clone()));
        }
        Some(known)
    }
}

/// The `account` of each of the file's `authors` (objects with one; empty and over-long
/// values skipped), read apart from the model, which the widget shares and never needs them.
fn author_accounts(text: &str) -> Vec<String> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    value
        .get("authors")
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|author| author.get("account")?.as_str())
        .map(str::trim)
        .filter(|account| !account.is_empty() && account.len() <= 512)
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_changed_file_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let open = r#"{"id":"a","headline":"H","published":"2025-01-17","comments":{"url":"/c"}}"#;
        std::fs::write(&path, open).unwrap();
        let gate = ArticleGate::new(Some(dir.path().to_owned()));
        assert!(gate.comments_open("a").await);
        assert!(gate.comments_open("a").await, "from the cache");
        std::fs::write(
            &path,
            r#"{"id":"a","headline":"H","published":"2025-01-17","comments":{"enabled":false}}"#,
        )
        .unwrap();
        assert!(
            !gate.comments_open("a").await,
            "closed once the file says so"
        );
        assert!(!gate.comments_open("missing").await);
        assert!(!gate.comments_open("../etc/passwd").await);
        assert!(ArticleGate::new(None).comments_open("any-id").await);
    }

    #[tokio::test]
    async fn an_author_is_known_by_the_account_the_file_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("a.json"),
            r#"{"id":"a","headline":"H","published":"2025-01-17","comments":{"url":"/c"},
                "authors":[{"name":"Ann","account":"https://news.example|7"},"Bob",{"name":"Cy"}]}"#,
        )
        .unwrap();
        let gate = ArticleGate::new(Some(dir.path().to_owned()));
        assert!(gate.is_author("a", "https://news.example|7").await);
        assert!(!gate.is_author("a", "https://news.example|8").await);
        assert!(!gate.is_author("a", "").await);
        assert!(!ArticleGate::new(None).is_author("a", "x|7").await);
    }
}
