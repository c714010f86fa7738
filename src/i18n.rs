//! Interface strings in English, Persian, Arabic, Russian, French and German. The article's
//! own text is never translated; these are the widget's words around it, including every
//! message it shows. Messages that come from a server are shown as they came.
//!
//! Templates hold `{name}` placeholders filled by [`Texts`]' methods; numbers are written in
//! the script's own digits (Persian, Arabic-Indic).

use crate::domain::article::ArticleError;
use crate::domain::comment::{Field, Problem};
use crate::domain::load_error::LoadError;
use crate::domain::posting::PostError;
use crate::shell::http::{ListError, NoAnswer};
use crate::shell::storage::StorageError;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    English,
    Persian,
    Arabic,
    Russian,
    French,
    German,
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
}

/// The strings of one language. Plain fields are shown as they are; `*_t` fields are templates.
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
    pub leave_reply: &'static str,
    pub cancel_reply: &'static str,
    pub email_note: &'static str,
    pub required_note: &'static str,
    pub label_comment: &'static str,
    pub label_name: &'static str,
    pub label_email: &'static str,
    pub label_website: &'static str,
    pub consent: &'static str,
    pub post: &'static str,
    pub posting: &'static str,
    pub reply: &'static str,
    pub awaiting_moderation: &'static str,
    pub posted: &'static str,
    pub summary_title: &'static str,
    pub error_prefix: &'static str,
    pub honeypot_label: &'static str,
    pub anonymous: &'static str,
    // Templates.
    pub leave_reply_to_t: &'static str,
    pub reply_to_t: &'static str,
    pub in_reply_to_t: &'static str,
    pub characters_left_t: &'static str,
    pub characters_too_many_t: &'static str,
    /// Field subjects for messages: comment, name, email, website.
    pub fields: [&'static str; 4],
    pub missing_t: [&'static str; 4],
    pub too_short_t: &'static str,
    pub too_long_t: &'static str,
    pub control_t: &'static str,
    pub not_email: &'static str,
    pub not_website: &'static str,
    /// Load error titles: no source, network, timeout, not found, forbidden, refused, server, article.
    pub load_titles: [&'static str; 8],
    pub no_source: &'static str,
    pub network: &'static str,
    pub timeout_t: &'static str,
    pub not_found: &'static str,
    pub forbidden_t: &'static str,
    pub refused_t: &'static str,
    pub server_t: &'static str,
    pub syntax_t: &'static str,
    pub not_object: &'static str,
    pub missing_field_t: &'static str,
    pub invalid_field_t: &'static str,
    /// Article fields named in errors: id, headline, published.
    pub article_fields: [&'static str; 3],
    pub post_invalid: &'static str,
    pub post_too_soon_t: &'static str,
    pub post_too_soon: &'static str,
    pub post_network: &'static str,
    pub post_timeout_t: &'static str,
    pub post_server_t: &'static str,
    pub post_refused_t: &'static str,
    pub post_malformed: &'static str,
    pub list_network: &'static str,
    pub list_timeout_t: &'static str,
    pub list_status_t: &'static str,
    pub list_malformed: &'static str,
    pub storage_unavailable: &'static str,
    pub storage_full: &'static str,
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

fn field_index(field: Field) -> usize {
    match field {
        Field::Content => 0,
        Field::Author => 1,
        Field::Email => 2,
        Field::Website => 3,
    }
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

    /// "N Responses", with the language's plural forms.
    pub fn responses(&self, count: usize) -> String {
        let n = self.number(count);
        match self.language {
            Language::English if count == 1 => "1 Response".to_owned(),
            Language::English => format!("{n} Responses"),
            Language::Persian => format!("{n} پاسخ"),
            Language::Arabic => match count {
                1 => "ردّ واحد".to_owned(),
                2 => "ردّان".to_owned(),
                3..=10 => format!("{n} ردود"),
                _ => format!("{n} ردًّا"),
            },
            Language::Russian => format!(
                "{n} {}",
                russian_plural(count, "ответ", "ответа", "ответов")
            ),
            Language::French if count == 1 => "1 réponse".to_owned(),
            Language::French => format!("{n} réponses"),
            Language::German if count == 1 => "1 Antwort".to_owned(),
            Language::German => format!("{n} Antworten"),
        }
    }

    /// "N min read".
    pub fn minutes_read(&self, minutes: usize) -> String {
        let n = self.number(minutes);
        match self.language {
            Language::English => format!("{n} min read"),
            Language::Persian => format!("{n} دقیقه مطالعه"),
            Language::Arabic => match minutes {
                1 => "قراءة في دقيقة واحدة".to_owned(),
                2 => "قراءة في دقيقتين".to_owned(),
                3..=10 => format!("قراءة في {n} دقائق"),
                _ => format!("قراءة في {n} دقيقة"),
            },
            Language::Russian => format!("{n} мин чтения"),
            Language::French => format!("{n} min de lecture"),
            Language::German => format!("{n} Min. Lesezeit"),
        }
    }

    pub fn leave_reply_to(&self, name: &str) -> String {
        fill(self.leave_reply_to_t, &[("name", name.to_owned())])
    }

    pub fn reply_to(&self, name: &str) -> String {
        fill(self.reply_to_t, &[("name", name.to_owned())])
    }

    pub fn in_reply_to(&self, name: &str) -> String {
        fill(self.in_reply_to_t, &[("name", name.to_owned())])
    }

    pub fn characters_left(&self, n: usize) -> String {
        fill(self.characters_left_t, &[("n", self.number(n))])
    }

    pub fn characters_too_many(&self, n: usize) -> String {
        fill(self.characters_too_many_t, &[("n", self.number(n))])
    }

    /// What to do about a field's problem.
    pub fn problem(&self, problem: &Problem, field: Field) -> String {
        let subject = self.fields[field_index(field)].to_owned();
        match problem {
            Problem::Missing => self.missing_t[field_index(field)].to_owned(),
            Problem::TooShort { min } => fill(
                self.too_short_t,
                &[("field", subject), ("min", self.number(min))],
            ),
            Problem::TooLong { max, actual } => fill(
                self.too_long_t,
                &[
                    ("field", subject),
                    ("max", self.number(max)),
                    ("actual", self.number(actual)),
                ],
            ),
            Problem::ControlCharacters => fill(self.control_t, &[("field", subject)]),
            Problem::NotAnEmail => self.not_email.to_owned(),
            Problem::NotAWebsite => self.not_website.to_owned(),
            Problem::Server(message) => message.clone(),
        }
    }

    pub fn load_error_title(&self, error: &LoadError) -> &'static str {
        self.load_titles[match error {
            LoadError::NoSource => 0,
            LoadError::Network => 1,
            LoadError::Timeout(_) => 2,
            LoadError::NotFound => 3,
            LoadError::Forbidden(_) => 4,
            LoadError::Refused(_) => 5,
            LoadError::Server(_) => 6,
            LoadError::Article(_) => 7,
        }]
    }

    pub fn load_error(&self, error: &LoadError) -> String {
        let status = |s: &u16| vec![("status", s.to_string())];
        match error {
            LoadError::NoSource => self.no_source.to_owned(),
            LoadError::Network => self.network.to_owned(),
            LoadError::Timeout(seconds) => fill(self.timeout_t, &[("n", self.number(seconds))]),
            LoadError::NotFound => self.not_found.to_owned(),
            LoadError::Forbidden(s) => fill(self.forbidden_t, &status(s)),
            LoadError::Refused(s) => fill(self.refused_t, &status(s)),
            LoadError::Server(s) => fill(self.server_t, &status(s)),
            LoadError::Article(article) => self.article_error(article),
        }
    }

    fn article_field(&self, field: &str) -> String {
        match field {
            "id" => format!("{} (id)", self.article_fields[0]),
            "headline" => self.article_fields[1].to_owned(),
            "published" => format!("{} (published)", self.article_fields[2]),
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
                self.syntax_t,
                &[
                    ("detail", detail.clone()),
                    ("line", self.number(line)),
                    ("column", self.number(column)),
                ],
            ),
            ArticleError::NotAnObject => self.not_object.to_owned(),
            ArticleError::Missing(field) => fill(
                self.missing_field_t,
                &[("field", self.article_field(field))],
            ),
            ArticleError::Invalid { field, reason } => fill(
                self.invalid_field_t,
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
                fill(self.post_too_soon_t, &[("n", self.number(seconds))])
            }
            PostError::TooSoon(None) => self.post_too_soon.to_owned(),
            PostError::Network => self.post_network.to_owned(),
            PostError::Timeout(seconds) => {
                let text = fill(self.post_timeout_t, &[("n", self.number(seconds))]);
                // English alone needs the singular here ("1 second").
                if self.language == Language::English {
                    text.replace(" 1 seconds", " 1 second")
                } else {
                    text
                }
            }
            PostError::Server(status) => {
                fill(self.post_server_t, &[("status", status.to_string())])
            }
            PostError::Refused(status) => {
                fill(self.post_refused_t, &[("status", status.to_string())])
            }
            PostError::Malformed => self.post_malformed.to_owned(),
        }
    }
}

impl Texts {
    pub fn list_error(&self, error: &ListError) -> String {
        match error {
            ListError::NoAnswer(NoAnswer::Network) => self.list_network.to_owned(),
            ListError::NoAnswer(NoAnswer::Timeout(seconds)) => {
                fill(self.list_timeout_t, &[("n", self.number(seconds))])
            }
            ListError::Status(status) => {
                fill(self.list_status_t, &[("status", status.to_string())])
            }
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

fn russian_plural(
    n: usize,
    one: &'static str,
    few: &'static str,
    many: &'static str,
) -> &'static str {
    match (n % 10, n % 100) {
        (1, m) if m != 11 => one,
        (2..=4, m) if !(12..=14).contains(&m) => few,
        _ => many,
    }
}

pub static ENGLISH: Texts = Texts {
    language: Language::English,
    loading: "Loading article…",
    retry: "Retry",
    related: "Related Articles",
    back_to_top: "Back to top",
    by: "By",
    and: "and",
    updated: "Updated",
    photo_credit: "Credit:",
    comments: "Comments",
    comments_closed: "Comments are closed.",
    loading_comments: "Loading comments…",
    no_comments: "No comments yet",
    leave_reply: "Leave a Reply",
    cancel_reply: "Cancel reply",
    email_note: "Your email address will not be published.",
    required_note: "Required fields are marked",
    label_comment: "Comment",
    label_name: "Name",
    label_email: "Email",
    label_website: "Website",
    consent: "Save my name, email, and website in this browser for the next time I comment.",
    post: "Post Comment",
    posting: "Posting…",
    reply: "Reply",
    awaiting_moderation: "Your comment is awaiting moderation.",
    posted: "Your comment has been posted.",
    summary_title: "There is a problem",
    error_prefix: "Error:",
    honeypot_label: "Leave this field empty",
    anonymous: "Anonymous",
    leave_reply_to_t: "Leave a Reply to {name}",
    reply_to_t: "Reply to {name}",
    in_reply_to_t: "In reply to {name}",
    characters_left_t: "{n} characters left",
    characters_too_many_t: "{n} characters too many",
    fields: ["Your comment", "Your name", "Your email address", "Your website address"],
    missing_t: ["Enter your comment", "Enter your name", "Enter your email address", "Enter your website address"],
    too_short_t: "{field} must be at least {min} characters",
    too_long_t: "{field} must be {max} characters or fewer (it is {actual})",
    control_t: "{field} contains characters that cannot be used",
    not_email: "Enter an email address in the correct format, like name@example.com",
    not_website: "Enter a website address in the correct format, like https://www.example.com",
    load_titles: [
        "No article to show",
        "Cannot reach the news server",
        "The news server is not answering",
        "Article not found",
        "This article is not available",
        "The article could not be loaded",
        "The news server had a problem",
        "This article cannot be displayed",
    ],
    no_source: "The widget was not told which article to load (its src is empty).",
    network: "The article could not be loaded. Check your connection, then try again.",
    timeout_t: "No answer came within {n} seconds. Try again in a moment.",
    not_found: "There is no article at this address (HTTP 404). It may have been moved or removed.",
    forbidden_t: "The server does not allow this article to be shown here (HTTP {status}).",
    refused_t: "The server refused the request (HTTP {status}).",
    server_t: "The server answered with an error (HTTP {status}). Try again in a moment.",
    syntax_t: "The article is not valid JSON: {detail} at line {line}, column {column}.",
    not_object: "The article is not a JSON object.",
    missing_field_t: "The article has no {field}.",
    invalid_field_t: "The article's {field} is not valid: {reason}.",
    article_fields: ["identifier", "headline", "publication date"],
    post_invalid: "The server could not accept your comment. Check the fields marked below.",
    post_too_soon_t: "You are posting comments too quickly. Please wait {n} seconds before trying again.",
    post_too_soon: "You are posting comments too quickly. Please wait a moment before trying again.",
    post_network: "Your comment was not sent: the server could not be reached. It is kept here; check your connection and retry.",
    post_timeout_t: "The server did not answer within {n} seconds. Your comment is kept here; retry, and it will not be posted twice.",
    post_server_t: "The server had a problem (HTTP {status}). Your comment is kept here; please retry.",
    post_refused_t: "The server refused the comment (HTTP {status}).",
    post_malformed: "The server's answer could not be read. Your comment is kept here; retry, and it will not be posted twice.",
    list_network: "The comments could not be loaded. Check your connection, then retry.",
    list_timeout_t: "The comments did not arrive within {n} seconds.",
    list_status_t: "The comments could not be loaded (HTTP {status}).",
    list_malformed: "The comments could not be read: the server's answer is not in the expected format.",
    storage_unavailable: "This browser does not let the page keep your draft, so it will be lost if you leave. The form still works.",
    storage_full: "This browser's storage for the site is full, so your draft cannot be kept. The form still works.",
};

pub static PERSIAN: Texts = Texts {
    language: Language::Persian,
    loading: "در حال بارگذاری مطلب…",
    retry: "تلاش دوباره",
    related: "مطالب مرتبط",
    back_to_top: "بازگشت به بالا",
    by: "نوشته‌ی",
    and: "و",
    updated: "به‌روزرسانی",
    photo_credit: "عکس:",
    comments: "دیدگاه‌ها",
    comments_closed: "امکان ارسال دیدگاه بسته شده است.",
    loading_comments: "در حال بارگذاری دیدگاه‌ها…",
    no_comments: "هنوز دیدگاهی ثبت نشده است",
    leave_reply: "دیدگاهتان را بنویسید",
    cancel_reply: "لغو پاسخ",
    email_note: "نشانی ایمیل شما منتشر نخواهد شد.",
    required_note: "بخش‌های موردنیاز علامت‌گذاری شده‌اند",
    label_comment: "دیدگاه",
    label_name: "نام",
    label_email: "ایمیل",
    label_website: "وب‌سایت",
    consent: "ذخیره نام، ایمیل و وب‌سایت من در این مرورگر برای زمانی که دوباره دیدگاهی می‌نویسم.",
    post: "فرستادن دیدگاه",
    posting: "در حال فرستادن…",
    reply: "پاسخ",
    awaiting_moderation: "دیدگاه شما در انتظار بررسی است.",
    posted: "دیدگاه شما منتشر شد.",
    summary_title: "مشکلی وجود دارد",
    error_prefix: "خطا:",
    honeypot_label: "این بخش را خالی بگذارید",
    anonymous: "ناشناس",
    leave_reply_to_t: "پاسخ به {name}",
    reply_to_t: "پاسخ به {name}",
    in_reply_to_t: "در پاسخ به {name}",
    characters_left_t: "{n} نویسه باقی مانده",
    characters_too_many_t: "{n} نویسه بیش از حد مجاز",
    fields: ["دیدگاه", "نام", "نشانی ایمیل", "نشانی وب‌سایت"],
    missing_t: ["دیدگاه خود را بنویسید", "نام خود را وارد کنید", "نشانی ایمیل خود را وارد کنید", "نشانی وب‌سایت خود را وارد کنید"],
    too_short_t: "{field} باید دست‌کم {min} نویسه باشد",
    too_long_t: "{field} باید حداکثر {max} نویسه باشد (اکنون {actual} است)",
    control_t: "{field} نویسه‌هایی دارد که قابل استفاده نیستند",
    not_email: "نشانی ایمیل را به شکل درست وارد کنید، مانند name@example.com",
    not_website: "نشانی وب‌سایت را به شکل درست وارد کنید، مانند https://www.example.com",
    load_titles: [
        "مطلبی برای نمایش نیست",
        "دسترسی به سرور خبر ممکن نیست",
        "سرور خبر پاسخ نمی‌دهد",
        "مطلب پیدا نشد",
        "این مطلب در دسترس نیست",
        "مطلب بارگذاری نشد",
        "سرور خبر دچار مشکل شد",
        "این مطلب قابل نمایش نیست",
    ],
    no_source: "به ابزارک گفته نشده کدام مطلب را بارگذاری کند (src خالی است).",
    network: "مطلب بارگذاری نشد. اتصال خود را بررسی کنید و دوباره تلاش کنید.",
    timeout_t: "در {n} ثانیه پاسخی نرسید. کمی بعد دوباره تلاش کنید.",
    not_found: "در این نشانی مطلبی نیست (HTTP 404). شاید جابه‌جا یا حذف شده باشد.",
    forbidden_t: "سرور اجازه‌ی نمایش این مطلب را در اینجا نمی‌دهد (HTTP {status}).",
    refused_t: "سرور درخواست را نپذیرفت (HTTP {status}).",
    server_t: "سرور با خطا پاسخ داد (HTTP {status}). کمی بعد دوباره تلاش کنید.",
    syntax_t: "مطلب JSON معتبری نیست: {detail} در سطر {line}، ستون {column}.",
    not_object: "مطلب یک شیء JSON نیست.",
    missing_field_t: "مطلب {field} ندارد.",
    invalid_field_t: "{field} مطلب معتبر نیست: {reason}.",
    article_fields: ["شناسه", "تیتر", "تاریخ انتشار"],
    post_invalid: "سرور نتوانست دیدگاه شما را بپذیرد. بخش‌های مشخص‌شده را بررسی کنید.",
    post_too_soon_t: "دیدگاه‌ها را خیلی پشت سر هم می‌فرستید. لطفاً {n} ثانیه صبر کنید و دوباره تلاش کنید.",
    post_too_soon: "دیدگاه‌ها را خیلی پشت سر هم می‌فرستید. لطفاً کمی صبر کنید و دوباره تلاش کنید.",
    post_network: "دیدگاه شما فرستاده نشد: دسترسی به سرور ممکن نبود. دیدگاه اینجا نگه داشته شده است؛ اتصال را بررسی کنید و دوباره تلاش کنید.",
    post_timeout_t: "سرور در {n} ثانیه پاسخ نداد. دیدگاه شما اینجا نگه داشته شده است؛ دوباره تلاش کنید، دو بار فرستاده نخواهد شد.",
    post_server_t: "سرور دچار مشکل شد (HTTP {status}). دیدگاه شما اینجا نگه داشته شده است؛ لطفاً دوباره تلاش کنید.",
    post_refused_t: "سرور دیدگاه را نپذیرفت (HTTP {status}).",
    post_malformed: "پاسخ سرور خوانا نبود. دیدگاه شما اینجا نگه داشته شده است؛ دوباره تلاش کنید، دو بار فرستاده نخواهد شد.",
    list_network: "دیدگاه‌ها بارگذاری نشدند. اتصال خود را بررسی کنید و دوباره تلاش کنید.",
    list_timeout_t: "دیدگاه‌ها در {n} ثانیه نرسیدند.",
    list_status_t: "دیدگاه‌ها بارگذاری نشدند (HTTP {status}).",
    list_malformed: "دیدگاه‌ها خوانده نشدند: پاسخ سرور در قالب مورد انتظار نیست.",
    storage_unavailable: "این مرورگر اجازه‌ی نگه‌داشتن پیش‌نویس را نمی‌دهد و اگر صفحه را ترک کنید از دست می‌رود. فرم همچنان کار می‌کند.",
    storage_full: "فضای ذخیره‌سازی این مرورگر برای این سایت پر است و پیش‌نویس نگه داشته نمی‌شود. فرم همچنان کار می‌کند.",
};

pub static ARABIC: Texts = Texts {
    language: Language::Arabic,
    loading: "جارٍ تحميل المقال…",
    retry: "إعادة المحاولة",
    related: "مقالات ذات صلة",
    back_to_top: "العودة إلى الأعلى",
    by: "بقلم",
    and: "و",
    updated: "تحديث",
    photo_credit: "الصورة:",
    comments: "التعليقات",
    comments_closed: "التعليقات مغلقة.",
    loading_comments: "جارٍ تحميل التعليقات…",
    no_comments: "لا توجد تعليقات بعد",
    leave_reply: "اترك تعليقاً",
    cancel_reply: "إلغاء الرد",
    email_note: "لن يتم نشر عنوان بريدك الإلكتروني.",
    required_note: "الحقول الإلزامية مشار إليها بـ",
    label_comment: "التعليق",
    label_name: "الاسم",
    label_email: "البريد الإلكتروني",
    label_website: "الموقع الإلكتروني",
    consent: "احفظ اسمي وبريدي الإلكتروني والموقع الإلكتروني في هذا المتصفح لاستخدامها المرة المقبلة في تعليقي.",
    post: "إرسال التعليق",
    posting: "جارٍ الإرسال…",
    reply: "رد",
    awaiting_moderation: "تعليقك بانتظار المراجعة.",
    posted: "تم نشر تعليقك.",
    summary_title: "توجد مشكلة",
    error_prefix: "خطأ:",
    honeypot_label: "اترك هذا الحقل فارغاً",
    anonymous: "مجهول",
    leave_reply_to_t: "اترك رداً على {name}",
    reply_to_t: "الرد على {name}",
    in_reply_to_t: "رداً على {name}",
    characters_left_t: "الأحرف المتبقية: {n}",
    characters_too_many_t: "أحرف زائدة: {n}",
    fields: ["التعليق", "الاسم", "البريد الإلكتروني", "عنوان الموقع"],
    missing_t: ["اكتب تعليقك", "أدخل اسمك", "أدخل بريدك الإلكتروني", "أدخل عنوان موقعك"],
    too_short_t: "{field}: يجب ألا يقل عن {min} أحرف",
    too_long_t: "{field}: يجب ألا يزيد على {max} حرفاً (الحالي {actual})",
    control_t: "{field}: يحتوي على أحرف لا يمكن استخدامها",
    not_email: "أدخل بريداً إلكترونياً بالصيغة الصحيحة، مثل name@example.com",
    not_website: "أدخل عنوان موقع بالصيغة الصحيحة، مثل https://www.example.com",
    load_titles: [
        "لا يوجد مقال لعرضه",
        "تعذّر الوصول إلى خادم الأخبار",
        "خادم الأخبار لا يستجيب",
        "المقال غير موجود",
        "هذا المقال غير متاح",
        "تعذّر تحميل المقال",
        "حدثت مشكلة في خادم الأخبار",
        "لا يمكن عرض هذا المقال",
    ],
    no_source: "لم يُحدَّد للأداة أي مقال تحمّله (السمة src فارغة).",
    network: "تعذّر تحميل المقال. تحقّق من اتصالك ثم أعد المحاولة.",
    timeout_t: "لم يصل أي رد خلال {n} ثانية. أعد المحاولة بعد قليل.",
    not_found: "لا يوجد مقال على هذا العنوان (HTTP 404). ربما نُقل أو حُذف.",
    forbidden_t: "لا يسمح الخادم بعرض هذا المقال هنا (HTTP {status}).",
    refused_t: "رفض الخادم الطلب (HTTP {status}).",
    server_t: "ردّ الخادم بخطأ (HTTP {status}). أعد المحاولة بعد قليل.",
    syntax_t: "المقال ليس JSON صالحاً: {detail} في السطر {line}، العمود {column}.",
    not_object: "المقال ليس كائن JSON.",
    missing_field_t: "ينقص المقال: {field}.",
    invalid_field_t: "{field} في المقال غير صالح: {reason}.",
    article_fields: ["المعرّف", "العنوان", "تاريخ النشر"],
    post_invalid: "لم يتمكن الخادم من قبول تعليقك. راجع الحقول المشار إليها أدناه.",
    post_too_soon_t: "أنت ترسل التعليقات بسرعة كبيرة. يُرجى الانتظار {n} ثانية قبل المحاولة مجدداً.",
    post_too_soon: "أنت ترسل التعليقات بسرعة كبيرة. يُرجى الانتظار قليلاً قبل المحاولة مجدداً.",
    post_network: "لم يُرسَل تعليقك: تعذّر الوصول إلى الخادم. التعليق محفوظ هنا؛ تحقّق من اتصالك وأعد المحاولة.",
    post_timeout_t: "لم يردّ الخادم خلال {n} ثانية. تعليقك محفوظ هنا؛ أعد المحاولة، ولن يُنشر مرتين.",
    post_server_t: "حدثت مشكلة في الخادم (HTTP {status}). تعليقك محفوظ هنا؛ يُرجى إعادة المحاولة.",
    post_refused_t: "رفض الخادم التعليق (HTTP {status}).",
    post_malformed: "تعذّرت قراءة ردّ الخادم. تعليقك محفوظ هنا؛ أعد المحاولة، ولن يُنشر مرتين.",
    list_network: "تعذّر تحميل التعليقات. تحقّق من اتصالك ثم أعد المحاولة.",
    list_timeout_t: "لم تصل التعليقات خلال {n} ثانية.",
    list_status_t: "تعذّر تحميل التعليقات (HTTP {status}).",
    list_malformed: "تعذّرت قراءة التعليقات: ردّ الخادم ليس بالصيغة المتوقعة.",
    storage_unavailable: "لا يسمح هذا المتصفح بحفظ مسودتك، لذا ستضيع إذا غادرت الصفحة. النموذج لا يزال يعمل.",
    storage_full: "مساحة التخزين في هذا المتصفح ممتلئة لهذا الموقع، لذا لا يمكن حفظ مسودتك. النموذج لا يزال يعمل.",
};

pub static RUSSIAN: Texts = Texts {
    language: Language::Russian,
    loading: "Загрузка статьи…",
    retry: "Повторить",
    related: "Похожие статьи",
    back_to_top: "Наверх",
    by: "Автор:",
    and: "и",
    updated: "Обновлено",
    photo_credit: "Фото:",
    comments: "Комментарии",
    comments_closed: "Комментарии закрыты.",
    loading_comments: "Загрузка комментариев…",
    no_comments: "Комментариев пока нет",
    leave_reply: "Добавить комментарий",
    cancel_reply: "Отменить ответ",
    email_note: "Ваш адрес email не будет опубликован.",
    required_note: "Обязательные поля помечены",
    label_comment: "Комментарий",
    label_name: "Имя",
    label_email: "Email",
    label_website: "Сайт",
    consent: "Сохранить моё имя, email и адрес сайта в этом браузере для последующих моих комментариев.",
    post: "Отправить комментарий",
    posting: "Отправка…",
    reply: "Ответить",
    awaiting_moderation: "Ваш комментарий ожидает проверки.",
    posted: "Ваш комментарий опубликован.",
    summary_title: "Есть ошибки",
    error_prefix: "Ошибка:",
    honeypot_label: "Оставьте это поле пустым",
    anonymous: "Аноним",
    leave_reply_to_t: "Ответить пользователю {name}",
    reply_to_t: "Ответить пользователю {name}",
    in_reply_to_t: "В ответ пользователю {name}",
    characters_left_t: "Осталось символов: {n}",
    characters_too_many_t: "Лишних символов: {n}",
    fields: ["Поле «Комментарий»", "Поле «Имя»", "Поле «Email»", "Поле «Сайт»"],
    missing_t: ["Введите комментарий", "Введите имя", "Введите адрес email", "Введите адрес сайта"],
    too_short_t: "{field}: не менее {min} символов",
    too_long_t: "{field}: не более {max} символов (сейчас {actual})",
    control_t: "{field}: содержит недопустимые символы",
    not_email: "Введите адрес email в правильном формате, например name@example.com",
    not_website: "Введите адрес сайта в правильном формате, например https://www.example.com",
    load_titles: [
        "Нет статьи для показа",
        "Не удаётся связаться с сервером новостей",
        "Сервер новостей не отвечает",
        "Статья не найдена",
        "Статья недоступна",
        "Не удалось загрузить статью",
        "Ошибка на сервере новостей",
        "Статью невозможно показать",
    ],
    no_source: "Виджету не указано, какую статью загрузить (атрибут src пуст).",
    network: "Не удалось загрузить статью. Проверьте подключение и попробуйте ещё раз.",
    timeout_t: "Ответ не пришёл за {n} с. Попробуйте ещё раз чуть позже.",
    not_found: "По этому адресу статьи нет (HTTP 404). Возможно, она перемещена или удалена.",
    forbidden_t: "Сервер не разрешает показывать эту статью здесь (HTTP {status}).",
    refused_t: "Сервер отклонил запрос (HTTP {status}).",
    server_t: "Сервер ответил ошибкой (HTTP {status}). Попробуйте ещё раз чуть позже.",
    syntax_t: "Статья не является корректным JSON: {detail}, строка {line}, столбец {column}.",
    not_object: "Статья не является объектом JSON.",
    missing_field_t: "В статье нет поля: {field}.",
    invalid_field_t: "Некорректное поле статьи ({field}): {reason}.",
    article_fields: ["идентификатор", "заголовок", "дата публикации"],
    post_invalid: "Сервер не смог принять комментарий. Проверьте отмеченные поля.",
    post_too_soon_t: "Вы отправляете комментарии слишком часто. Подождите {n} с и попробуйте снова.",
    post_too_soon: "Вы отправляете комментарии слишком часто. Подождите немного и попробуйте снова.",
    post_network: "Комментарий не отправлен: сервер недоступен. Текст сохранён здесь; проверьте подключение и повторите.",
    post_timeout_t: "Сервер не ответил за {n} с. Комментарий сохранён здесь; повторите отправку — дважды он не опубликуется.",
    post_server_t: "Ошибка на сервере (HTTP {status}). Комментарий сохранён здесь; пожалуйста, повторите.",
    post_refused_t: "Сервер отклонил комментарий (HTTP {status}).",
    post_malformed: "Не удалось прочитать ответ сервера. Комментарий сохранён здесь; повторите отправку — дважды он не опубликуется.",
    list_network: "Не удалось загрузить комментарии. Проверьте подключение и повторите.",
    list_timeout_t: "Комментарии не загрузились за {n} с.",
    list_status_t: "Не удалось загрузить комментарии (HTTP {status}).",
    list_malformed: "Не удалось прочитать комментарии: ответ сервера в неожиданном формате.",
    storage_unavailable: "Этот браузер не позволяет сохранить черновик, и он пропадёт, если вы уйдёте со страницы. Форма при этом работает.",
    storage_full: "Хранилище браузера для этого сайта заполнено, черновик сохранить нельзя. Форма при этом работает.",
};

pub static FRENCH: Texts = Texts {
    language: Language::French,
    loading: "Chargement de l’article…",
    retry: "Réessayer",
    related: "Articles liés",
    back_to_top: "Retour en haut",
    by: "Par",
    and: "et",
    updated: "Mis à jour le",
    photo_credit: "Crédit :",
    comments: "Commentaires",
    comments_closed: "Les commentaires sont fermés.",
    loading_comments: "Chargement des commentaires…",
    no_comments: "Aucun commentaire pour l’instant",
    leave_reply: "Laisser un commentaire",
    cancel_reply: "Annuler la réponse",
    email_note: "Votre adresse e-mail ne sera pas publiée.",
    required_note: "Les champs obligatoires sont indiqués avec",
    label_comment: "Commentaire",
    label_name: "Nom",
    label_email: "E-mail",
    label_website: "Site web",
    consent: "Enregistrer mon nom, mon e-mail et mon site dans le navigateur pour mon prochain commentaire.",
    post: "Laisser un commentaire",
    posting: "Envoi en cours…",
    reply: "Répondre",
    awaiting_moderation: "Votre commentaire est en attente de modération.",
    posted: "Votre commentaire a été publié.",
    summary_title: "Il y a un problème",
    error_prefix: "Erreur :",
    honeypot_label: "Laissez ce champ vide",
    anonymous: "Anonyme",
    leave_reply_to_t: "Répondre à {name}",
    reply_to_t: "Répondre à {name}",
    in_reply_to_t: "En réponse à {name}",
    characters_left_t: "Caractères restants : {n}",
    characters_too_many_t: "Caractères en trop : {n}",
    fields: ["Votre commentaire", "Votre nom", "Votre adresse e-mail", "L’adresse de votre site"],
    missing_t: ["Saisissez votre commentaire", "Saisissez votre nom", "Saisissez votre adresse e-mail", "Saisissez l’adresse de votre site"],
    too_short_t: "{field} doit comporter au moins {min} caractères",
    too_long_t: "{field} doit comporter au plus {max} caractères (actuellement {actual})",
    control_t: "{field} contient des caractères non autorisés",
    not_email: "Saisissez une adresse e-mail au bon format, par exemple nom@example.com",
    not_website: "Saisissez une adresse de site au bon format, par exemple https://www.example.com",
    load_titles: [
        "Aucun article à afficher",
        "Impossible de joindre le serveur",
        "Le serveur ne répond pas",
        "Article introuvable",
        "Cet article n’est pas disponible",
        "L’article n’a pas pu être chargé",
        "Le serveur a rencontré un problème",
        "Cet article ne peut pas être affiché",
    ],
    no_source: "Le widget ne sait pas quel article charger (son attribut src est vide).",
    network: "L’article n’a pas pu être chargé. Vérifiez votre connexion, puis réessayez.",
    timeout_t: "Aucune réponse en {n} secondes. Réessayez dans un instant.",
    not_found: "Il n’y a pas d’article à cette adresse (HTTP 404). Il a peut-être été déplacé ou supprimé.",
    forbidden_t: "Le serveur n’autorise pas l’affichage de cet article ici (HTTP {status}).",
    refused_t: "Le serveur a refusé la demande (HTTP {status}).",
    server_t: "Le serveur a répondu par une erreur (HTTP {status}). Réessayez dans un instant.",
    syntax_t: "L’article n’est pas un JSON valide : {detail} à la ligne {line}, colonne {column}.",
    not_object: "L’article n’est pas un objet JSON.",
    missing_field_t: "Il manque à l’article : {field}.",
    invalid_field_t: "Champ de l’article non valide ({field}) : {reason}.",
    article_fields: ["identifiant", "titre", "date de publication"],
    post_invalid: "Le serveur n’a pas pu accepter votre commentaire. Vérifiez les champs signalés.",
    post_too_soon_t: "Vous publiez trop vite. Attendez {n} secondes avant de réessayer.",
    post_too_soon: "Vous publiez trop vite. Attendez un instant avant de réessayer.",
    post_network: "Votre commentaire n’a pas été envoyé : le serveur est injoignable. Il est conservé ici ; vérifiez votre connexion et réessayez.",
    post_timeout_t: "Le serveur n’a pas répondu en {n} secondes. Votre commentaire est conservé ici ; réessayez, il ne sera pas publié deux fois.",
    post_server_t: "Le serveur a rencontré un problème (HTTP {status}). Votre commentaire est conservé ici ; réessayez.",
    post_refused_t: "Le serveur a refusé le commentaire (HTTP {status}).",
    post_malformed: "La réponse du serveur est illisible. Votre commentaire est conservé ici ; réessayez, il ne sera pas publié deux fois.",
    list_network: "Les commentaires n’ont pas pu être chargés. Vérifiez votre connexion, puis réessayez.",
    list_timeout_t: "Les commentaires ne sont pas arrivés en {n} secondes.",
    list_status_t: "Les commentaires n’ont pas pu être chargés (HTTP {status}).",
    list_malformed: "Les commentaires sont illisibles : la réponse du serveur n’a pas le format attendu.",
    storage_unavailable: "Ce navigateur ne permet pas de conserver votre brouillon ; il sera perdu si vous quittez la page. Le formulaire fonctionne quand même.",
    storage_full: "Le stockage de ce navigateur pour le site est plein ; votre brouillon ne peut pas être conservé. Le formulaire fonctionne quand même.",
};

pub static GERMAN: Texts = Texts {
    language: Language::German,
    loading: "Artikel wird geladen …",
    retry: "Erneut versuchen",
    related: "Ähnliche Artikel",
    back_to_top: "Nach oben",
    by: "Von",
    and: "und",
    updated: "Aktualisiert",
    photo_credit: "Foto:",
    comments: "Kommentare",
    comments_closed: "Die Kommentare sind geschlossen.",
    loading_comments: "Kommentare werden geladen …",
    no_comments: "Noch keine Kommentare",
    leave_reply: "Schreibe einen Kommentar",
    cancel_reply: "Antworten abbrechen",
    email_note: "Deine E-Mail-Adresse wird nicht veröffentlicht.",
    required_note: "Erforderliche Felder sind gekennzeichnet mit",
    label_comment: "Kommentar",
    label_name: "Name",
    label_email: "E-Mail",
    label_website: "Website",
    consent: "Meinen Namen, meine E-Mail-Adresse und meine Website in diesem Browser für die nächste Kommentierung speichern.",
    post: "Kommentar abschicken",
    posting: "Wird gesendet …",
    reply: "Antworten",
    awaiting_moderation: "Dein Kommentar wartet auf Freischaltung.",
    posted: "Dein Kommentar wurde veröffentlicht.",
    summary_title: "Es gibt ein Problem",
    error_prefix: "Fehler:",
    honeypot_label: "Dieses Feld leer lassen",
    anonymous: "Anonym",
    leave_reply_to_t: "Antworte auf {name}",
    reply_to_t: "Auf {name} antworten",
    in_reply_to_t: "Antwort auf {name}",
    characters_left_t: "Noch {n} Zeichen",
    characters_too_many_t: "{n} Zeichen zu viel",
    fields: ["Dein Kommentar", "Dein Name", "Deine E-Mail-Adresse", "Deine Website-Adresse"],
    missing_t: ["Gib deinen Kommentar ein", "Gib deinen Namen ein", "Gib deine E-Mail-Adresse ein", "Gib deine Website-Adresse ein"],
    too_short_t: "{field} muss mindestens {min} Zeichen lang sein",
    too_long_t: "{field} darf höchstens {max} Zeichen lang sein (jetzt {actual})",
    control_t: "{field} enthält Zeichen, die nicht verwendet werden können",
    not_email: "Gib eine E-Mail-Adresse im richtigen Format ein, etwa name@example.com",
    not_website: "Gib eine Website-Adresse im richtigen Format ein, etwa https://www.example.com",
    load_titles: [
        "Kein Artikel zum Anzeigen",
        "Der Nachrichtenserver ist nicht erreichbar",
        "Der Nachrichtenserver antwortet nicht",
        "Artikel nicht gefunden",
        "Dieser Artikel ist nicht verfügbar",
        "Der Artikel konnte nicht geladen werden",
        "Der Nachrichtenserver hat ein Problem",
        "Dieser Artikel kann nicht angezeigt werden",
    ],
    no_source: "Dem Widget wurde kein Artikel genannt (src ist leer).",
    network: "Der Artikel konnte nicht geladen werden. Prüfe deine Verbindung und versuche es erneut.",
    timeout_t: "Innerhalb von {n} Sekunden kam keine Antwort. Versuche es gleich noch einmal.",
    not_found: "Unter dieser Adresse gibt es keinen Artikel (HTTP 404). Vielleicht wurde er verschoben oder entfernt.",
    forbidden_t: "Der Server erlaubt nicht, diesen Artikel hier zu zeigen (HTTP {status}).",
    refused_t: "Der Server hat die Anfrage abgelehnt (HTTP {status}).",
    server_t: "Der Server hat mit einem Fehler geantwortet (HTTP {status}). Versuche es gleich noch einmal.",
    syntax_t: "Der Artikel ist kein gültiges JSON: {detail} in Zeile {line}, Spalte {column}.",
    not_object: "Der Artikel ist kein JSON-Objekt.",
    missing_field_t: "Dem Artikel fehlt: {field}.",
    invalid_field_t: "Ungültiges Artikelfeld ({field}): {reason}.",
    article_fields: ["Kennung", "Überschrift", "Veröffentlichungsdatum"],
    post_invalid: "Der Server konnte deinen Kommentar nicht annehmen. Prüfe die markierten Felder.",
    post_too_soon_t: "Du kommentierst zu schnell. Bitte warte {n} Sekunden und versuche es dann erneut.",
    post_too_soon: "Du kommentierst zu schnell. Bitte warte einen Moment und versuche es dann erneut.",
    post_network: "Dein Kommentar wurde nicht gesendet: Der Server war nicht erreichbar. Er bleibt hier erhalten; prüfe deine Verbindung und versuche es erneut.",
    post_timeout_t: "Der Server hat nicht innerhalb von {n} Sekunden geantwortet. Dein Kommentar bleibt hier erhalten; versuche es erneut, er wird nicht doppelt veröffentlicht.",
    post_server_t: "Der Server hat ein Problem (HTTP {status}). Dein Kommentar bleibt hier erhalten; bitte versuche es erneut.",
    post_refused_t: "Der Server hat den Kommentar abgelehnt (HTTP {status}).",
    post_malformed: "Die Antwort des Servers war unlesbar. Dein Kommentar bleibt hier erhalten; versuche es erneut, er wird nicht doppelt veröffentlicht.",
    list_network: "Die Kommentare konnten nicht geladen werden. Prüfe deine Verbindung und versuche es erneut.",
    list_timeout_t: "Die Kommentare kamen nicht innerhalb von {n} Sekunden.",
    list_status_t: "Die Kommentare konnten nicht geladen werden (HTTP {status}).",
    list_malformed: "Die Kommentare sind unlesbar: Die Antwort des Servers hat nicht das erwartete Format.",
    storage_unavailable: "Dieser Browser erlaubt nicht, deinen Entwurf zu speichern; er geht verloren, wenn du die Seite verlässt. Das Formular funktioniert trotzdem.",
    storage_full: "Der Speicher dieses Browsers für die Website ist voll; dein Entwurf kann nicht gespeichert werden. Das Formular funktioniert trotzdem.",
};

#[cfg(test)]
mod tests {
    use super::*;

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
                Problem::TooLong { max: 9, actual: 10 },
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
        assert_eq!(ARABIC.minutes_read(4), "قراءة في ٤ دقائق");
        assert_eq!(GERMAN.minutes_read(4), "4 Min. Lesezeit");
        assert_eq!(FRENCH.characters_left(15), "Caractères restants : 15");
    }
}
