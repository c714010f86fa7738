use std::future::IntoFuture;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::Arc;

use clap::Parser;
use comment_service::app::router;
use comment_service::articles::ArticleGate;
use comment_service::config::{Cli, Command, Settings};
use comment_service::http::AppState;
use comment_service::store::Store;

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Some(Command::Render(args)) = &cli.command {
        std::process::exit(render(args).await);
    }
    // Logs (one line per request, errors) on stderr; `RUST_LOG` overrides the level.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let store = match Store::open(&cli.database).await {
        Ok(store) => store,
        Err(error) => {
            tracing::error!(database = %cli.database, %error, "cannot open the database");
            std::process::exit(1);
        }
    };
    let code = match cli.command {
        Some(Command::Moderate { action }) => {
            match comment_service::moderation::cli::run(&store, action).await {
                Ok(code) => code,
                Err(error) => {
                    tracing::error!(%error, "moderation failed");
                    1
                }
            }
        }
        Some(Command::Serve(args)) => serve(store, &args).await,
        Some(Command::Moderators { action }) => moderators(&store, action).await,
        Some(Command::Import {
            source,
            file,
            map,
            articles,
        }) => import(&store, source, &file, map.as_deref(), articles.as_deref()).await,
        Some(Command::Export { file }) => {
            comment_service::backup::export_command(&store, &file).await
        }
        Some(Command::Restore { file }) => {
            comment_service::backup::restore_command(&store, &file).await
        }
        Some(Command::Render(_)) => unreachable!("rendered above, without a database"),
        None => {
            let args = match Cli::try_parse_from(["comment-service", "serve"]) {
                Ok(Cli {
                    command: Some(Command::Serve(args)),
                    ..
                }) => args,
                _ => unreachable!("serve parses with its defaults"),
            };
            serve(store, &args).await
        }
    };
    std::process::exit(code);
}

/// `comment-service render FILE`: the prerendered widget on stdout.
async fn render(args: &comment_service::config::RenderArgs) -> i32 {
    use article_widget::host_contract::{comments_enabled, Theme};
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!(
                "comment-service: cannot read {}: {error}",
                args.file.display()
            );
            return 1;
        }
    };
    let id = args
        .file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let options = article_widget::prerender::PrerenderOptions {
        src: args
            .src
            .clone()
            .unwrap_or_else(|| format!("/articles/{id}.json")),
        lang: args.lang.clone(),
        theme: Theme::from_attribute(Some(&args.theme)),
        comments: comments_enabled(Some(&args.comments)),
        comments_order: article_widget::domain::thread::ThreadOrder::from_attribute(Some(
            &args.comments_order,
        )),
        thread: None,
        form: None,
        page_url: None,
        ..Default::default()
    };
    match comment_service::rendering::render(text, options, args.page.clone()).await {
        Ok(html) => {
            println!("{html}");
            0
        }
        Err(error) => {
            eprintln!("comment-service: {}: {error}", args.file.display());
            1
        }
    }
}

async fn serve(store: Store, args: &comment_service::config::ServeArgs) -> i32 {
    let settings = Settings::from(args);
    let engine = store.engine().name();
    let articles = Arc::new(ArticleGate::new(settings.articles.clone()));
    // Cancelled on SIGTERM or Ctrl-C: the listeners stop accepting, the mail worker stops
    // between messages.
    let stopping = tokio_util::sync::CancellationToken::new();
    // On PostgreSQL, the outbox's notifications: a row another instance wrote leaves at once.
    let outbox_listener = tokio::spawn({
        let store = store.clone();
        let stopping = stopping.clone();
        async move { store.listen_for_outbox(stopping).await }
    });
    // Live updates: the caps on open streams, and every stream ended when the service stops
    // (else the graceful shutdown would wait the whole grace for them).
    store.limit_live_streams(args.live_streams, args.live_streams_per_address);
    tokio::spawn({
        let store = store.clone();
        let stopping = stopping.clone();
        async move {
            stopping.cancelled().await;
            store.end_live_streams();
        }
    });
    // The mail worker: messages from the outbox, when an SMTP server is named.
    let mut mail_worker = None;
    match comment_service::mail::notify::Mailer::from_args(args) {
        Ok(Some(mailer)) => {
            mail_worker = Some(tokio::spawn(comment_service::mail::notify::run(
                store.clone(),
                articles.clone(),
                mailer,
                stopping.clone(),
            )));
        }
        Ok(None) => tracing::info!("no --smtp-host: messages wait in the outbox"),
        Err(error) => {
            tracing::error!(%error, "mail settings");
            return 2;
        }
    }
    // The webhooks' worker, when --webhook names receivers; the store is told their names
    // (now, and by the worker every ten minutes), so that every instance's events (and the
    // moderate command's) write a row for each.
    let mut webhook_worker = None;
    match comment_service::mail::webhooks::Webhooks::from_args(args) {
        Ok(None) => {}
        Ok(Some(webhooks)) => {
            let seen = store
                .webhook_receivers_seen(
                    &webhooks.receiver_names(),
                    comment_service::clock::now_ms(),
                )
                .await;
            if let Err(error) = seen {
                tracing::error!(%error, "the webhooks' receivers could not be recorded");
                return 1;
            }
            webhook_worker = Some(tokio::spawn(comment_service::mail::webhooks::run(
                store.clone(),
                webhooks,
                stopping.clone(),
            )));
        }
        Err(error) => {
            tracing::error!(%error, "webhook settings");
            return 2;
        }
    }
    // Metrics before the router, which adds its recording layer only when they are on.
    if args.metrics_address.is_some() {
        if let Err(error) = comment_service::metrics::install() {
            tracing::error!(%error, "metrics");
            return 1;
        }
    }
    if let Some(dir) = &args.backup_dir {
        comment_service::backup::start_daily(store.clone(), dir.clone(), args.backup_keep as usize);
    }
    let spam = match &args.akismet_key {
        None => None,
        Some(key) => {
            let blog = args.akismet_blog.as_deref().unwrap_or(&settings.public_url);
            match comment_service::spam_service::SpamService::new(&args.akismet_url, key, blog) {
                Ok(service) => Some(service),
                Err(error) => {
                    tracing::error!(%error, "spam service");
                    return 2;
                }
            }
        }
    };
    let sign_in = match sign_in_settings(args) {
        Ok(sign_in) => sign_in.map(Arc::new),
        Err(error) => {
            tracing::error!(%error, "sign-in settings");
            return 2;
        }
    };
    let app = router(AppState {
        store: store.clone(),
        settings: Arc::new(settings),
        articles,
        spam,
        sign_in,
    });
    let listener = match tokio::net::TcpListener::bind(args.address).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::error!(address = %args.address, %error, "cannot listen");
            return 1;
        }
    };
    let address = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let metrics_listener = match args.metrics_address {
        Some(metrics_address) => match tokio::net::TcpListener::bind(metrics_address).await {
            Ok(listener) => Some(listener),
            Err(error) => {
                tracing::error!(address = %metrics_address, %error, "cannot listen for metrics");
                return 1;
            }
        },
        None => None,
    };
    // Printed, not logged: scripts and tests read the address from this line.
    println!("comment-service listening on http://{address} ({engine})");
    tracing::info!(%address, engine, "listening");
    let metrics_server = metrics_listener.map(|listener| {
        let metrics_address = listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        // The second line, after the first (which scripts read as it is); a stdout closed by
        // then must not stop the service, so the write's failure is ignored.
        let _ = writeln!(
            std::io::stdout(),
            "metrics on http://{metrics_address}/metrics"
        );
        tracing::info!(address = %metrics_address, "metrics");
        tokio::spawn(comment_service::metrics::serve(
            listener,
            store.clone(),
            stopping.clone().cancelled_owned(),
        ))
    });
    tokio::spawn(stop_on_signal(stopping.clone()));
    let grace = std::time::Duration::from_secs(args.shutdown_grace_seconds);
    let served = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(stopping.clone().cancelled_owned())
    .into_future();
    // After the signal, requests in flight, the metrics listener and the mail worker's
    // message have `grace` to finish; then the process exits all the same.
    let finished = async {
        let served = served.await;
        if let Some(metrics_server) = metrics_server {
            let _ = metrics_server.await;
        }
        if let Some(mail_worker) = mail_worker {
            let _ = mail_worker.await;
        }
        if let Some(webhook_worker) = webhook_worker {
            let _ = webhook_worker.await;
        }
        let _ = outbox_listener.await;
        served
    };
    let deadline = async {
        stopping.cancelled().await;
        tokio::time::sleep(grace).await;
    };
    let served = tokio::select! {
        served = finished => served,
        () = deadline => {
            tracing::warn!(seconds = grace.as_secs(), "requests still in flight after the shutdown's grace; exiting");
            Ok(())
        }
    };
    // Connections the pools still lend out are not waited for past the grace either.
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), store.close()).await;
    match served {
        Ok(()) => {
            tracing::info!("stopped");
            0
        }
        Err(error) => {
            tracing::error!(%error, "the server stopped");
            1
        }
    }
}

/// Cancels `stopping` on SIGTERM (what orchestrators send) or Ctrl-C.
async fn stop_on_signal(stopping: tokio_util::sync::CancellationToken) {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate());
        match terminate {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {},
                    _ = terminate.recv() => {},
                }
            }
            Err(error) => {
                tracing::warn!(%error, "SIGTERM cannot be caught; only Ctrl-C stops gracefully");
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
    tracing::info!("stopping: no new connections; finishing what is in flight");
    stopping.cancel();
}

/// `comment-service moderators …`.
async fn moderators(
    store: &comment_service::store::Store,
    action: comment_service::config::ModeratorsAction,
) -> i32 {
    use comment_service::config::ModeratorsAction;
    use comment_service::moderation::passwords::{
        hash_password, read_password, NAME_LIMIT, PASSWORD_LIMIT,
    };
    let result = match action {
        ModeratorsAction::Add { name } => {
            let name = name.trim().to_owned();
            if name.is_empty()
                || name.chars().count() > NAME_LIMIT
                || name.contains(char::is_control)
            {
                eprintln!(
                    "A moderator's name is 1 to {NAME_LIMIT} characters, none of them control characters."
                );
                return 2;
            }
            let password = match read_password(&format!("Password for {name}: ")) {
                Ok(password) => password,
                Err(error) => {
                    eprintln!("The password could not be read: {error}");
                    return 1;
                }
            };
            if !(12..=PASSWORD_LIMIT).contains(&password.chars().count()) {
                eprintln!("The password must be 12 to {PASSWORD_LIMIT} characters.");
                return 2;
            }
            let hash = match hash_password(&password) {
                Ok(hash) => hash,
                Err(error) => {
                    eprintln!("The password could not be hashed: {error}");
                    return 1;
                }
            };
            store
                .set_moderator(&name, &hash, comment_service::clock::now_ms())
                .await
                .map(|new| {
                    if new {
                        println!("Added moderator {name}.");
                    } else {
                        println!(
                            "Gave moderator {name} a new password; their sessions have ended."
                        );
                    }
                    0
                })
        }
        ModeratorsAction::Remove { name } => store.remove_moderator(&name).await.map(|done| {
            if done {
                println!("Removed moderator {name}; their sessions have ended.");
                0
            } else {
                eprintln!("There is no moderator {name}.");
                1
            }
        }),
        ModeratorsAction::List => store.moderators().await.map(|names| {
            if names.is_empty() {
                println!("No moderators. Add one with `comment-service moderators add NAME`.");
            }
            for name in names {
                println!("{name}");
            }
            0
        }),
    };
    result.unwrap_or_else(|error| {
        tracing::error!(%error, "moderators");
        1
    })
}

/// `comment-service import wordpress|disqus FILE`.
async fn import(
    store: &comment_service::store::Store,
    source: comment_service::import::Source,
    file: &std::path::Path,
    map: Option<&std::path::Path>,
    articles: Option<&std::path::Path>,
) -> i32 {
    use comment_service::import::{self, Articles, Source};
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("{}: {error}", file.display());
            return 1;
        }
    };
    let articles = match Articles::new(map, articles) {
        Ok(articles) => articles,
        Err(error) => {
            eprintln!("{error}");
            return 2;
        }
    };
    let read = match source {
        Source::Wordpress => import::read_wordpress(&text, &articles),
        Source::Disqus => import::read_disqus(&text, &articles),
    };
    let read = match read {
        Ok(read) => read,
        Err(error) => {
            eprintln!("{}: {error}", file.display());
            return 2;
        }
    };
    match import::store(store, read, &mut std::io::stderr()).await {
        Ok(summary) => {
            println!(
                "Imported {} comments; {} were there already; {} refused.",
                summary.imported,
                summary.already_there,
                summary.refused.len()
            );
            for why in &summary.refused {
                println!("  refused: {why}");
            }
            0
        }
        Err(error) => {
            tracing::error!(%error, "the import stopped; run it again to go on (nothing is stored twice)");
            1
        }
    }
}

/// How readers signed in by the publisher are checked (`--sso-…`), or why it cannot start.
fn sign_in_settings(
    args: &comment_service::config::ServeArgs,
) -> Result<Option<comment_service::sso::SignIn>, String> {
    let from_file = match &args.sso_hs256_secret_file {
        None => None,
        Some(path) => Some(
            std::fs::read(path)
                .map(|mut bytes| {
                    while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                        bytes.pop();
                    }
                    bytes
                })
                .map_err(|error| format!("cannot read {}: {error}", path.display()))?,
        ),
    };
    let secret = match (&args.sso_hs256_secret, from_file) {
        (Some(_), Some(_)) => {
            return Err("give --sso-hs256-secret or --sso-hs256-secret-file, not both".into())
        }
        (Some(secret), None) => Some(secret.as_bytes().to_vec()),
        (None, file) => file,
    };
    comment_service::sso::SignIn::configure(
        secret.as_deref(),
        args.sso_public_key.as_deref(),
        args.sso_audience.as_deref(),
        args.sso_issuer.as_deref(),
        args.sso_trusted,
    )
    .map_err(|error| error.to_string())
}
