//! `llmops`: the headless side of LLM Local Ops Center.
//!
//! `llmops serve` runs the core without a window and serves the dashboard, the REST API and the
//! event WebSocket to a browser (or a phone on the LAN with `--host 0.0.0.0`).

mod api_error;
mod app;
mod routes;
mod ui_files;

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Parser, Subcommand};
use llmops_core::config::CoreConfig;
use llmops_core::Core;

#[derive(Parser)]
#[command(
    name = "llmops",
    version,
    about = "LLM Local Ops Center: run and watch local LLM inference servers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the dashboard and API over HTTP (headless mode).
    Serve {
        /// Address to listen on; use 0.0.0.0 to reach it from other devices on your network.
        #[arg(long, env = "LLMOPS_HOST", default_value = "127.0.0.1")]
        host: String,
        #[arg(long, env = "LLMOPS_PORT", default_value_t = 8765)]
        port: u16,
        /// Folder of the built UI (defaults to the repository's ui/dist).
        #[arg(long, env = "LLMOPS_UI_DIR")]
        ui_dir: Option<PathBuf>,
    },
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve { host, port, ui_dir } => match serve(host, port, ui_dir).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("llmops: {message}");
                std::process::ExitCode::FAILURE
            }
        },
    }
}

async fn serve(host: String, port: u16, ui_dir: Option<PathBuf>) -> Result<(), String> {
    let config = CoreConfig::from_env();
    let _log_guard = llmops_core::logging::init(&config.paths.log_dir());
    let addr: SocketAddr = format!("{host}:{port}")
        .parse()
        .map_err(|e| format!("invalid listen address {host}:{port}: {e}"))?;
    let core = Core::open(config).await.map_err(|e| e.to_string())?;
    let _sampler = core.spawn_background();
    let ui_dir = ui_dir.unwrap_or_else(ui_files::default_dir);
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        format!("cannot listen on {addr}: {e}. Is another llmops running? Try --port")
    })?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(%local, ui = %ui_dir.display(), data = %core.config.paths.data_dir.display(), "llmops serve ready");
    println!("LLM Local Ops Center is serving http://{local}/");
    let router = app::router(core.clone(), ui_dir);
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("shutting down: stopping every instance this server started");
    core.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
