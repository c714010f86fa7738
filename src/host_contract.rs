//! The widget's outward contract with the page that embeds it: the options a host sets (as
//! attributes, see `embed/article-widget.js`), and the events it hears back. The components
//! and the embed layer both use these types; neither defines its own.

use crate::domain::comment::CommentStatus;

/// `theme="auto|light|dark"`: auto follows the reader's system setting, live.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Theme {
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn from_attribute(value: Option<&str>) -> Theme {
        match value.map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::Auto,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

/// `comments="on|off"`; anything but an explicit no is on.
pub fn comments_enabled(value: Option<&str>) -> bool {
    !matches!(
        value.map(|v| v.trim().to_ascii_lowercase()).as_deref(),
        Some("off" | "false" | "no")
    )
}

/// What the widget tells its host page; the embed layer dispatches each as a bubbling,
/// composed `CustomEvent` on the host element (names and `detail` in the README).
#[derive(Clone, Debug, PartialEq)]
pub enum WidgetEvent {
    /// `article-loaded`, `{id, headline}`.
    ArticleLoaded { id: String, headline: String },
    /// `article-error`, `{message}` (in the interface language).
    ArticleFailed { message: String },
    /// `comment-posted`, `{id, status}`.
    CommentPosted { id: String, status: CommentStatus },
}

impl WidgetEvent {
    /// The DOM event's name.
    pub fn name(&self) -> &'static str {
        match self {
            WidgetEvent::ArticleLoaded { .. } => "article-loaded",
            WidgetEvent::ArticleFailed { .. } => "article-error",
            WidgetEvent::CommentPosted { .. } => "comment-posted",
        }
    }

    /// The event's `detail`, as (key, value) pairs.
    pub fn detail(&self) -> Vec<(&'static str, String)> {
        match self {
            WidgetEvent::ArticleLoaded { id, headline } => {
                vec![("id", id.clone()), ("headline", headline.clone())]
            }
            WidgetEvent::ArticleFailed { message } => vec![("message", message.clone())],
            WidgetEvent::CommentPosted { id, status } => {
                vec![("id", id.clone()), ("status", status.as_str().to_owned())]
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_read_leniently() {
        assert_eq!(Theme::from_attribute(Some(" Dark ")), Theme::Dark);
        assert_eq!(Theme::from_attribute(Some("sepia")), Theme::Auto);
        assert!(comments_enabled(None) && comments_enabled(Some("on")));
        assert!(!comments_enabled(Some("OFF")) && !comments_enabled(Some("no")));
    }

    #[test]
    fn events_carry_what_the_readme_promises() {
        let posted = WidgetEvent::CommentPosted {
            id: "7".into(),
            status: CommentStatus::Pending,
        };
        assert_eq!(posted.name(), "comment-posted");
        assert_eq!(
            posted.detail(),
            [("id", "7".to_owned()), ("status", "pending".to_owned())]
        );
    }
}
