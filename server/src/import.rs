//! `comment-service import wordpress FILE.xml` and `import disqus FILE.xml`: years of
//! comments brought along. WordPress's own export (WXR: `wp:comment` with its parent, approval,
//! author, email, URL, address and GMT date) and Disqus's (`post` elements with their
//! `thread` and `parent`). Articles are matched by slug (WordPress's `wp:post_name`, Disqus's
//! thread identifier, else the last segment of the article's URL) or, with `--map FILE`
//! (lines `SLUG-OR-URL ARTICLE-ID`), as the file says. Threads and statuses are kept; each
//! comment's id comes from its source (`wp-POST-COMMENT`, `disqus-POST`), so running the
//! import again adds nothing twice. Pingbacks, trackbacks and deleted posts are not comments.
//! Progress on the terminal (done, rate, time left), then a summary.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::time::Instant;

use article_widget::domain::article::valid_article_id;
use article_widget::domain::comment_rules::{validate, CommentInput};
use article_widget::domain::date::Timestamp;
use article_widget::domain::inline::{parse_inline, plain_text};
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::clock::now_ms;
use crate::store::{ModerationStatus, Store, StoredComment};

/// Which exporter wrote the file (a command-line value, so declared with the flags).
pub use crate::config::ImportSource as Source;

/// A comment read from an export, or why it was not taken.
pub type Read = Result<StoredComment, String>;

/// One element of the file: its name (with its prefix, as written), attributes, text and
/// children.
#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: Vec<(String, String)>,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn text_of(&self, name: &str) -> String {
        self.child(name)
            .map(|c| c.text.trim().to_owned())
            .unwrap_or_default()
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// How deep elements may nest in an export. WXR's deepest is five (`rss`, `channel`, `item`,
/// `wp:comment`, `wp:comment_content`), Disqus's four; the comment text itself is character
/// data, not elements. Past this the file is refused: a tree nested 300,000 deep overflowed
/// the stack (building it and dropping it both recurse) and aborted the import.
pub const MAX_XML_DEPTH: usize = 64;

/// The 1-based line of a byte offset in the file.
fn line_at(xml: &str, offset: usize) -> usize {
    let end = offset.min(xml.len());
    1 + xml.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
}

/// Reads the whole file as a tree, or says why it cannot be read (with the line); nothing
/// is taken from a file that is refused.
fn parse_tree(xml: &str) -> Result<Node, String> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    let element = |e: &quick_xml::events::BytesStart| -> Node {
        Node {
            name: String::from_utf8_lossy(e.name().as_ref()).into_owned(),
            attrs: e
                .attributes()
                .flatten()
                .map(|a| {
                    (
                        String::from_utf8_lossy(a.key.as_ref()).into_owned(),
                        a.unescape_value()
                            .map(|v| v.into_owned())
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            ..Node::default()
        }
    };
    loop {
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            format!("not well-formed XML at line {}: {e}", line_at(xml, at))
        })?;
        match event {
            Event::Start(e) => {
                // `stack` holds the document above the root too.
                if stack.len() > MAX_XML_DEPTH {
                    let at = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
                    return Err(format!(
                        "elements nested more than {MAX_XML_DEPTH} deep at line {}; \
                         no export nests so deep, nothing was imported",
                        line_at(xml, at)
                    ));
                }
                stack.push(element(&e))
            }
            Event::Empty(e) => {
                let node = element(&e);
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                let node = stack.pop().ok_or("an end tag without its start")?;
                stack
                    .last_mut()
                    .ok_or("an end tag without its start")?
                    .children
                    .push(node);
            }
            Event::Text(text) => {
                if let (Some(node), Ok(text)) = (stack.last_mut(), text.unescape()) {
                    node.text.push_str(&text);
                }
            }
            Event::CData(data) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&String::from_utf8_lossy(&data));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err("the file ends inside an element".to_owned());
    }
    Ok(stack.pop().unwrap_or_default())
}

/// A comment's HTML (WordPress keeps a few tags, Disqus writes paragraphs) as plain text with
/// its line breaks, through the widget's own inline allowlist.
fn html_to_text(html: &str) -> String {
    let spaced = html
        .replace("</p>", "\n\n")
        .replace("</P>", "\n\n")
        .replace("<p>", "")
        .replace("<P>", "");
    let text = plain_text(&parse_inline(&spaced));
    let mut out = String::new();
    let mut blank = 0;
    for line in text.trim().lines() {
        if line.trim().is_empty() {
            blank += 1;
            if blank > 1 {
                continue;
            }
        } else {
            blank = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.trim_end().to_owned()
}

/// Where each source article goes: `--map` lines, else its slug.
pub struct Articles {
    map: HashMap<String, String>,
    folder: Option<std::path::PathBuf>,
}

impl Articles {
    pub fn new(map_file: Option<&Path>, folder: Option<&Path>) -> Result<Articles, String> {
        let mut map = HashMap::new();
        if let Some(file) = map_file {
            let text =
                std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
            for (n, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                let (from, to) = line.split_once(char::is_whitespace).ok_or(format!(
                    "{} line {}: expected `SLUG-OR-URL ARTICLE-ID`",
                    file.display(),
                    n + 1
                ))?;
                map.insert(from.trim().to_owned(), to.trim().to_owned());
            }
        }
        Ok(Articles {
            map,
            folder: folder.map(Path::to_path_buf),
        })
    }

    /// The article id for a source article known by these keys (slug, identifier, URL).
    fn resolve(&self, keys: &[&str]) -> Result<String, String> {
        let mapped = keys.iter().find_map(|k| self.map.get(*k).cloned());
        let from_url = keys
            .iter()
            .filter(|k| k.starts_with("http"))
            .filter_map(|url| url.trim_end_matches('/').rsplit('/').next())
            .map(str::to_owned);
        let candidate = mapped
            .or_else(|| {
                keys.iter()
                    .find(|k| valid_article_id(k))
                    .map(|k| (*k).to_owned())
            })
            .or_else(|| from_url.into_iter().find(|k| valid_article_id(k)));
        let Some(id) = candidate.filter(|id| valid_article_id(id)) else {
            return Err(format!(
                "no article for {}",
                keys.iter().find(|k| !k.is_empty()).unwrap_or(&"?")
            ));
        };
        if let Some(folder) = &self.folder {
            if !folder.join(format!("{id}.json")).is_file() {
                return Err(format!("no article {id} in {}", folder.display()));
            }
        }
        Ok(id)
    }
}

/// A comment as an export describes it.
struct Imported {
    id: String,
    article_id: String,
    parent_id: Option<String>,
    author: String,
    email: String,
    website: String,
    content: String,
    status: ModerationStatus,
    created_at: Timestamp,
    address: String,
}

impl Imported {
    /// The comment as stored, after the very rules and normalisation the API applies to a
    /// posted one (`comment_rules::validate`: control characters, lengths, email, website;
    /// trimmed, the email lower-cased); what fails is refused with the rule's words.
    fn checked(self) -> Result<StoredComment, String> {
        let input = CommentInput {
            content: self.content,
            author: self.author,
            email: self.email,
            website: self.website,
        };
        let valid = validate(&input).map_err(|problems| {
            problems
                .iter()
                .map(|(field, problem)| format!("{field}: {}", problem.message(*field)))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        // An address is kept only if it is one (it is never shown; it serves blocking).
        let address = self.address.trim();
        let client_address = if address.parse::<std::net::IpAddr>().is_ok() {
            address.to_owned()
        } else {
            String::new()
        };
        Ok(StoredComment {
            id: self.id,
            article_id: self.article_id,
            parent_id: self.parent_id,
            author: valid.author,
            email: valid.email.to_lowercase(),
            website: valid.website,
            content: valid.content,
            status: self.status,
            created_at: self.created_at.millis(),
            client_address,
            author_token: None,
            account: None,
            badges: None,
            notify: false,
        })
    }
}

/// The comments of a WordPress export, in file order.
pub fn read_wordpress(xml: &str, articles: &Articles) -> Result<Vec<Read>, String> {
    let root = parse_tree(xml)?;
    let channel = root
        .child("rss")
        .and_then(|rss| rss.child("channel"))
        .ok_or("not a WordPress export (no rss/channel)")?;
    let mut out = Vec::new();
    for item in channel.children("item") {
        let post_id = item.text_of("wp:post_id");
        let slug = item.text_of("wp:post_name");
        let link = item.text_of("link");
        let article = articles.resolve(&[&slug, &link]);
        for c in item.children("wp:comment") {
            let comment_id = c.text_of("wp:comment_id");
            let kind = c.text_of("wp:comment_type");
            let read = (|| {
                if !(kind.is_empty() || kind == "comment") {
                    return Err(format!("a {kind}, not a comment"));
                }
                let article_id = article.clone()?;
                let status = match c.text_of("wp:comment_approved").as_str() {
                    "1" => ModerationStatus::Approved,
                    "0" => ModerationStatus::Pending,
                    "spam" => ModerationStatus::Spam,
                    "trash" | "post-trashed" => ModerationStatus::Rejected,
                    other => return Err(format!("an unknown approval state {other:?}")),
                };
                let date = Timestamp::parse(&c.text_of("wp:comment_date_gmt"))
                    .map_err(|e| format!("its date: {e}"))?;
                let parent = c.text_of("wp:comment_parent");
                let content = html_to_text(
                    &c.child("wp:comment_content")
                        .map(|n| n.text.clone())
                        .unwrap_or_default(),
                );
                if content.is_empty() {
                    return Err("no text".to_owned());
                }
                Imported {
                    id: format!("wp-{post_id}-{comment_id}"),
                    article_id,
                    parent_id: (!parent.is_empty() && parent != "0")
                        .then(|| format!("wp-{post_id}-{parent}")),
                    author: c.text_of("wp:comment_author"),
                    email: c.text_of("wp:comment_author_email"),
                    website: c.text_of("wp:comment_author_url"),
                    content,
                    status,
                    created_at: date,
                    address: c.text_of("wp:comment_author_IP"),
                }
                .checked()
            })();
            out.push(read.map_err(|why| format!("comment {comment_id} on post {post_id}: {why}")));
        }
    }
    Ok(out)
}

/// The comments of a Disqus export, in file order.
pub fn read_disqus(xml: &str, articles: &Articles) -> Result<Vec<Read>, String> {
    let root = parse_tree(xml)?;
    let disqus = root
        .child("disqus")
        .ok_or("not a Disqus export (no disqus element)")?;
    let mut threads: HashMap<String, Result<String, String>> = HashMap::new();
    for thread in disqus.children("thread") {
        let Some(id) = thread.attr("dsq:id") else {
            continue;
        };
        let identifier = thread.text_of("id");
        let link = thread.text_of("link");
        threads.insert(id.to_owned(), articles.resolve(&[&identifier, &link]));
    }
    let mut out = Vec::new();
    for post in disqus.children("post") {
        let post_id = post.attr("dsq:id").unwrap_or_default().to_owned();
        let read = (|| {
            if post.text_of("isDeleted") == "true" {
                return Err("deleted".to_owned());
            }
            let thread = post
                .child("thread")
                .and_then(|t| t.attr("dsq:id"))
                .ok_or("no thread")?;
            let article_id = threads
                .get(thread)
                .cloned()
                .unwrap_or_else(|| Err(format!("an unknown thread {thread}")))?;
            let status = if post.text_of("isSpam") == "true" {
                ModerationStatus::Spam
            } else {
                ModerationStatus::Approved
            };
            let date = Timestamp::parse(&post.text_of("createdAt"))
                .map_err(|e| format!("its date: {e}"))?;
            let author = post.child("author");
            let field = |name: &str| author.map(|a| a.text_of(name)).unwrap_or_default();
            let content = html_to_text(
                &post
                    .child("message")
                    .map(|m| m.text.clone())
                    .unwrap_or_default(),
            );
            if content.is_empty() {
                return Err("no text".to_owned());
            }
            Imported {
                id: format!("disqus-{post_id}"),
                article_id,
                parent_id: post
                    .child("parent")
                    .and_then(|p| p.attr("dsq:id"))
                    .map(|p| format!("disqus-{p}")),
                author: field("name"),
                email: field("email"),
                website: String::new(),
                content,
                status,
                created_at: date,
                address: post.text_of("ipAddress"),
            }
            .checked()
        })();
        out.push(read.map_err(|why| format!("post {post_id}: {why}")));
    }
    Ok(out)
}

/// What an import did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub imported: u64,
    pub already_there: u64,
    pub refused: Vec<String>,
}

/// Stores what was read, oldest first (so a reply follows its parent), in batches, printing
/// progress to `progress` (items done, rate, time left).
pub async fn store(
    store: &Store,
    read: Vec<Read>,
    progress: &mut dyn Write,
) -> Result<Summary, sqlx::Error> {
    let mut summary = Summary::default();
    let mut comments = Vec::new();
    for item in read {
        match item {
            Ok(comment) => comments.push(comment),
            Err(why) => summary.refused.push(why),
        }
    }
    comments.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then_with(|| a.id.cmp(&b.id))
    });
    let total = comments.len();
    let started = Instant::now();
    let mut done = 0usize;
    for batch in comments.chunks(500) {
        let added = store.insert_many(batch, now_ms()).await?;
        summary.imported += added;
        summary.already_there += batch.len() as u64 - added;
        done += batch.len();
        let seconds = started.elapsed().as_secs_f64().max(0.001);
        let rate = done as f64 / seconds;
        let left = (total - done) as f64 / rate.max(1.0);
        let _ = write!(
            progress,
            "\r{done} of {total} comments, {rate:.0} a second, {left:.0} s left   "
        );
        let _ = progress.flush();
    }
    let _ = writeln!(progress);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_html_becomes_text_with_its_paragraphs() {
        assert_eq!(
            html_to_text(
                "<p>First &amp; <b>bold</b>.</p><p>Second<br>line <script>x()</script></p>"
            ),
            "First & bold.\n\nSecond\nline"
        );
    }

    #[test]
    fn articles_are_found_by_map_slug_or_url() {
        let dir = tempfile::tempdir().unwrap();
        let map = dir.path().join("map.txt");
        std::fs::write(&map, "# old slug, new id\nold-slug russia-iran-treaty\n").unwrap();
        let articles = Articles::new(Some(&map), None).unwrap();
        assert_eq!(
            articles.resolve(&["old-slug", ""]).unwrap(),
            "russia-iran-treaty"
        );
        assert_eq!(articles.resolve(&["a-slug", ""]).unwrap(), "a-slug");
        assert_eq!(
            articles
                .resolve(&["", "https://news.example/2025/01/the-story/"])
                .unwrap(),
            "the-story"
        );
        assert!(articles.resolve(&["", ""]).is_err());
    }
}
