//! A spam service that speaks Akismet's protocol (`--akismet-key`): `comment-check` before a
//! comment is stored, `submit-spam` / `submit-ham` when a moderator says otherwise.
//!
//! A shared layer, not an area: the comments area asks it, the moderation area reports to it.
//! The service is advice, never a dependency: an error, an answer that is neither `true` nor
//! `false`, or no answer within [`CHECK_LIMIT`] is [`Verdict::Unknown`], and the caller holds
//! the comment. Reports go out in the background and never fail a moderator's action.

use std::time::Duration;

/// How long a reader's post may wait for the service's verdict.
pub const CHECK_LIMIT: Duration = Duration::from_secs(3);

/// What `comment-check` said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// `false`: not spam.
    Ham,
    /// `true`: spam, kept for a moderator and never shown.
    Spam,
    /// `true` with `X-akismet-pro-tip: discard`: blatant spam, not worth keeping.
    Discard,
    /// No usable answer: our own rules decide, and the comment is held.
    Unknown,
}

/// A moderator's correction, reported to the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Report {
    Spam,
    Ham,
}

/// The comment as the protocol describes it (the same fields for a check and a report).
#[derive(Debug, Clone, Default)]
pub struct SpamCheck {
    pub user_ip: String,
    pub user_agent: String,
    pub referrer: String,
    pub permalink: String,
    /// `comment` or `reply`.
    pub comment_type: &'static str,
    pub comment_author: String,
    pub comment_author_email: String,
    pub comment_author_url: String,
    pub comment_content: String,
    /// ISO 8601 in UTC.
    pub comment_date_gmt: String,
    pub blog_lang: Option<String>,
}

/// The configured service: where it is, its key, and the site the comments belong to.
#[derive(Debug, Clone)]
pub struct SpamService {
    client: reqwest::Client,
    /// The API's base, e.g. `https://rest.akismet.com/1.1`, without a final `/`.
    url: String,
    key: String,
    blog: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SpamServiceError {
    #[error("the spam service's HTTP client could not be made: {0}")]
    Client(#[from] reqwest::Error),
    #[error("--akismet-url must be an http or https URL, not {0:?}")]
    Url(String),
}

impl SpamService {
    pub fn new(url: &str, key: &str, blog: &str) -> Result<SpamService, SpamServiceError> {
        let base = url.trim().trim_end_matches('/');
        match url::Url::parse(base) {
            Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
            _ => return Err(SpamServiceError::Url(url.to_owned())),
        }
        let client = reqwest::Client::builder()
            .timeout(CHECK_LIMIT)
            .connect_timeout(CHECK_LIMIT)
            // The key goes to the configured address only, never where a redirect points.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("comment-service/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(SpamService {
            client,
            url: base.to_owned(),
            key: key.to_owned(),
            blog: blog.trim().to_owned(),
        })
    }

    fn form(&self, comment: &SpamCheck) -> Vec<(&'static str, String)> {
        let mut form = vec![
            ("api_key", self.key.clone()),
            ("blog", self.blog.clone()),
            ("user_ip", comment.user_ip.clone()),
            ("user_agent", comment.user_agent.clone()),
            ("referrer", comment.referrer.clone()),
            ("permalink", comment.permalink.clone()),
            ("comment_type", comment.comment_type.to_owned()),
            ("comment_author", comment.comment_author.clone()),
            ("comment_author_email", comment.comment_author_email.clone()),
            ("comment_author_url", comment.comment_author_url.clone()),
            ("comment_content", comment.comment_content.clone()),
            ("comment_date_gmt", comment.comment_date_gmt.clone()),
        ];
        if let Some(lang) = &comment.blog_lang {
            form.push(("blog_lang", lang.clone()));
        }
        form
    }

    /// `comment-check`, answered within [`CHECK_LIMIT`] whatever the service does.
    pub async fn check(&self, comment: &SpamCheck) -> Verdict {
        let request = self
            .client
            .post(format!("{}/comment-check", self.url))
            .form(&self.form(comment))
            .send();
        let response = match tokio::time::timeout(CHECK_LIMIT, request).await {
            Ok(Ok(response)) => response,
            Ok(Err(error)) => {
                tracing::warn!(%error, "spam service: no verdict; the comment is held");
                return Verdict::Unknown;
            }
            Err(_) => {
                tracing::warn!("spam service: no verdict in time; the comment is held");
                return Verdict::Unknown;
            }
        };
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let discard = header("x-akismet-pro-tip").is_some_and(|tip| tip.trim() == "discard");
        let debug_help = header("x-akismet-debug-help");
        let status = response.status();
        let body = match tokio::time::timeout(CHECK_LIMIT, response.text()).await {
            Ok(Ok(body)) => body,
            _ => String::new(),
        };
        match (status.is_success(), body.trim()) {
            (true, "true") if discard => Verdict::Discard,
            (true, "true") => Verdict::Spam,
            (true, "false") => Verdict::Ham,
            _ => {
                tracing::warn!(
                    %status,
                    debug_help = debug_help.as_deref().unwrap_or(""),
                    answer = %body.chars().take(200).collect::<String>(),
                    "spam service: no verdict; the comment is held"
                );
                Verdict::Unknown
            }
        }
    }

    /// `submit-spam` or `submit-ham`, in the background: the caller goes on at once, and a
    /// failure is only logged.
    pub fn report(&self, report: Report, comment: SpamCheck) {
        let service = self.clone();
        tokio::spawn(async move {
            let path = match report {
                Report::Spam => "submit-spam",
                Report::Ham => "submit-ham",
            };
            let sent = service
                .client
                .post(format!("{}/{path}", service.url))
                .form(&service.form(&comment))
                .send()
                .await;
            match sent {
                Ok(response) if response.status().is_success() => {}
                Ok(response) => {
                    tracing::warn!(status = %response.status(), path, "spam service refused a report")
                }
                Err(error) => tracing::warn!(%error, path, "spam service: report not sent"),
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_addresses_are_accepted() {
        assert!(SpamService::new("ftp://x", "k", "https://b").is_err());
        assert!(SpamService::new("not a url", "k", "https://b").is_err());
        assert!(SpamService::new("https://rest.akismet.com/1.1/", "k", "https://b").is_ok());
    }
}
