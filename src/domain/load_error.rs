//! Why an article could not be shown, from the reader's side of the screen.

use std::fmt;

use super::article::ArticleError;

/// One error per way loading can fail; the shell maps fetch results onto it and the error
/// view shows [`LoadError::title`] and the `Display` text.
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

    /// A short heading for the error view.
    pub fn title(&self) -> &'static str {
        match self {
            LoadError::NoSource => "No article to show",
            LoadError::Network => "Cannot reach the news server",
            LoadError::Timeout(_) => "The news server is not answering",
            LoadError::NotFound => "Article not found",
            LoadError::Forbidden(_) => "This article is not available",
            LoadError::Refused(_) => "The article could not be loaded",
            LoadError::Server(_) => "The news server had a problem",
            LoadError::Article(_) => "This article cannot be displayed",
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::NoSource => f.write_str("The widget was not told which article to load (its src is empty)."),
            LoadError::Network => f.write_str("The article could not be loaded. Check your connection, then try again."),
            LoadError::Timeout(seconds) => {
                write!(f, "No answer came within {seconds} seconds. Try again in a moment.")
            }
            LoadError::NotFound => f.write_str("There is no article at this address (HTTP 404). It may have been moved or removed."),
            LoadError::Forbidden(status) => write!(f, "The server does not allow this article to be shown here (HTTP {status})."),
            LoadError::Refused(status) => write!(f, "The server refused the request (HTTP {status})."),
            LoadError::Server(status) => write!(f, "The server answered with an error (HTTP {status}). Try again in a moment."),
            LoadError::Article(error) => error.fmt(f),
        }
    }
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

    #[test]
    fn messages_name_the_cause_in_plain_words() {
        assert!(LoadError::NotFound.to_string().contains("404"));
        assert!(LoadError::Server(502).to_string().contains("HTTP 502"));
        assert!(LoadError::Timeout(15).to_string().contains("15 seconds"));
        assert!(LoadError::Network.to_string().contains("connection"));
    }
}
