//! Interface strings in English, Persian, Arabic, Russian, French and German: one file per
//! language, each a [`Texts`] table with named fields. The article's own text is never
//! translated; these are the widget's words around it, including every message it shows.
//! Messages that come from a server are shown as they came.
//!
//! Templates hold `{name}` placeholders filled by [`Texts`]' methods. Every text with a count
//! is a [`Plural`] whose form is chosen by the language's own rule ([`Language::plural`],
//! CLDR's cardinal rules for whole numbers), never patched after the fact; numbers are written
//! in the script's own digits (Persian, Arabic-Indic).

use crate::domain::article::ArticleError;
use crate::domain::comment_rules::{Field, Problem};
use crate::domain::errors::{ListError, LoadError, NoAnswer, StorageError};
use crate::domain::wire::PostError;

mod ar;
mod de;
mod en;
mod fa;
mod fr;
mod ru;

pub use ar::ARABIC;
pub use de::GERMAN;
pub use en::ENGLISH;
pub use fa::PERSIAN;
pub use fr::FRENCH;
pub use ru::RUSSIAN;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Language {
    English,
    Persian,
    Arabic,
    Russian,
    French,
    German,
}

/// CLDR's plural categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PluralCategory {
    Zero,
    One,
    Two,
    Few,
    Many,
    Other,
}

impl Language {
    pub const ALL: [Language; 6] = [
        Language::English,
        Language::Persian,
        Language::Arabic,
        Language::Russian,
        Language::French,
        Language::German,
    ];

    /// The language of a BCP 47 tag (by its primary subtag), when the widget speaks it.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag
            .trim()
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        Some(match primary.as_str() {
            "en" => Language::English,
            "fa" | "per" | "fas" => Language::Persian,
            "ar" => Language::Arabic,
            "ru" => Language::Russian,
            "fr" => Language::French,
            "de" => Language::German,
            _ => return None,
        })
    }

    /// The first of the candidates (most wanted first) that the widget speaks, else English.
    pub fn choose<'a>(candidates: impl IntoIterator<Item = Option<&'a str>>) -> Language {
        candidates
            .into_iter()
            .flatten()
            .find_map(Language::from_tag)
            .unwrap_or(Language::English)
    }

    /// The BCP 47 tag dates and numbers are formatted in (with the reader's time zone).
    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::Persian => "fa",
            Language::Arabic => "ar",
            Language::Russian => "ru",
            Language::French => "fr",
            Language::German => "de",
        }
    }

    pub fn texts(self) -> &'static Texts {
        match self {
            Language::English => &ENGLISH,
            Language::Persian => &PERSIAN,
            Language::Arabic => &ARABIC,
            Language::Russian => &RUSSIAN,
            Language::French => &FRENCH,
            Language::German => &GERMAN,
        }
    }

    /// The plural category of a whole number in this language (CLDR cardinal rules).
    pub fn plural(self, n: u64) -> PluralCategory {
        use PluralCategory::*;
        match self {
            Language::English | Language::German => {
                if n == 1 {
                    One
                } else {
                    Other
                }
            }
            // French and Persian use the singular for 0 and 1.
            Language::French | Language::Persian => {
                if n <= 1 {
                    One
                } else {
                    Other
                }
            }
            Language::Russian => match (n % 10, n % 100) {
                (1, m) if m != 11 => One,
                (2..=4, m) if !(12..=14).contains(&m) => Few,
                _ => Many,
            },
            Language::Arabic => match (n, n % 100) {
                (0, _) => Zero,
                (1, _) => One,
                (2, _) => Two,
                (_, 3..=10) => Few,
                (_, 11..=99) => Many,
                _ => Other,
            },
        }
    }
}

/// A text with a count, in each plural form. A language fills the forms its rule uses; the
/// constructors copy a form into the categories a language does not have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plural {
    pub zero: &'static str,
    pub one: &'static str,
    pub two: &'static str,
    pub few: &'static str,
    pub many: &'static str,
    pub other: &'static str,
}

impl Plural {
    /// One text for every count (a language whose nouns do not change after numbers, or a
    /// wording that avoids it, such as "Characters left: {n}").
    pub const fn same(text: &'static str) -> Plural {
        Plural::one_other(text, text)
    }

    /// English, German, French, Persian.
    pub const fn one_other(one: &'static str, other: &'static str) -> Plural {
        Plural {
            zero: other,
            one,
            two: other,
            few: other,
            many: other,
            other,
        }
    }

    /// Russian.
    pub const fn one_few_many(one: &'static str, few: &'static str, many: &'static str) -> Plural {
        Plural {
            zero: many,
            one,
            two: few,
            few,
            many,
            other: many,
        }
    }

    pub fn form(&self, category: PluralCategory) -> &'static str {
        match category {
            PluralCategory::Zero => self.zero,
            PluralCategory::One => self.one,
            PluralCategory::Two => self.two,
            PluralCategory::Few => self.few,
            PluralCategory::Many => self.many,
            PluralCategory::Other => self.other,
        }
    }
}

/// One text per form field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldTexts {
    pub comment: &'static str,
    pub name: &'static str,
    pub email: &'static str,
    pub website: &'static str,
}

impl FieldTexts {
    pub fn get(&self, field: Field) -> &'static str {
        match field {
            Field::Content => self.comment,
            Field::Author => self.name,
            Field::Email => self.email,
            Field::Website => self.website,
        }
    }
}

/// The heading of each way loading an article fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadTitles {
    pub no_source: &'static str,
    pub network: &'static str,
    pub timeout: &'static str,
    pub not_found: &'static str,
    pub forbidden: &'static str,
    pub refused: &'static str,
    pub server: &'static str,
    pub article: &'static str,
}

/// The article fields named in error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArticleFields {
    pub id: &'static str,
    pub headline: &'static str,
    pub published: &'static str,
}

/// The strings of one language. Plain fields are shown as they are; fields with `{…}` are
/// templates, filled by the methods below.
#[derive(Debug)]
pub struct Texts {
    pub language: Language,
    pub loading: &'static str,
    pub retry: &'static str,
    pub related: &'static str,
    pub back_to_top: &'static str,
    pub by: &'static str,
    pub and: &'static str,
    pub updated: &'static str,
    pub photo_credit: &'static str,
    pub comments: &'static str,
    pub comments_closed: &'static str,
    pub loading_comments: &'static str,
    pub no_comments: &'static str,
    /// The thread's order control: its label and its two choices.
    pub order_label: &'static str,
    pub oldest_first: &'static str,
    pub newest_first: &'static str,
    /// The third order: most liked first.
    pub best_first: &'static str,
    /// The button under a long thread that shows its next page.
    pub show_more_comments: &'static str,
    /// The checkbox that asks for replies by email (WordPress's words).
    pub notify_replies: &'static str,
    pub leave_reply: &'static str,
    pub cancel_reply: &'static str,
    pub email_note: &'static str,
    pub required_note: &'static str,
    pub label_comment: &'static str,
    /// One line under the comment field: the tags a comment may use, and that web addresses
    /// become links (`domain::comment_markup`).
    pub formatting_hint: &'static str,
    /// A reader signed in by the publisher (`domain::sign_in`): "Commenting as {name}." in
    /// place of the name and email fields, the button that brings them back, and what the
    /// form says when the service refused the token.
    pub commenting_as: &'static str,
    pub comment_anonymously: &'static str,
    pub sign_in_refused: &'static str,
    pub label_name: &'static str,
    pub label_email: &'static str,
    pub label_website: &'static str,
    pub consent: &'static str,
    pub post: &'static str,
    pub posting: &'static str,
    pub reply: &'static str,
    pub awaiting_moderation: &'static str,
    /// Above a pinned comment (issue 20).
    pub pinned: &'static str,
    /// The badges of comments by the site's moderators and by the article's author (issue
    /// 20); the publisher may give its own words (`badge-moderator`, `badge-author`).
    pub badge_moderator: &'static str,
    pub badge_author: &'static str,
    pub posted: &'static str,
    pub summary_title: &'static str,
    pub error_prefix: &'static str,
    pub honeypot_label: &'static str,
    pub anonymous: &'static str,
    /// `{name}`
    pub leave_reply_to: &'static str,
    /// `{name}`
    pub reply_to: &'static str,
    /// `{name}`
    pub in_reply_to: &'static str,
    /// `{field}`
    pub control: &'static str,
    pub not_email: &'static str,
    pub not_website: &'static str,
    pub no_source: &'static str,
    pub network: &'static str,
    pub not_found: &'static str,
    /// `{status}`
    pub forbidden: &'static str,
    /// `{status}`
    pub refused: &'static str,
    /// `{status}`
    pub server: &'static str,
    /// `{detail}`, `{line}`, `{column}`
    pub syntax: &'static str,
    pub not_object: &'static str,
    pub no_structured_data: &'static str,
    /// `{field}`
    pub missing_field: &'static str,
    /// `{field}`, `{reason}`
    pub invalid_field: &'static str,
    pub post_invalid: &'static str,
    /// When the server did not say how long to wait.
    pub post_too_soon: &'static str,
    pub post_network: &'static str,
    /// `{status}`
    pub post_server: &'static str,
    /// `{status}`
    pub post_refused: &'static str,
    pub post_malformed: &'static str,
    /// WordPress takes comments from signed-in readers only.
    pub login_required: &'static str,
    /// The link to the article's own comment form on the publisher's site.
    pub comment_on_site: &'static str,
    pub list_network: &'static str,
    /// `{status}`
    pub list_status: &'static str,
    pub list_malformed: &'static str,
    pub storage_unavailable: &'static str,
    pub storage_full: &'static str,
    /// Field subjects for messages ("Your name must…").
    pub field_names: FieldTexts,
    /// What to do about an empty field.
    pub missing: FieldTexts,
    pub load_titles: LoadTitles,
    pub article_fields: ArticleFields,
    /// `{n}` comments.
    pub responses: Plural,
    /// `{n}` minutes.
    pub minutes_read: Plural,
    /// `{n}`
    pub characters_left: Plural,
    /// `{n}`
    pub characters_too_many: Plural,
    /// `{field}`, `{min}` (the count)
    pub too_short: Plural,
    /// `{field}`, `{max}` (the count), `{actual}`
    pub too_long: Plural,
    /// `{n}` seconds.
    pub timeout: Plural,
    /// `{n}` seconds to wait.
    pub post_too_soon_wait: Plural,
    /// `{n}` seconds.
    pub post_timeout: Plural,
    /// `{n}` seconds.
    pub list_timeout: Plural,
    /// A like button's accessible name: `{n}` likes (its state is `aria-pressed`).
    pub likes: Plural,
    /// Editing and deleting one's own comment.
    pub edits: EditTexts,
    /// Live updates: `{n}` comments arrived, and the button's word that shows them.
    pub new_comments: Plural,
}

/// Editing and deleting one's own comment (issue 20).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EditTexts {
    /// The buttons on one's own comment.
    pub edit: &'static str,
    /// The edit field's label.
    pub edit_label: &'static str,
    pub save: &'static str,
    /// The save button while the change is on its way.
    pub saving: &'static str,
    pub cancel: &'static str,
    pub delete: &'static str,
    /// Asked before deleting.
    pub confirm_delete: &'static str,
    pub confirm: &'static str,
    /// What stands in a deleted comment's place while it has replies.
    pub deleted: &'static str,
    /// Before the edit's time: "edited 17 Jan 2025, 20:05".
    pub edited: &'static str,
    /// The change was not saved (no answer, or the service failed): the text stays.
    pub failed: &'static str,
    /// The service's window for changes has closed.
    pub window_over: &'static str,
    pub not_yours: &'static str,
    /// Deleted meanwhile (by a moderator, or in another tab).
    pub gone: &'static str,
}

/// Each language's strings are one static table, so identity is equality.
impl PartialEq for Texts {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

/// Replaces `{key}` placeholders.
fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_owned();
    for (key, value) in values {
        out = out.replace(&format!("{{{key}}}"), value);
    }
    out
}

impl Texts {
    /// A number in this language's digits.
    pub fn number(&self, n: impl std::fmt::Display) -> String {
        let text = n.to_string();
        let zero = match self.language {
            Language::Persian => '۰',
            Language::Arabic => '٠',
            _ => return text,
        };
        text.chars()
            .map(|c| {
                c.to_digit(10)
                    .and_then(|d| char::from_u32(zero as u32 + d))
                    .unwrap_or(c)
            })
            .collect()
    }

    /// The form of `plural` for `count`, with `{n}` filled.
    fn counted(&self, plural: &Plural, count: u64) -> String {
        fill(
            plural.form(self.language.plural(count)),
            &[("n", self.number(count))],
        )
    }

    /// "N Responses".
    pub fn responses(&self, count: usize) -> String {
        self.counted(&self.responses, count as u64)
    }

    /// "N new comments. Show" (live updates).
    pub fn new_comments(&self, count: usize) -> String {
        self.counted(&self.new_comments, count as u64)
    }

    /// A like button's name: "Like, N likes" (the count a word of its own, not in brackets, so
    /// that the number the button shows is in its name as a word: WCAG 2.5.3, as axe checks it).
    pub fn likes(&self, count: u32) -> String {
        self.counted(&self.likes, u64::from(count))
    }

    /// "N min read".
    pub fn reading_time(&self, minutes: usize) -> String {
        self.counted(&self.minutes_read, minutes as u64)
    }

    /// "Commenting as {name}." around the name, which the view isolates (`<bdi>`): the words
    /// before it and after it.
    pub fn commenting_as_parts(&self) -> (&'static str, &'static str) {
        self.commenting_as
            .split_once("{name}")
            .unwrap_or((self.commenting_as, ""))
    }

    pub fn leave_reply_to(&self, name: &str) -> String {
        fill(self.leave_reply_to, &[("name", name.to_owned())])
    }

    pub fn reply_to(&self, name: &str) -> String {
        fill(self.reply_to, &[("name", name.to_owned())])
    }

    pub fn in_reply_to(&self, name: &str) -> String {
        fill(self.in_reply_to, &[("name", name.to_owned())])
    }

    pub fn characters_left(&self, n: usize) -> String {
        self.counted(&self.characters_left, n as u64)
    }

    pub fn characters_too_many(&self, n: usize) -> String {
        self.counted(&self.characters_too_many, n as u64)
    }

    /// What to do about a field's problem.
    pub fn problem(&self, problem: &Problem, field: Field) -> String {
        let subject = self.field_names.get(field).to_owned();
        let plural = |count: usize, forms: &Plural| forms.form(self.language.plural(count as u64));
        match problem {
            Problem::Missing => self.missing.get(field).to_owned(),
            Problem::TooShort { min } => fill(
                plural(*min, &self.too_short),
                &[("field", subject), ("min", self.number(min))],
            ),
            Problem::TooLong { max, actual } => fill(
                plural(*max, &self.too_long),
                &[
                    ("field", subject),
                    ("max", self.number(max)),
                    ("actual", self.number(actual)),
                ],
            ),
            Problem::ControlCharacters => fill(self.control, &[("field", subject)]),
            Problem::NotAnEmail => self.not_email.to_owned(),
            Problem::NotAWebsite => self.not_website.to_owned(),
            Problem::Server(message) => message.clone(),
        }
    }

    pub fn load_error_title(&self, error: &LoadError) -> &'static str {
        let titles = &self.load_titles;
        match error {
            LoadError::NoSource => titles.no_source,
            LoadError::Network => titles.network,
            LoadError::Timeout(_) => titles.timeout,
            LoadError::NotFound => titles.not_found,
            LoadError::Forbidden(_) => titles.forbidden,
            LoadError::Refused(_) => titles.refused,
            LoadError::Server(_) => titles.server,
            LoadError::Article(_) => titles.article,
        }
    }

    pub fn load_error(&self, error: &LoadError) -> String {
        let status = |s: &u16| vec![("status", s.to_string())];
        match error {
            LoadError::NoSource => self.no_source.to_owned(),
            LoadError::Network => self.network.to_owned(),
            LoadError::Timeout(seconds) => self.counted(&self.timeout, u64::from(*seconds)),
            LoadError::NotFound => self.not_found.to_owned(),
            LoadError::Forbidden(s) => fill(self.forbidden, &status(s)),
            LoadError::Refused(s) => fill(self.refused, &status(s)),
            LoadError::Server(s) => fill(self.server, &status(s)),
            LoadError::Article(article) => self.article_error(article),
        }
    }

    fn article_field(&self, field: &str) -> String {
        let names = &self.article_fields;
        match field {
            "id" => format!("{} (id)", names.id),
            "headline" => names.headline.to_owned(),
            "published" => format!("{} (published)", names.published),
            other => other.to_owned(),
        }
    }

    pub fn article_error(&self, error: &ArticleError) -> String {
        match error {
            ArticleError::Syntax {
                line,
                column,
                detail,
            } => fill(
                self.syntax,
                &[
                    ("detail", detail.clone()),
                    ("line", self.number(line)),
                    ("column", self.number(column)),
                ],
            ),
            ArticleError::NotAnObject => self.not_object.to_owned(),
            ArticleError::NoStructuredData => self.no_structured_data.to_owned(),
            ArticleError::Missing(field) => {
                fill(self.missing_field, &[("field", self.article_field(field))])
            }
            ArticleError::Invalid { field, reason } => fill(
                self.invalid_field,
                &[
                    ("field", self.article_field(field)),
                    ("reason", reason.clone()),
                ],
            ),
        }
    }

    pub fn post_error(&self, error: &PostError) -> String {
        match error {
            PostError::Invalid { .. } => self.post_invalid.to_owned(),
            PostError::TooSoon(Some(seconds)) => {
                self.counted(&self.post_too_soon_wait, u64::from(*seconds))
            }
            PostError::TooSoon(None) => self.post_too_soon.to_owned(),
            PostError::Network => self.post_network.to_owned(),
            PostError::Timeout(seconds) => self.counted(&self.post_timeout, u64::from(*seconds)),
            PostError::Server(status) => fill(self.post_server, &[("status", status.to_string())]),
            PostError::Refused(status) => {
                fill(self.post_refused, &[("status", status.to_string())])
            }
            PostError::Malformed => self.post_malformed.to_owned(),
            PostError::LoginRequired => self.login_required.to_owned(),
            PostError::Closed => self.comments_closed.to_owned(),
            PostError::SignInRefused => self.sign_in_refused.to_owned(),
        }
    }

    pub fn list_error(&self, error: &ListError) -> String {
        match error {
            ListError::NoAnswer(NoAnswer::Network) => self.list_network.to_owned(),
            ListError::NoAnswer(NoAnswer::Timeout(seconds)) => {
                self.counted(&self.list_timeout, u64::from(*seconds))
            }
            ListError::Status(status) => fill(self.list_status, &[("status", status.to_string())]),
            ListError::Malformed => self.list_malformed.to_owned(),
        }
    }

    pub fn storage_error(&self, error: StorageError) -> &'static str {
        match error {
            StorageError::Unavailable => self.storage_unavailable,
            StorageError::Full => self.storage_full,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A like button shows its count (a heart drawn by the stylesheet, then the number as the
    /// language writes it) and is named in words: the name contains the shown number in every
    /// language and plural form, so that the label is in the name (WCAG 2.5.3).
    #[test]
    fn a_like_buttons_name_contains_the_count_it_shows() {
        for language in Language::ALL {
            let texts = language.texts();
            for count in (0..=30).chain([100, 101, 102, 111, 1_000, 1_000_000]) {
                let name = texts.likes(count);
                assert!(
                    name.contains(&texts.number(count)),
                    "{language:?} {count}: {name}"
                );
            }
        }
    }

    #[test]
    fn languages_are_chosen_by_primary_subtag_in_order() {
        assert_eq!(Language::choose([Some("fa-IR")]), Language::Persian);
        assert_eq!(
            Language::choose([None, Some("de-AT"), Some("fr")]),
            Language::German
        );
        assert_eq!(
            Language::choose([Some("zh"), Some("ru")]),
            Language::Russian,
            "the first one spoken"
        );
        assert_eq!(Language::choose([Some("zh"), None]), Language::English);
        assert_eq!(
            Language::choose(Vec::<Option<&str>>::new()),
            Language::English
        );
    }

    #[test]
    fn every_language_says_everything() {
        for language in Language::ALL {
            let texts = language.texts();
            assert_eq!(texts.language, language);
            assert!(!texts.post.is_empty() && !texts.consent.is_empty());
            for field in Field::ALL {
                assert!(!texts.problem(&Problem::Missing, field).is_empty());
                let long = texts.problem(
                    &Problem::TooLong {
                        max: 245,
                        actual: 250,
                    },
                    field,
                );
                assert!(!long.contains('{'), "{language:?}: {long}");
            }
            for template in [
                texts.leave_reply_to("Ann"),
                texts.in_reply_to("Ann"),
                texts.reply_to("Ann"),
            ] {
                assert!(
                    template.contains("Ann") && !template.contains('{'),
                    "{language:?}: {template}"
                );
            }
            let errors = [
                LoadError::NoSource,
                LoadError::Network,
                LoadError::Timeout(15),
                LoadError::NotFound,
                LoadError::Forbidden(403),
                LoadError::Refused(429),
                LoadError::Server(500),
                LoadError::Article(ArticleError::Syntax {
                    line: 1,
                    column: 2,
                    detail: "x".into(),
                }),
                LoadError::Article(ArticleError::Missing("headline")),
                LoadError::Article(ArticleError::Invalid {
                    field: "published",
                    reason: "r".into(),
                }),
            ];
            for error in &errors {
                let message = texts.load_error(error);
                assert!(
                    !message.contains('{') && !texts.load_error_title(error).is_empty(),
                    "{language:?}: {message}"
                );
            }
            for error in [
                PostError::TooSoon(Some(30)),
                PostError::Timeout(15),
                PostError::Server(502),
                PostError::Refused(403),
            ] {
                assert!(!texts.post_error(&error).contains('{'), "{language:?}");
            }
        }
    }

    #[test]
    fn english_matches_the_core_messages() {
        // The server speaks English; so must the English widget, word for word.
        for field in Field::ALL {
            for problem in [
                Problem::Missing,
                Problem::TooShort { min: 3 },
                Problem::TooShort { min: 1 },
                Problem::TooLong { max: 9, actual: 10 },
                Problem::TooLong { max: 1, actual: 2 },
                Problem::ControlCharacters,
                Problem::NotAnEmail,
                Problem::NotAWebsite,
            ] {
                assert_eq!(ENGLISH.problem(&problem, field), problem.message(field));
            }
        }
        // The article's own diagnostics (also shown to publishers in the console) likewise.
        for error in [
            ArticleError::Missing("headline"),
            ArticleError::Syntax {
                line: 3,
                column: 7,
                detail: "expected value".into(),
            },
            ArticleError::Invalid {
                field: "published",
                reason: "“x”: bad".into(),
            },
        ] {
            assert_eq!(ENGLISH.article_error(&error), error.to_string());
        }
    }

    #[test]
    fn english_messages_name_the_cause_and_keep_the_reader_calm() {
        assert_eq!(
            ENGLISH.load_error_title(&LoadError::NotFound),
            "Article not found"
        );
        assert!(ENGLISH
            .load_error(&LoadError::NotFound)
            .contains("HTTP 404"));
        assert!(ENGLISH
            .load_error(&LoadError::Server(502))
            .contains("HTTP 502"));
        assert!(ENGLISH
            .load_error(&LoadError::Timeout(15))
            .contains("15 seconds"));
        assert!(ENGLISH
            .load_error(&LoadError::Network)
            .contains("connection"));
        assert!(ENGLISH
            .post_error(&PostError::Timeout(15))
            .contains("will not be posted twice"));
        assert!(ENGLISH
            .post_error(&PostError::Timeout(1))
            .contains("within 1 second."));
        assert!(ENGLISH
            .post_error(&PostError::Network)
            .contains("kept here"));
        assert!(ENGLISH
            .post_error(&PostError::Server(502))
            .contains("HTTP 502"));
        assert!(ENGLISH
            .post_error(&PostError::TooSoon(Some(30)))
            .contains("wait 30 seconds"));
    }

    #[test]
    fn plurals_and_digits() {
        assert_eq!(ENGLISH.responses(1), "1 Response");
        assert_eq!(ENGLISH.responses(3), "3 Responses");
        assert_eq!(RUSSIAN.responses(1), "1 ответ");
        assert_eq!(RUSSIAN.responses(3), "3 ответа");
        assert_eq!(RUSSIAN.responses(11), "11 ответов");
        assert_eq!(RUSSIAN.responses(22), "22 ответа");
        assert_eq!(PERSIAN.responses(12), "۱۲ پاسخ");
        assert_eq!(ARABIC.reading_time(4), "قراءة في ٤ دقائق");
        assert_eq!(GERMAN.reading_time(4), "4 Min. Lesezeit");
        assert_eq!(FRENCH.characters_left(15), "Caractères restants : 15");
        assert_eq!(ENGLISH.new_comments(1), "1 new comment. Show");
        assert_eq!(ENGLISH.new_comments(2), "2 new comments. Show");
        assert_eq!(RUSSIAN.new_comments(3), "3 новых комментария. Показать");
        assert_eq!(ARABIC.new_comments(2), "تعليقان جديدان. عرض");
        assert_eq!(ARABIC.new_comments(3), "٣ تعليقات جديدة. عرض");
    }

    #[test]
    fn counts_take_the_languages_own_plural_forms() {
        assert_eq!(ENGLISH.characters_left(1), "1 character left");
        assert_eq!(ENGLISH.characters_left(2), "2 characters left");
        assert_eq!(ENGLISH.characters_too_many(1), "1 character too many");
        assert!(ENGLISH
            .post_error(&PostError::TooSoon(Some(1)))
            .contains("wait 1 second before"));
        assert!(ENGLISH
            .list_error(&ListError::NoAnswer(NoAnswer::Timeout(1)))
            .ends_with("within 1 second."));
        assert!(ENGLISH
            .load_error(&LoadError::Timeout(1))
            .contains("within 1 second."));
        assert_eq!(
            ENGLISH.problem(&Problem::TooShort { min: 1 }, Field::Content),
            "Your comment must be at least 1 character"
        );
        assert_eq!(RUSSIAN.responses(1), "1 ответ");
        assert_eq!(RUSSIAN.responses(4), "4 ответа");
        assert_eq!(RUSSIAN.responses(5), "5 ответов");
        assert_eq!(RUSSIAN.responses(21), "21 ответ");
        assert_eq!(RUSSIAN.responses(111), "111 ответов");
        assert!(FRENCH
            .post_error(&PostError::Timeout(1))
            .contains("en 1 seconde."));
        assert!(GERMAN
            .post_error(&PostError::TooSoon(Some(1)))
            .contains("warte 1 Sekunde und"));
        // Arabic's six categories, each its own form.
        let arabic: Vec<String> = [0, 1, 2, 3, 11, 100]
            .iter()
            .map(|n| ARABIC.responses(*n))
            .collect();
        assert_eq!(
            arabic,
            [
                "لا توجد ردود",
                "ردّ واحد",
                "ردّان",
                "٣ ردود",
                "١١ ردًّا",
                "١٠٠ ردّ"
            ]
        );
        assert!(ARABIC
            .post_error(&PostError::Timeout(2))
            .contains("خلال ثانيتين"));
    }

    #[test]
    fn plural_rules_follow_cldr() {
        use PluralCategory::*;
        let of = |language: Language, ns: &[u64]| -> Vec<PluralCategory> {
            ns.iter().map(|n| language.plural(*n)).collect()
        };
        assert_eq!(of(Language::English, &[0, 1, 2]), [Other, One, Other]);
        assert_eq!(of(Language::French, &[0, 1, 2]), [One, One, Other]);
        assert_eq!(
            of(Language::Russian, &[1, 2, 5, 11, 12, 21, 22, 25]),
            [One, Few, Many, Many, Many, One, Few, Many]
        );
        assert_eq!(
            of(Language::Arabic, &[0, 1, 2, 3, 10, 11, 99, 100, 102, 103]),
            [Zero, One, Two, Few, Few, Many, Many, Other, Other, Few]
        );
    }
}
