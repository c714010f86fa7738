//! Which articles take comments: those whose JSON is in the articles folder and does not close
//! them. Asked on every request, so each file is parsed once and again only when it changes
//! (by modification time and length); a request then costs one `stat`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::SystemTime;

use article_widget::domain::article::{valid_article_id, Article};

/// A file as last read: (modified, length).
type Version = (SystemTime, u64);

pub struct ArticleGate {
    folder: Option<PathBuf>,
    /// Per article id: the file's (modified, length) when read, and the verdict.
    seen: Mutex<HashMap<String, (Version, bool)>>,
}

impl ArticleGate {
    /// Without a folder, every well-formed id is open.
    pub fn new(folder: Option<PathBuf>) -> ArticleGate {
        ArticleGate {
            folder,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// The article's headline, for the moderation area (read from its file each time).
    pub fn headline(&self, id: &str) -> Option<String> {
        if !valid_article_id(id) {
            return None;
        }
        let text =
            std::fs::read_to_string(self.folder.as_ref()?.join(format!("{id}.json"))).ok()?;
        Article::parse(&text).ok().map(|article| article.headline)
    }

    pub fn comments_open(&self, id: &str) -> bool {
        if !valid_article_id(id) {
            return false;
        }
        let Some(folder) = &self.folder else {
            return true;
        };
        let path = folder.join(format!("{id}.json"));
        let Ok(metadata) = std::fs::metadata(&path) else {
            return false;
        };
        let version: Version = (
            metadata.modified().unwrap_or(SystemTime::UNIX_EPOCH),
            metadata.len(),
        );
        if let Some((seen_version, open)) =
            self.seen.lock().ok().and_then(|seen| seen.get(id).copied())
        {
            if seen_version == version {
                return open;
            }
        }
        let open = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| Article::parse(&text).ok())
            .is_some_and(|article| article.comments_url.is_some());
        if let Ok(mut seen) = self.seen.lock() {
            seen.insert(id.to_owned(), (version, open));
        }
        open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_file_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        let open = r#"{"id":"a","headline":"H","published":"2025-01-17","comments":{"url":"/c"}}"#;
        std::fs::write(&path, open).unwrap();
        let gate = ArticleGate::new(Some(dir.path().to_owned()));
        assert!(gate.comments_open("a"));
        assert!(gate.comments_open("a"), "from the cache");
        std::fs::write(
            &path,
            r#"{"id":"a","headline":"H","published":"2025-01-17","comments":{"enabled":false}}"#,
        )
        .unwrap();
        assert!(!gate.comments_open("a"), "closed once the file says so");
        assert!(!gate.comments_open("missing"));
        assert!(!gate.comments_open("../etc/passwd"));
        assert!(ArticleGate::new(None).comments_open("any-id"));
    }
}
