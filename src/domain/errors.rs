//! Every failure a reader can be shown, as values: the article could not be loaded, the
//! comments could not be listed, the draft cannot be stored. (A post's failure, `PostError`,
//! is the meaning of a server's answer and lives with the wire contract in `wire`.) What the
//! reader reads about each is in `i18n`, in their language; the shell maps browser failures
//! onto these.

use super::article::ArticleError;

/// One error per way loading can fail; the shell maps fetch results onto it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The widget was given no article address.
    NoSource,
    /// The request never got an answer (offline, DNS, refused, blocked by CORS).
    Network,
    /// No answer within the time limit, in seconds.
    Timeout(u32),
    NotFound,
    /// 401 or 403.
    Forbidden(u16),
    /// Another 4xx.
    Refused(u16),
    /// 5xx.
    Server(u16),
    /// The answer came but is not an article.
    Article(ArticleError),
}

impl LoadError {
    /// The error for a non-success HTTP status; `None` for 2xx.
    pub fn from_status(status: u16) -> Option<LoadError> {
        match status {
            200..=299 => None,
            404 | 410 => Some(LoadError::NotFound),
            401 | 403 => Some(LoadError::Forbidden(status)),
            500..=599 => Some(LoadError::Server(status)),
            _ => Some(LoadError::Refused(status)),
        }
    }
}

impl From<NoAnswer> for LoadError {
    fn from(failure: NoAnswer) -> Self {
        match failure {
            NoAnswer::Network => LoadError::Network,
            NoAnswer::Timeout(seconds) => LoadError::Timeout(seconds),
        }
    }
}

/// A request that got no answer at all.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoAnswer {
    /// Offline, refused, DNS, blocked by CORS.
    Network,
    /// Seconds waited.
    Timeout(u32),
}

/// Why the comment list could not be shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListError {
    NoAnswer(NoAnswer),
    /// A status other than 2xx.
    Status(u16),
    /// A 2xx whose body is not a comment list.
    Malformed,
}

/// Why the draft cannot be kept in the browser's storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageError {
    /// Disabled, blocked third-party storage, private modes.
    Unavailable,
    Full,
}

impl From<ArticleError> for LoadError {
    fn from(error: ArticleError) -> Self {
        LoadError::Article(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_map_to_their_causes() {
        assert_eq!(LoadError::from_status(200), None);
        assert_eq!(LoadError::from_status(204), None);
        assert_eq!(LoadError::from_status(404), Some(LoadError::NotFound));
        assert_eq!(LoadError::from_status(410), Some(LoadError::NotFound));
        assert_eq!(LoadError::from_status(403), Some(LoadError::Forbidden(403)));
        assert_eq!(LoadError::from_status(429), Some(LoadError::Refused(429)));
        assert_eq!(LoadError::from_status(500), Some(LoadError::Server(500)));
        assert_eq!(LoadError::from_status(503), Some(LoadError::Server(503)));
    }
}
