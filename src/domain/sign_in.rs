//! A reader signed in by the publisher (issue 20): the host page hands the widget a JSON Web
//! Token its own server signed; the widget reads from it only the name to show ("Commenting
//! as NAME") and whether it has expired, and sends it whole to the comments service, which
//! alone checks the signature, audience and issuer (`server/src/sso.rs`). Nothing here trusts
//! the token: a token that merely looks valid changes what the form shows, never who posts.

use super::comment_rules::{check_field, Field};

/// A token that looks usable, with the name it gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedIn {
    /// The token as the host page gave it, sent as `Authorization: Bearer …`.
    pub token: String,
    /// The account's name, as the service will show the comment.
    pub name: String,
}

/// The longest token read: a page's mistake (a whole document in the attribute) is not parsed.
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// `token` read at `now_ms`: three base64url parts whose middle one is a JSON object with a
/// usable `name` and an `exp` (seconds) still ahead. `None` for anything else, so the
/// anonymous form stays.
pub fn read_token(token: &str, now_ms: f64) -> Option<SignedIn> {
    let token = token.trim();
    if token.len() > MAX_TOKEN_BYTES {
        return None;
    }
    // Every part base64url, or no token: it goes into a request header as it is, and a
    // header cannot carry a control character or one past U+00FF (the browser would throw
    // and the post would be lost).
    let base64url_only = |part: &str| {
        part.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let mut parts = token.split('.');
    let (header, payload, signature) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some()
        || signature.is_empty()
        || ![header, payload, signature].into_iter().all(base64url_only)
    {
        return None;
    }
    let claims = super::json::parse(std::str::from_utf8(&base64url(payload)?).ok()?).ok()?;
    let exp = claims.get("exp")?.as_f64()?;
    let name = claims.get("name")?.as_str()?.trim();
    if exp * 1000.0 <= now_ms || name.is_empty() || check_field(Field::Author, name).is_err() {
        return None;
    }
    Some(SignedIn {
        token: token.to_owned(),
        name: name.to_owned(),
    })
}

/// Whether the publisher's token may go to the comments API at `comments_url`: only to the
/// page's own origin or to an origin the page names (`token-origin` on the element, origins
/// separated by spaces), compared as origins (scheme, host, port). The article names its
/// comments URL, and an article is not always the publisher's own (a syndicated JSON, a
/// WordPress site, a hostile `src`): without this rule it could name a server that collects
/// live tokens.
pub fn token_may_go_to(comments_url: &str, page_origin: &str, named_origins: &str) -> bool {
    let Some(target) = origin_of(comments_url) else {
        return false;
    };
    std::iter::once(page_origin)
        .chain(named_origins.split_ascii_whitespace())
        .any(|allowed| origin_of(allowed).as_deref() == Some(target.as_str()))
}

/// The origin of an absolute http(s) URL, as a browser writes it (`https://host[:port]`,
/// lower case, without the scheme's default port); `None` for any other URL, and for one
/// with a user name or password (`https://comments.example@elsewhere/`, which reads as one
/// host and goes to another).
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "https" => ":443",
        "http" => ":80",
        _ => return None,
    };
    let authority = rest.split(['/', '?', '#', '\\']).next()?.to_ascii_lowercase();
    if authority.is_empty() || authority.contains('@') || authority.ends_with(':') {
        return None;
    }
    let host = authority.strip_suffix(default_port).unwrap_or(&authority);
    Some(format!("{scheme}://{host}"))
}

/// Unpadded base64url (RFC 4648 §5), as JWTs use it; `None` for any other character.
fn base64url(text: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let value = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push((buffer >> bits) as u8);
        }
    }
    Some(bytes)
}

#[cfg(test)]
mod tests {

    /// A part with anything but base64url's letters (a newline, a space, a character past
    /// U+00FF) is no token: it would make the request header throw.
    #[test]
    fn only_base64url_parts_are_a_token() {
        let payload = "eyJuYW1lIjoiQW5uIiwiZXhwIjo0MTAyNDQ0ODAwfQ"; // {"name":"Ann","exp":4102444800}
        assert!(read_token(&format!("eyJ0.{payload}.c2ln"), 0.0).is_some());
        for bad in ["eyJ\n0", "ey J0", "eyJ0\u{e9}", "eyJ0\u{100}"] {
            assert!(
                read_token(&format!("{bad}.{payload}.c2ln"), 0.0).is_none(),
                "{bad:?}"
            );
            assert!(
                read_token(&format!("eyJ0.{payload}.{bad}"), 0.0).is_none(),
                "{bad:?}"
            );
        }
    }
    use super::*;

    /// The token goes to the page's own origin, or to one the page names, and nowhere else.
    #[test]
    fn a_token_goes_only_to_the_page_or_an_origin_it_names() {
        let page = "https://news.example";
        let named = " https://comments.example  http://localhost:8080 ";
        for allowed in [
            "https://news.example/api/articles/a/comments",
            "HTTPS://News.Example:443/api/articles/a/comments",
            "https://comments.example/api/articles/a/comments?order=newest",
            "http://localhost:8080/api/articles/a/comments",
        ] {
            assert!(token_may_go_to(allowed, page, named), "{allowed}");
        }
        for refused in [
            "https://collector.example/api/articles/a/comments",
            "http://news.example/api/articles/a/comments",
            "https://news.example:8443/api/articles/a/comments",
            "https://news.example.collector.example/api",
            "https://comments.example@collector.example/api",
            "https://collector.example\\@comments.example/api",
            "http://localhost:8081/api",
            "//news.example/api",
            "/api/articles/a/comments",
            "javascript:alert(1)",
            "",
        ] {
            assert!(!token_may_go_to(refused, page, named), "{refused}");
        }
        // Without a name the page's own origin is the only one.
        assert!(!token_may_go_to("https://comments.example/api", page, ""));
        // A page whose origin is opaque (`null`) names none by itself.
        assert!(!token_may_go_to("https://comments.example/api", "null", ""));
    }

    /// A token as a publisher's server makes it (the signature is not checked here).
    fn token(claims: &str) -> String {
        fn encode(bytes: &[u8]) -> String {
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk.iter().fold(0u32, |n, b| (n << 8) | u32::from(*b))
                    << (8 * (3 - chunk.len()));
                for i in 0..=chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        }
        format!(
            "{}.{}.c2lnbmF0dXJl",
            encode(br#"{"alg":"HS256","typ":"JWT"}"#),
            encode(claims.as_bytes())
        )
    }

    const NOW_MS: f64 = 1_800_000_000_000.0;

    #[test]
    fn a_live_token_gives_its_name() {
        let text = token(r#"{"sub":"42","name":" Ann Réader ","exp":1800000600}"#);
        assert_eq!(
            read_token(&text, NOW_MS),
            Some(SignedIn {
                token: text.clone(),
                name: "Ann Réader".into()
            })
        );
        // Every length of the last group of base64 decodes (names of 1 to 3 more bytes).
        for name in ["A", "An", "Ann", "Anna"] {
            let text = token(&format!(r#"{{"name":"{name}","exp":1800000600}}"#));
            assert_eq!(read_token(&text, NOW_MS).unwrap().name, name);
        }
    }

    #[test]
    fn an_expired_nameless_or_malformed_token_leaves_the_form_anonymous() {
        for text in [
            token(r#"{"name":"Ann","exp":1800000000}"#),
            token(r#"{"name":"Ann"}"#),
            token(r#"{"name":"","exp":1800000600}"#),
            token(r#"{"name":"Ann\u0007","exp":1800000600}"#),
            token(r#"{"exp":1800000600}"#),
            token("not json"),
            "a.b".into(),
            "a.b.c.d".into(),
            "a.b!.c".into(),
            String::new(),
        ] {
            assert_eq!(read_token(&text, NOW_MS), None, "{text}");
        }
        let unsigned = token(r#"{"name":"Ann","exp":1800000600}"#);
        let unsigned = unsigned.rsplit_once('.').unwrap().0.to_owned() + ".";
        assert_eq!(
            read_token(&unsigned, NOW_MS),
            None,
            "alg none has no signature"
        );
        let huge = token(&format!(
            r#"{{"name":"Ann","exp":1800000600,"x":"{}"}}"#,
            "x".repeat(9000)
        ));
        assert_eq!(read_token(&huge, NOW_MS), None);
    }
}
