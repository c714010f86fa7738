//! The comment form's rules, shared by the widget (validation as the reader types) and the
//! comment service (validation of what arrives), so the two can never disagree.
//!
//! Limits are WordPress's, which readers know: name 245, email 100, website 200, comment
//! 65,525 characters. Lengths count characters (Unicode scalar values), not bytes.

use std::fmt;

/// A field of the form, named as in the comments API.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    Content,
    Author,
    Email,
    Website,
}

impl Field {
    /// In the order the form shows them (and the error summary lists them).
    pub const ALL: [Field; 4] = [Field::Content, Field::Author, Field::Email, Field::Website];

    /// The API name: `content`, `author`, `email`, `website`.
    pub fn key(self) -> &'static str {
        match self {
            Field::Content => "content",
            Field::Author => "author",
            Field::Email => "email",
            Field::Website => "website",
        }
    }

    pub fn from_key(key: &str) -> Option<Field> {
        Field::ALL.into_iter().find(|field| field.key() == key)
    }

    pub fn max_chars(self) -> usize {
        match self {
            Field::Content => 65_525,
            Field::Author => 245,
            Field::Email => 100,
            Field::Website => 200,
        }
    }

    pub fn required(self) -> bool {
        !matches!(self, Field::Website)
    }
}

pub const CONTENT_MIN_CHARS: usize = 3;

/// What is wrong with one field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    Missing,
    TooShort {
        min: usize,
    },
    TooLong {
        max: usize,
        actual: usize,
    },
    ControlCharacters,
    NotAnEmail,
    NotAWebsite,
    /// A message from the server, shown as it came.
    Server(String),
}

impl Problem {
    /// The message for `field`, in the GOV.UK style: says what to do, names the field.
    pub fn message(&self, field: Field) -> String {
        let noun = match field {
            Field::Content => "your comment",
            Field::Author => "your name",
            Field::Email => "your email address",
            Field::Website => "your website address",
        };
        match self {
            Problem::Missing => format!("Enter {noun}"),
            Problem::TooShort { min } => {
                format!(
                    "{} must be at least {min} {}",
                    capitalise(noun),
                    characters(*min)
                )
            }
            Problem::TooLong { max, actual } => format!(
                "{} must be {max} {} or fewer (it is {actual})",
                capitalise(noun),
                characters(*max)
            ),
            Problem::ControlCharacters => format!(
                "{} contains characters that cannot be used",
                capitalise(noun)
            ),
            Problem::NotAnEmail => {
                "Enter an email address in the correct format, like name@example.com".to_owned()
            }
            Problem::NotAWebsite => {
                "Enter a website address in the correct format, like https://www.example.com"
                    .to_owned()
            }
            Problem::Server(message) => message.clone(),
        }
    }
}

/// "character" or "characters", by English's plural rule.
fn characters(count: usize) -> &'static str {
    if count == 1 {
        "character"
    } else {
        "characters"
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A comment as the reader typed it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommentInput {
    pub content: String,
    pub author: String,
    pub email: String,
    pub website: String,
}

impl CommentInput {
    pub fn get(&self, field: Field) -> &str {
        match field {
            Field::Content => &self.content,
            Field::Author => &self.author,
            Field::Email => &self.email,
            Field::Website => &self.website,
        }
    }

    pub fn set(&mut self, field: Field, value: String) {
        match field {
            Field::Content => self.content = value,
            Field::Author => self.author = value,
            Field::Email => self.email = value,
            Field::Website => self.website = value,
        }
    }
}

/// A comment that passed every rule: trimmed, and the website normalised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidComment {
    pub content: String,
    pub author: String,
    pub email: String,
    pub website: Option<String>,
}

/// Checks every field; on failure, every problem, in form order.
pub fn validate(input: &CommentInput) -> Result<ValidComment, Vec<(Field, Problem)>> {
    validate_as(input, false)
}

/// [`validate`], or for a reader `signed_in` with the publisher's account, whose name and
/// email come from the account (the service reads them from the token, never the form):
/// then only the comment and website are checked, and the name and email are left empty.
pub fn validate_as(
    input: &CommentInput,
    signed_in: bool,
) -> Result<ValidComment, Vec<(Field, Problem)>> {
    let own = |field: &Field| !(signed_in && matches!(field, Field::Author | Field::Email));
    let problems: Vec<(Field, Problem)> = Field::ALL
        .into_iter()
        .filter(own)
        .filter_map(|field| {
            check_field(field, input.get(field))
                .err()
                .map(|p| (field, p))
        })
        .collect();
    if !problems.is_empty() {
        return Err(problems);
    }
    let kept = |field: Field| match own(&field) {
        true => input.get(field).trim().to_owned(),
        false => String::new(),
    };
    Ok(ValidComment {
        content: input.content.trim().to_owned(),
        author: kept(Field::Author),
        email: kept(Field::Email),
        website: normalise_website(input.website.trim()),
    })
}

/// Checks one field (trimmed first). `Ok` carries nothing: use [`validate`] for the values.
pub fn check_field(field: Field, raw: &str) -> Result<(), Problem> {
    let value = raw.trim();
    if value.is_empty() {
        return if field.required() {
            Err(Problem::Missing)
        } else {
            Ok(())
        };
    }
    let multiline = field == Field::Content;
    if value.chars().any(|c| is_refused_control(c, multiline)) {
        return Err(Problem::ControlCharacters);
    }
    let length = value.chars().count();
    if length > field.max_chars() {
        return Err(Problem::TooLong {
            max: field.max_chars(),
            actual: length,
        });
    }
    match field {
        Field::Content if length < CONTENT_MIN_CHARS => Err(Problem::TooShort {
            min: CONTENT_MIN_CHARS,
        }),
        Field::Email if !is_valid_email(value) => Err(Problem::NotAnEmail),
        Field::Website if normalise_website(value).is_none() => Err(Problem::NotAWebsite),
        _ => Ok(()),
    }
}

/// Control characters (Unicode category Cc, and the bidirectional overrides that can disguise
/// text); a comment may keep its line breaks and tabs.
fn is_refused_control(c: char, multiline: bool) -> bool {
    if multiline && matches!(c, '\n' | '\r' | '\t') {
        return false;
    }
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Whether a comment is held for a moderator for its links (WordPress's "hold a comment if it
/// contains N or more links", `--hold-links`; `limit` 0 is off). The links are counted as the
/// thread shows them (`comment_markup::count_links`: written `<a href>` with a safe address
/// and bare addresses), so a link the reader would see is never missed and text that shows no
/// link (`<a href="javascript:…">`, an address inside `<code>`) is never counted. The
/// commenter's own website field is not counted, as in WordPress.
pub fn too_many_links(content: &str, limit: usize) -> bool {
    limit != 0 && super::comment_markup::count_links(content) >= limit
}

/// The HTML living standard's "valid email address" (the floor), plus a dot in the domain as
/// WordPress requires: `local@label(.label)+`, labels of letters, digits and inner hyphens,
/// at most 63 characters each.
pub fn is_valid_email(address: &str) -> bool {
    let Some((local, domain)) = address.split_once('@') else {
        return false;
    };
    const LOCAL_SPECIALS: &str = ".!#$%&'*+/=?^_`{|}~-";
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || LOCAL_SPECIALS.contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            (1..=63).contains(&label.len())
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    local_ok && domain_ok
}

/// An http(s) URL with a host, or `None`. A bare host (`example.com/page`) gets `https://`,
/// as readers often leave the scheme out. No spaces, no credentials (`user@`), a host made of
/// letters (any script), digits, hyphens and dots with at least one dot, or an IP address.
pub fn normalise_website(raw: &str) -> Option<String> {
    let value = raw.trim();
    if value.is_empty() || value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    let (url, rest) = if lower.starts_with("https://") {
        (value.to_owned(), &value[8..])
    } else if lower.starts_with("http://") {
        (value.to_owned(), &value[7..])
    } else if lower.contains("://") || value.starts_with("//") {
        return None;
    } else {
        (format!("https://{value}"), value)
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') || authority.is_empty() {
        return None;
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(']') || authority.starts_with('[') => {
            if !port.is_empty() && !port.chars().all(|c| c.is_ascii_digit()) {
                return None;
            }
            host
        }
        _ => authority,
    };
    let bracketed_ipv6 = host.starts_with('[') && host.ends_with(']') && host.len() > 2;
    let named = host.contains('.')
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.chars().all(|c| c.is_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        });
    (bracketed_ipv6 || named).then_some(url)
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(content: &str, author: &str, email: &str, website: &str) -> CommentInput {
        CommentInput {
            content: content.into(),
            author: author.into(),
            email: email.into(),
            website: website.into(),
        }
    }

    #[test]
    fn a_good_comment_is_trimmed_and_normalised() {
        let valid = validate(&input(
            "  Nice article.\n\nThanks!  ",
            " Ann ",
            " ann@example.com ",
            " example.com/me ",
        ))
        .unwrap();
        assert_eq!(valid.content, "Nice article.\n\nThanks!");
        assert_eq!(valid.author, "Ann");
        assert_eq!(valid.email, "ann@example.com");
        assert_eq!(valid.website.as_deref(), Some("https://example.com/me"));
        assert_eq!(
            validate(&input("abc", "A", "a@b.co", "")).unwrap().website,
            None
        );
    }

    #[test]
    fn a_signed_in_reader_gives_no_name_or_email() {
        let valid = validate_as(&input(" Hello ", "", "", ""), true).unwrap();
        assert_eq!(
            (valid.content.as_str(), valid.author.as_str()),
            ("Hello", "")
        );
        assert_eq!(valid.email, "");
        // What the form held is ignored, not stored: the account names the comment.
        let valid = validate_as(&input("Hello", "Someone", "some@example.com", ""), true).unwrap();
        assert_eq!((valid.author.as_str(), valid.email.as_str()), ("", ""));
        let problems = validate_as(&input("", "", "", "javascript:x"), true).unwrap_err();
        let fields: Vec<Field> = problems.iter().map(|(field, _)| *field).collect();
        assert_eq!(fields, [Field::Content, Field::Website]);
        assert!(validate_as(&input("Hello", "", "", ""), false).is_err());
    }

    #[test]
    fn every_problem_is_reported_in_form_order() {
        let problems = validate(&input(" ", "", "nope", "javascript:alert(1)")).unwrap_err();
        assert_eq!(
            problems,
            vec![
                (Field::Content, Problem::Missing),
                (Field::Author, Problem::Missing),
                (Field::Email, Problem::NotAnEmail),
                (Field::Website, Problem::NotAWebsite),
            ]
        );
    }

    #[test]
    fn content_length_at_its_edges_in_characters() {
        assert_eq!(
            check_field(Field::Content, "ab"),
            Err(Problem::TooShort { min: 3 })
        );
        assert_eq!(
            check_field(Field::Content, "  ab  "),
            Err(Problem::TooShort { min: 3 }),
            "trimmed first"
        );
        assert_eq!(check_field(Field::Content, "abc"), Ok(()));
        assert_eq!(
            check_field(Field::Content, "😀😀😀"),
            Ok(()),
            "three characters, twelve bytes"
        );
        assert_eq!(
            check_field(Field::Content, "   "),
            Err(Problem::Missing),
            "spaces only"
        );
        let at_limit = "é".repeat(65_525);
        assert_eq!(
            check_field(Field::Content, &at_limit),
            Ok(()),
            "65,525 characters (131,050 bytes)"
        );
        let past = "é".repeat(65_526);
        assert_eq!(
            check_field(Field::Content, &past),
            Err(Problem::TooLong {
                max: 65_525,
                actual: 65_526
            })
        );
    }

    #[test]
    fn name_email_and_website_lengths_at_their_edges() {
        assert_eq!(check_field(Field::Author, &"ж".repeat(245)), Ok(()));
        assert_eq!(
            check_field(Field::Author, &"ж".repeat(246)),
            Err(Problem::TooLong {
                max: 245,
                actual: 246
            })
        );
        let email_at_limit = format!("{}@example.com", "a".repeat(100 - 12));
        assert_eq!(email_at_limit.len(), 100);
        assert_eq!(check_field(Field::Email, &email_at_limit), Ok(()));
        let email_past = format!("{}@example.com", "a".repeat(101 - 12));
        assert_eq!(
            check_field(Field::Email, &email_past),
            Err(Problem::TooLong {
                max: 100,
                actual: 101
            })
        );
        let site_at_limit = format!("https://example.com/{}", "p".repeat(200 - 20));
        assert_eq!(check_field(Field::Website, &site_at_limit), Ok(()));
        let site_past = format!("https://example.com/{}", "p".repeat(201 - 20));
        assert_eq!(
            check_field(Field::Website, &site_past),
            Err(Problem::TooLong {
                max: 200,
                actual: 201
            })
        );
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_in_a_comment_are_not() {
        assert_eq!(
            check_field(Field::Content, "line one\nline two\r\n\ttabbed"),
            Ok(())
        );
        assert_eq!(
            check_field(Field::Content, "bell\u{7} here"),
            Err(Problem::ControlCharacters)
        );
        assert_eq!(
            check_field(Field::Content, "nul\u{0} here"),
            Err(Problem::ControlCharacters)
        );
        assert_eq!(
            check_field(Field::Content, "evil \u{202E}txt.exe"),
            Err(Problem::ControlCharacters)
        );
        assert_eq!(
            check_field(Field::Author, "Ann\nBob"),
            Err(Problem::ControlCharacters)
        );
        assert_eq!(
            check_field(Field::Author, "An\u{85}n"),
            Err(Problem::ControlCharacters)
        );
        assert_eq!(
            check_field(Field::Author, "Ann\tB"),
            Err(Problem::ControlCharacters)
        );
    }

    #[test]
    fn names_in_any_script() {
        for name in ["Ann", "Мария", "مریم", "李雷", "Zoë O'Brien-Smith", "😀"] {
            assert_eq!(check_field(Field::Author, name), Ok(()), "{name}");
        }
    }

    #[test]
    fn email_addresses_valid_and_not() {
        for good in [
            "a@b.co",
            "first.last@example.com",
            "x+tag@sub.example.org",
            "o'brien@example.ie",
            "UPPER@EXAMPLE.COM",
            "a!#$%&'*+/=?^_`{|}~-@example.com",
            "a@xn--fiqs8s.cn",
            "a@1.2.3.4",
        ] {
            assert!(is_valid_email(good), "{good}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@localhost",
            "a b@example.com",
            "a@exa mple.com",
            "a@@example.com",
            "a@-example.com",
            "a@example-.com",
            "a@example..com",
            "a@.example.com",
            "\"quoted\"@example.com",
            "ü@example.com",
            "a@ex_ample.com",
            "a@example.com.",
            "<a@example.com>",
        ] {
            assert!(!is_valid_email(bad), "{bad}");
        }
        let long_label = format!("a@{}.com", "x".repeat(64));
        assert!(!is_valid_email(&long_label));
    }

    #[test]
    fn websites_valid_and_not() {
        for (typed, stored) in [
            ("https://example.com", "https://example.com"),
            ("http://example.com/a?b=c#d", "http://example.com/a?b=c#d"),
            ("HTTPS://Example.com", "HTTPS://Example.com"),
            ("example.com", "https://example.com"),
            ("www.example.co.uk/blog", "https://www.example.co.uk/blog"),
            ("https://example.com:8443/x", "https://example.com:8443/x"),
            ("https://пример.рф", "https://пример.рф"),
            ("http://[::1]:8080/", "http://[::1]:8080/"),
        ] {
            assert_eq!(normalise_website(typed).as_deref(), Some(stored), "{typed}");
        }
        for bad in [
            "javascript:alert(1)",
            "ftp://example.com",
            "mailto:a@b.co",
            "https://",
            "https:///path",
            "http://user:pass@example.com",
            "https://exa mple.com",
            "localhost",
            "https://localhost",
            "//example.com",
            "data:text/html,x",
            "https://example.com:port",
            "https://-bad-.com",
            "word",
        ] {
            assert_eq!(normalise_website(bad), None, "{bad}");
        }
    }

    #[test]
    fn messages_say_what_to_do() {
        assert_eq!(
            Problem::Missing.message(Field::Content),
            "Enter your comment"
        );
        assert_eq!(
            Problem::Missing.message(Field::Email),
            "Enter your email address"
        );
        assert_eq!(
            Problem::TooLong {
                max: 245,
                actual: 250
            }
            .message(Field::Author),
            "Your name must be 245 characters or fewer (it is 250)"
        );
        assert_eq!(
            Problem::TooShort { min: 3 }.message(Field::Content),
            "Your comment must be at least 3 characters"
        );
        assert_eq!(Field::from_key("email"), Some(Field::Email));
        assert_eq!(Field::from_key("nope"), None);
    }

    #[test]
    fn links_are_counted_as_the_thread_shows_them() {
        assert!(!too_many_links("see https://a.example", 2));
        assert!(too_many_links(
            "see https://a.example and http://b.example",
            2
        ));
        assert!(too_many_links("www.a.example (www.b.example)", 2));
        assert!(too_many_links(
            "<a href=\"https://a.example\">one</a> and <a href='http://b.example'>two</a>",
            2
        ));
        // One link whose words are its address is one link; what shows no link counts none.
        assert!(!too_many_links(
            "<a href=\"https://a.example\">https://a.example</a> <a href=\"javascript:x\">y</a> <code>https://c.example</code>",
            2
        ));
        assert!(!too_many_links("https://a https://b https://c", 0));
    }
}
