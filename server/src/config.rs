//! Settings from flags and environment variables (see `comment-service --help`).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::http::client_address::ProxyTrust;
use crate::store::{Erasure, ModerationStatus};

/// A form submitted sooner than this after it was shown is a bot's.
pub const MIN_FORM_AGE_MS: i64 = 3_000;

#[derive(Parser, Debug)]
#[command(
    name = "comment-service",
    version,
    about = "The comments API for the article widget."
)]
pub struct Cli {
    /// Database URL: sqlite://FILE (created on first start) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "COMMENTS_DATABASE",
        default_value = "sqlite://comments.db",
        global = true
    )]
    pub database: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the API (the default when no command is given).
    Serve(ServeArgs),
    /// List, approve, reject or delete comments.
    Moderate {
        #[command(subcommand)]
        action: ModerateAction,
    },
    /// Import comments from WordPress's export (WXR) or Disqus's; running it again adds
    /// nothing twice.
    Import {
        /// wordpress or disqus.
        #[arg(value_enum)]
        source: ImportSource,
        /// The export file.
        file: PathBuf,
        /// Lines `SLUG-OR-URL ARTICLE-ID`, when the article ids are not the slugs.
        #[arg(long)]
        map: Option<PathBuf>,
        /// Only articles with a file here (`<id>.json`) take comments.
        #[arg(long)]
        articles: Option<PathBuf>,
    },
    /// Write everything (comments with their status and history, subscriptions, moderators,
    /// audit, blocks) to FILE as JSON Lines ("-": standard output).
    Export { file: PathBuf },
    /// Fill an empty database from an export (FILE, or "-": standard input).
    Restore { file: PathBuf },
    /// Add, remove or list the moderators who sign in to the moderation area (/moderate).
    Moderators {
        #[command(subcommand)]
        action: ModeratorsAction,
    },
    /// Prerender an article JSON file to stdout: the widget's HTML fragment (or with --page a
    /// whole reading page), for static-site builds. Needs no database.
    Render(RenderArgs),
}

#[derive(clap::Args, Debug, Clone)]
pub struct RenderArgs {
    /// The article JSON file.
    pub file: PathBuf,
    /// The article's address as the page will see it (its relative links resolve against
    /// it); by default /articles/<id>.json.
    #[arg(long)]
    pub src: Option<String>,
    /// Interface language (en, fa, ar, ru, fr, de); by default the article's.
    #[arg(long)]
    pub lang: Option<String>,
    /// auto, light or dark.
    #[arg(long, default_value = "auto")]
    pub theme: String,
    /// on or off.
    #[arg(long, default_value = "on")]
    pub comments: String,
    /// Which threads come first: oldest (WordPress's default) or newest.
    #[arg(long, default_value = "oldest", value_parser = ["oldest", "newest"])]
    pub comments_order: String,
    /// A whole reading page that loads the widget from this URL, instead of the fragment.
    #[arg(long, value_name = "LOADER_URL")]
    pub page: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum ModerateAction {
    /// List comments, newest first.
    List {
        /// Which comments to list.
        #[arg(long, value_enum, default_value_t = StatusFilter::Pending)]
        status: StatusFilter,
    },
    /// Approve comments by id.
    Approve { ids: Vec<String> },
    /// Reject comments by id (hidden, kept).
    Reject { ids: Vec<String> },
    /// Delete comments by id.
    Delete { ids: Vec<String> },
    /// Pin comments by id: approved comments that begin a thread, shown first, at most 3 per
    /// article.
    Pin { ids: Vec<String> },
    /// Unpin comments by id.
    Unpin { ids: Vec<String> },
}

#[derive(clap::Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "COMMENTS_ADDRESS", default_value = "127.0.0.1:8787")]
    pub address: SocketAddr,

    /// Folder of article JSON files: comments are open for `<id>.json` there when the article
    /// does not close them; served at /articles/.
    #[arg(long, env = "COMMENTS_ARTICLES", default_value = "static/articles")]
    pub articles: PathBuf,

    /// Folder served at / (the built widget, `dist`), so that one process runs the demo.
    #[arg(long, env = "COMMENTS_SITE")]
    pub site: Option<PathBuf>,

    /// Origins allowed to call the API from other sites (comma-separated), e.g.
    /// https://news.example,https://www.news.example.
    #[arg(
        long = "allow-origin",
        env = "COMMENTS_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    pub allowed_origins: Vec<String>,

    /// auto: approve authors with an approved comment, hold the rest (as WordPress);
    /// approve-all; hold-all.
    #[arg(long, env = "COMMENTS_MODERATION", value_enum, default_value_t = Moderation::Auto)]
    pub moderation: Moderation,

    /// Hold a comment that contains this many links or more for moderation (WordPress's
    /// rule; 0: off). Applies with --moderation auto.
    #[arg(long, env = "COMMENTS_HOLD_LINKS", default_value_t = 2)]
    pub hold_links: usize,

    /// Minutes after posting during which a comment's author (the browser that wrote it, or
    /// their signed-in account) may edit or delete it (0: never).
    #[arg(long, env = "COMMENTS_EDIT_MINUTES", default_value_t = 15)]
    pub edit_minutes: u32,

    /// The word on comments by the site's moderators on the prerendered pages (the widget's
    /// `badge-moderator`); by default the interface language's ("Moderator").
    #[arg(long, env = "COMMENTS_BADGE_MODERATOR")]
    pub badge_moderator: Option<String>,

    /// The word on comments by the article's author on the prerendered pages (the widget's
    /// `badge-author`); by default the interface language's ("Author").
    #[arg(long, env = "COMMENTS_BADGE_AUTHOR")]
    pub badge_author: Option<String>,

    /// Seconds between two comments from one email address or client address (0: off).
    #[arg(long, env = "COMMENTS_FLOOD_SECONDS", default_value_t = 15)]
    pub flood_seconds: u64,

    /// Behind this many proxies, each appending to X-Forwarded-For: the client address is
    /// that many entries from the right (0: no proxy; the header is ignored).
    #[arg(
        long,
        env = "COMMENTS_PROXY_HOPS",
        default_value_t = 0,
        conflicts_with = "trusted_proxy"
    )]
    pub proxy_hops: usize,

    /// Proxies at these addresses or networks (comma-separated, e.g. 127.0.0.1,10.0.0.0/8):
    /// when the peer is one, X-Forwarded-For is read from the right, skipping them.
    #[arg(long, env = "COMMENTS_TRUSTED_PROXIES", value_delimiter = ',',
          value_parser = crate::http::client_address::parse_network)]
    pub trusted_proxy: Vec<ipnet::IpNet>,

    /// Mail: the SMTP server's host (no mail without it; the outbox keeps every message).
    #[arg(long, env = "COMMENTS_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "COMMENTS_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    /// none (plain, for a server on this machine), starttls, or tls.
    #[arg(long, env = "COMMENTS_SMTP_TLS", value_enum, default_value_t = SmtpTls::Starttls)]
    pub smtp_tls: SmtpTls,
    #[arg(long, env = "COMMENTS_SMTP_USER")]
    pub smtp_user: Option<String>,
    #[arg(long, env = "COMMENTS_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The sender of every message, e.g. "Comments <comments@news.example>".
    #[arg(
        long,
        env = "COMMENTS_MAIL_FROM",
        default_value = "Comments <comments@localhost>"
    )]
    pub mail_from: String,
    /// Who hears of held comments (comma-separated addresses).
    #[arg(long, env = "COMMENTS_MODERATOR_EMAILS", value_delimiter = ',')]
    pub moderator_email: Vec<String>,
    /// 0: a message for each held comment; N: one digest every N minutes (fractions too).
    #[arg(long, env = "COMMENTS_MODERATOR_DIGEST_MINUTES", default_value_t = 0.0)]
    pub moderator_digest_minutes: f64,
    /// The service's address as readers reach it, for the links in messages.
    #[arg(
        long,
        env = "COMMENTS_PUBLIC_URL",
        default_value = "http://127.0.0.1:8787"
    )]
    pub public_url: String,
    /// The first wait after a failed send (seconds); it doubles with each failure, up to an
    /// hour.
    #[arg(long, env = "COMMENTS_MAIL_RETRY_SECONDS", default_value_t = 30)]
    pub mail_retry_seconds: u64,
    /// How often the mail worker looks at the outbox (milliseconds).
    #[arg(long, env = "COMMENTS_OUTBOX_POLL_MS", default_value_t = 2_000)]
    pub outbox_poll_ms: u64,

    /// Serve this article's prerendered reading page at / (as /read/<id> does), e.g. for the
    /// demo; without it, / is the site's index.html.
    #[arg(long, env = "COMMENTS_FRONT_PAGE", value_name = "ARTICLE_ID")]
    pub front_page: Option<String>,

    /// Write a daily export into this folder (`comments-<date>.jsonl`).
    #[arg(long, env = "COMMENTS_BACKUP_DIR")]
    pub backup_dir: Option<PathBuf>,
    /// How many daily exports --backup-dir keeps (at least 1).
    #[arg(long, env = "COMMENTS_BACKUP_KEEP", default_value_t = 7,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub backup_keep: u32,

    /// Serve Prometheus metrics at /metrics on this address (its own listener, never the
    /// public one), e.g. 127.0.0.1:9187; off without it.
    #[arg(long, env = "COMMENTS_METRICS_ADDRESS")]
    pub metrics_address: Option<SocketAddr>,

    /// Live updates: the most event streams this process serves at once (more are answered
    /// 503 with Retry-After).
    #[arg(long, env = "COMMENTS_LIVE_STREAMS", default_value_t = crate::store::DEFAULT_STREAMS)]
    pub live_streams: usize,

    /// Live updates: the most event streams from one client address (more are answered 429
    /// with Retry-After).
    #[arg(long, env = "COMMENTS_LIVE_STREAMS_PER_ADDRESS", default_value_t = crate::store::DEFAULT_STREAMS_PER_ADDRESS)]
    pub live_streams_per_address: usize,

    /// On SIGTERM or Ctrl-C: how long requests in flight (and the mail worker's message) may
    /// take to finish before the process exits anyway (seconds).
    #[arg(long, env = "COMMENTS_SHUTDOWN_GRACE_SECONDS", default_value_t = 20)]
    pub shutdown_grace_seconds: u64,

    /// A spam service that speaks Akismet's protocol checks each comment before it is stored
    /// (and hears of a moderator's corrections) with this API key; off without it.
    #[arg(long, env = "COMMENTS_AKISMET_KEY", hide_env_values = true)]
    pub akismet_key: Option<String>,
    /// The spam service's API address.
    #[arg(
        long,
        env = "COMMENTS_AKISMET_URL",
        default_value = "https://rest.akismet.com/1.1"
    )]
    pub akismet_url: String,
    /// The site the comments belong to, as the spam service knows it; by default --public-url.
    #[arg(long, env = "COMMENTS_AKISMET_BLOG")]
    pub akismet_blog: Option<String>,

    /// Readers signed in by the publisher (README, "Signing in with the publisher's
    /// accounts"): the shared secret their server signs HS256 tokens with (32 bytes or more).
    #[arg(long, env = "COMMENTS_SSO_HS256_SECRET", hide_env_values = true)]
    pub sso_hs256_secret: Option<String>,
    /// The same secret read from a file (its trailing newline ignored), so it stays out of
    /// the process list.
    #[arg(long, env = "COMMENTS_SSO_HS256_SECRET_FILE")]
    pub sso_hs256_secret_file: Option<PathBuf>,
    /// Or the publisher's public key (PEM, Ed25519 for EdDSA or RSA for RS256) that checks
    /// their tokens.
    #[arg(long, env = "COMMENTS_SSO_PUBLIC_KEY")]
    pub sso_public_key: Option<PathBuf>,
    /// The `aud` a token must name (required with a key).
    #[arg(long, env = "COMMENTS_SSO_AUDIENCE")]
    pub sso_audience: Option<String>,
    /// The `iss` a token must name (required with a key).
    #[arg(long, env = "COMMENTS_SSO_ISSUER")]
    pub sso_issuer: Option<String>,
    /// Signed-in readers skip the first-comment hold (links still hold a comment).
    #[arg(long, env = "COMMENTS_SSO_TRUSTED")]
    pub sso_trusted: bool,

    /// Tell this address (http or https) by a signed POST of each comment held, approved,
    /// marked spam or deleted; repeatable (README, "Webhooks").
    #[arg(long = "webhook", env = "COMMENTS_WEBHOOKS", value_delimiter = ',')]
    pub webhooks: Vec<String>,
    /// The secret that signs the webhooks' bodies (`X-Comments-Signature`); required with
    /// --webhook.
    #[arg(long, env = "COMMENTS_WEBHOOK_SECRET", hide_env_values = true)]
    pub webhook_secret: Option<String>,
    /// The webhooks' bodies: our JSON, or `{"text": …}` for a Slack or Mattermost incoming
    /// webhook.
    #[arg(long, env = "COMMENTS_WEBHOOK_FORMAT", value_enum, default_value_t = WebhookFormat::Json)]
    pub webhook_format: WebhookFormat,
    /// The first wait after a failed delivery (seconds); it doubles with each failure, up to an
    /// hour.
    #[arg(long, env = "COMMENTS_WEBHOOK_RETRY_SECONDS", default_value_t = 30)]
    pub webhook_retry_seconds: u64,
    /// A delivery is given up (and logged) after this many failed attempts.
    #[arg(long, env = "COMMENTS_WEBHOOK_ATTEMPTS", default_value_t = 10)]
    pub webhook_attempts: u32,

    /// Readers' data rights: how long a link mailed from /my-data works (hours; it works once).
    #[arg(long, env = "COMMENTS_DATA_LINK_HOURS", default_value_t = 24,
          value_parser = clap::value_parser!(u32).range(1..=720))]
    pub data_link_hours: u32,
    /// What erasing a reader's data does to their comments: `anonymise` (they stay, under
    /// "Former reader", without address, website or client address) or `remove`.
    #[arg(long, env = "COMMENTS_ERASURE", value_enum, default_value_t = ErasureMode::Anonymise)]
    pub erasure: ErasureMode,
}

/// `--erasure`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErasureMode {
    Anonymise,
    Remove,
}

/// Readers' data rights, as the publisher set them.
#[derive(Debug, Clone, Copy)]
pub struct DataRights {
    /// How long a mailed link works, in seconds.
    pub link_valid_secs: i64,
    pub erasure: Erasure,
}

impl Default for DataRights {
    fn default() -> Self {
        DataRights {
            link_valid_secs: 24 * 3_600,
            erasure: Erasure::Anonymise,
        }
    }
}

/// `--webhook-format`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookFormat {
    Json,
    Slack,
}

#[derive(Subcommand, Debug, Clone)]
pub enum ModeratorsAction {
    /// Add a moderator, or give one a new password (prompted; read from standard input when
    /// it is not a terminal).
    Add { name: String },
    /// Remove a moderator; their sessions end.
    Remove { name: String },
    /// List the moderators.
    List,
}

/// `moderate list --status`: a moderation status, or all of them.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusFilter {
    Pending,
    Approved,
    Rejected,
    Spam,
    All,
}

impl StatusFilter {
    pub fn status(self) -> Option<ModerationStatus> {
        match self {
            StatusFilter::Pending => Some(ModerationStatus::Pending),
            StatusFilter::Approved => Some(ModerationStatus::Approved),
            StatusFilter::Rejected => Some(ModerationStatus::Rejected),
            StatusFilter::Spam => Some(ModerationStatus::Spam),
            StatusFilter::All => None,
        }
    }
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpTls {
    None,
    Starttls,
    Tls,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moderation {
    Auto,
    ApproveAll,
    HoldAll,
}

/// What the running service needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub articles: Option<PathBuf>,
    pub site: Option<PathBuf>,
    pub allowed_origins: Vec<String>,
    pub moderation: Moderation,
    /// Links that hold a comment (see `ServeArgs::hold_links`).
    pub hold_links: usize,
    pub flood_window_ms: i64,
    /// How long after posting its author may edit or delete a comment (`--edit-minutes`).
    pub edit_window_ms: i64,
    /// Which proxies' `X-Forwarded-For` entries are believed (see `client_address`).
    pub proxy_trust: ProxyTrust,
    /// A form posted sooner than this after it was shown is a bot's (3 s; only the test
    /// server, whose browser tests type faster than people, sets it lower).
    pub min_form_age_ms: i64,
    /// The article whose reading page is served at `/`.
    pub front_page: Option<String>,
    /// The service's address as readers reach it (links in messages), without a final `/`.
    pub public_url: String,
    /// Readers' data rights (`--data-link-hours`, `--erasure`).
    pub data_rights: DataRights,
    /// The publisher's words for the badges on prerendered pages (`--badge-moderator`,
    /// `--badge-author`; issue 20).
    pub badge_words: BadgeWords,
}

/// The publisher's words for the comments' badges; `None`: the interface language's.
#[derive(Debug, Clone, Default)]
pub struct BadgeWords {
    pub moderator: Option<String>,
    pub author: Option<String>,
}

impl From<&ServeArgs> for Settings {
    fn from(args: &ServeArgs) -> Self {
        Settings {
            articles: Some(args.articles.clone()),
            site: args.site.clone(),
            allowed_origins: args
                .allowed_origins
                .iter()
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .collect(),
            moderation: args.moderation,
            hold_links: args.hold_links,
            flood_window_ms: args.flood_seconds as i64 * 1000,
            edit_window_ms: i64::from(args.edit_minutes) * 60_000,
            proxy_trust: if !args.trusted_proxy.is_empty() {
                ProxyTrust::Networks(args.trusted_proxy.clone())
            } else {
                ProxyTrust::Hops(args.proxy_hops)
            },
            min_form_age_ms: MIN_FORM_AGE_MS,
            front_page: args.front_page.clone(),
            public_url: args.public_url.trim_end_matches('/').to_owned(),
            badge_words: BadgeWords {
                moderator: args.badge_moderator.clone(),
                author: args.badge_author.clone(),
            },
            data_rights: DataRights {
                link_valid_secs: i64::from(args.data_link_hours) * 3_600,
                erasure: match args.erasure {
                    ErasureMode::Anonymise => Erasure::Anonymise,
                    ErasureMode::Remove => Erasure::Remove,
                },
            },
        }
    }
}

/// Which exporter wrote an import's file (`import wordpress|disqus FILE`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ImportSource {
    Wordpress,
    Disqus,
}
