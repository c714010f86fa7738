use std::net::SocketAddr;
use std::sync::Arc;

use clap::Parser;
use comment_service::api::{router, AppState};
use comment_service::articles::ArticleGate;
use comment_service::config::{Cli, Command, Settings};
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
            match comment_service::moderate::run(&store, action).await {
                Ok(code) => code,
                Err(error) => {
                    tracing::error!(%error, "moderation failed");
                    1
                }
            }
        }
        Some(Command::Serve(args)) => serve(store, &args).await,
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
    };
    match comment_service::prerendered::render_on_own_thread(text, options, args.page.clone()).await
    {
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
    let app = router(AppState {
        store: store.clone(),
        settings: Arc::new(settings),
        articles,
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
    // Printed, not logged: scripts and tests read the address from this line.
    println!("comment-service listening on http://{address} ({engine})");
    tracing::info!(%address, engine, "listening");
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let interrupt = tokio::signal::ctrl_c();
            #[cfg(unix)]
            {
                let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
                tokio::select! {
                    _ = interrupt => {},
                    _ = async { match terminate.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending::<()>().await } } => {},
                }
            }
            #[cfg(not(unix))]
            let _ = interrupt.await;
        })
        .await;
    store.close().await;
    match served {
        Ok(()) => 0,
        Err(error) => {
            tracing::error!(%error, "the server stopped");
            1
        }
    }
}
