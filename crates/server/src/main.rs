//! `llmops`: the headless side of LLM Local Ops Center.
//!
//! `llmops serve` runs the core without a window and serves the dashboard, the REST API and the
//! event WebSocket to a browser (or a phone on the LAN with `--host 0.0.0.0`).

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use llmops_core::config::CoreConfig;
use llmops_core::Core;
use llmops_server::client::text;
use llmops_server::{app, security, UiSource};

#[derive(Parser)]
#[command(
    name = "llmops",
    version = llmops_core::operations::VERSION_LINE,
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
        /// Serve the dashboard from this folder (e.g. ui/dist while developing it) instead of the
        /// one built into this program.
        #[arg(long, env = "LLMOPS_UI_DIR")]
        ui_dir: Option<PathBuf>,
        #[command(flatten)]
        access: AccessArgs,
    },
    /// List every API route with the scope an API key needs for it.
    Routes,
    /// The models running now in the app or `llmops serve` (from its API).
    Ps {
        #[command(flatten)]
        api: ApiArgs,
    },
    /// The configured models.
    Models {
        #[command(flatten)]
        api: ApiArgs,
    },
    /// This machine as the running app sees it: CPU, memory, GPUs, models running.
    Status {
        #[command(flatten)]
        api: ApiArgs,
    },
    #[command(flatten)]
    Act(Act),
    /// Run `llmops serve` as a systemd user service (starts at login, restarts on failure).
    Service {
        #[command(subcommand)]
        action: ServiceAction,
    },
}

/// The commands that act on the running app (`llmops_server::terminal`).
#[derive(Subcommand)]
enum Act {
    /// Start a model (by name or id) and wait until it serves.
    Start {
        model: String,
        /// Return once the start is asked for, without waiting.
        #[arg(long)]
        no_wait: bool,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Stop a model's running instance.
    Stop {
        model: String,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// A model's engine output: the last lines, or follow it with -f (Ctrl+C ends).
    Logs {
        model: String,
        #[arg(short, long)]
        follow: bool,
        /// How many of the last lines to show first.
        #[arg(short = 'n', long, default_value_t = 100)]
        tail: usize,
        #[command(flatten)]
        port: PortArgs,
    },
    /// Download a GGUF model from the hub: OWNER/REPO or OWNER/REPO:QUANT (Q4_K_M by default).
    Pull {
        reference: String,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Chat with a model in the terminal through the /v1 gateway (a prompt after the model
    /// answers once; without one, a conversation).
    Chat {
        model: String,
        prompt: Vec<String>,
        /// The longest answer, in tokens.
        #[arg(long)]
        max_tokens: Option<u32>,
        #[command(flatten)]
        port: PortArgs,
    },
    /// Benchmark a model with the app's load generator (TTFT, TPOT, ITL, E2EL as vLLM defines
    /// them); the result is also on the Benchmarks page.
    Bench {
        model: String,
        /// Requests per concurrency level.
        #[arg(long, default_value_t = 8)]
        requests: u32,
        /// Concurrency levels, e.g. 1,2,4.
        #[arg(long, value_delimiter = ',', default_value = "1")]
        concurrency: Vec<u32>,
        #[arg(long, default_value_t = 128)]
        input_tokens: u32,
        #[arg(long, default_value_t = 64)]
        output_tokens: u32,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Engine runtimes: llama.cpp builds the app downloads and keeps (list, install, default,
    /// rollback, pin, remove).
    Engines {
        #[command(subcommand)]
        action: EngineAction,
    },
}

/// `llmops engines …`: llama.cpp builds installed from releases (the Engines page).
#[derive(Subcommand)]
enum EngineAction {
    /// The installed runtimes (`*` the default), who uses them, and this computer's hardware.
    List {
        #[command(flatten)]
        api: ApiArgs,
    },
    /// llama.cpp releases with builds for this computer, and the build suggested for it.
    Releases {
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Download, verify and unpack a build (the newest release and the suggested build unless
    /// given), following it until it is installed.
    Install {
        /// A release tag, e.g. b6000.
        version: Option<String>,
        /// cpu, vulkan, cuda12 or cuda13.
        #[arg(long)]
        variant: Option<String>,
        /// Make it the default once installed (the first one always is).
        #[arg(long)]
        default: bool,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Make an installed runtime the default.
    Default {
        id: String,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Make the previous default the default again.
    Rollback {
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Pin a model to a runtime; without one, back to the default.
    Pin {
        model: String,
        runtime: Option<String>,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Remove an installed runtime that no model is pinned to or runs on.
    Remove {
        id: String,
        #[command(flatten)]
        api: ApiArgs,
    },
    /// Where releases are listed: a mirror of GitHub's release API, or GitHub (no URL).
    Source {
        url: Option<String>,
        #[command(flatten)]
        api: ApiArgs,
    },
}

#[derive(Subcommand)]
enum ServiceAction {
    /// Write the user unit, then enable and start it.
    Install {
        #[command(flatten)]
        unit: UnitArgs,
        /// Only write the unit; do not enable or start it.
        #[arg(long)]
        no_start: bool,
    },
    /// Stop and disable the service and remove its unit.
    Uninstall,
    /// Whether the service is installed and running.
    Status,
    /// Print the unit `install` would write.
    Print {
        #[command(flatten)]
        unit: UnitArgs,
    },
}

/// Which running app or server to ask, and how to print its answer.
#[derive(clap::Args)]
struct ApiArgs {
    #[command(flatten)]
    port: PortArgs,
    /// Print the API's JSON answer instead of a table.
    #[arg(long)]
    json: bool,
}

/// Which running app or server to ask.
#[derive(clap::Args)]
struct PortArgs {
    /// Its port on this machine.
    #[arg(long, env = "LLMOPS_PORT", default_value_t = 8765)]
    port: u16,
}

impl PortArgs {
    fn client(&self) -> Result<llmops_server::client::ApiClient, String> {
        let config = CoreConfig::from_env()?;
        Ok(llmops_server::client::ApiClient::local(
            self.port,
            &config.paths.data_dir,
        ))
    }
}

impl ApiArgs {
    /// The answer as pretty JSON with `--json`, else as `render` prints it.
    fn print(
        &self,
        answer: &serde_json::Value,
        render: impl Fn(&serde_json::Value) -> String,
    ) -> String {
        if self.json {
            serde_json::to_string_pretty(answer).expect("JSON prints") + "\n"
        } else {
            render(answer)
        }
    }
}

/// Asks the running app or server and prints its answer (a table, or `--json`).
async fn ask(
    api: ApiArgs,
    path: &str,
    render: fn(&serde_json::Value) -> String,
) -> Result<String, String> {
    let answer = api.port.client()?.get(path).await?;
    Ok(api.print(&answer, render))
}

/// What the service serves.
#[derive(clap::Args)]
struct UnitArgs {
    /// Address to listen on; 0.0.0.0 for other devices on your network (they must log in).
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    #[arg(long, default_value_t = 8765)]
    port: u16,
    /// Serve the dashboard from this folder instead of the one built into llmops.
    #[arg(long)]
    ui_dir: Option<PathBuf>,
}

/// The unit's settings: this binary and the UI folder as absolute paths.
fn unit_options(
    UnitArgs { host, port, ui_dir }: UnitArgs,
) -> Result<llmops_server::service_unit::UnitOptions, String> {
    let exe = std::env::current_exe()
        .and_then(std::fs::canonicalize)
        .map_err(|e| format!("cannot find this program's path: {e}"))?;
    let ui_dir = ui_dir
        .map(|dir| {
            std::fs::canonicalize(&dir).map_err(|e| {
                format!(
                    "the UI folder {} is not there ({e}); build it (npm run ui:build) or leave out --ui-dir",
                    dir.display()
                )
            })
        })
        .transpose()?;
    Ok(llmops_server::service_unit::UnitOptions {
        exe,
        host,
        port,
        ui_dir,
    })
}

fn service(action: ServiceAction) -> Result<String, String> {
    use llmops_server::service_unit;
    match action {
        ServiceAction::Install { unit, no_start } => {
            service_unit::install(&unit_options(unit)?, !no_start)
        }
        ServiceAction::Uninstall => service_unit::uninstall(),
        ServiceAction::Status => service_unit::status(),
        ServiceAction::Print { unit } => service_unit::unit_text(&unit_options(unit)?),
    }
}

#[derive(clap::Args)]
struct AccessArgs {
    /// A host name this server answers to besides localhost and IP addresses (e.g. my-pc.lan,
    /// or *.example.com for a domain); repeat for more.
    #[arg(
        long = "allowed-host",
        env = "LLMOPS_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    allowed_hosts: Vec<String>,
    /// An origin (e.g. https://proxy.example.com) whose pages may change things here; repeat for
    /// more.
    #[arg(
        long = "allowed-origin",
        env = "LLMOPS_ALLOWED_ORIGINS",
        value_delimiter = ','
    )]
    allowed_origins: Vec<String>,
    /// Let clients on other machines in without a login. Anyone who can reach the port can then
    /// run programs as you. Never use this on a network you do not control.
    #[arg(long)]
    insecure_no_auth: bool,
    /// Ask loopback clients to log in too (for a reverse proxy on this machine).
    #[arg(long, env = "LLMOPS_REQUIRE_AUTH_ON_LOOPBACK")]
    require_auth_on_loopback: bool,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            host,
            port,
            ui_dir,
            access,
        } => match serve(host, port, ui_dir, access).await {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(message) => {
                eprintln!("llmops: {message}");
                std::process::ExitCode::FAILURE
            }
        },
        Command::Service { action } => print_outcome(service(action)),
        Command::Ps { api } => {
            print_outcome(ask(api, "/instances", llmops_server::client::instances_table).await)
        }
        Command::Models { api } => {
            print_outcome(ask(api, "/models", llmops_server::client::models_table).await)
        }
        Command::Status { api } => {
            print_outcome(ask(api, "/system/status", llmops_server::client::status_text).await)
        }
        Command::Act(command) => print_outcome(act(command).await),
        Command::Routes => {
            for route in app::api_routes() {
                println!(
                    "{:<7} /api{:<48} {:<8} {}",
                    route.method.to_uppercase(),
                    route.path,
                    route.scope.as_str(),
                    route.name
                );
            }
            std::process::ExitCode::SUCCESS
        }
    }
}

/// Prints a command's report, or its error with `llmops:` before it, and answers the exit code.
fn print_outcome(outcome: Result<String, String>) -> std::process::ExitCode {
    match outcome {
        Ok(report) => {
            print!("{report}");
            std::process::ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("llmops: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn serve(
    host: String,
    port: u16,
    ui_dir: Option<PathBuf>,
    access: AccessArgs,
) -> Result<(), String> {
    let config = CoreConfig::from_env()?;
    let _log_guard = llmops_core::logging::init(&config.paths.log_dir());
    let addr: SocketAddr = format!("{host}:{port}")
        .parse()
        .map_err(|e| format!("invalid listen address {host}:{port}: {e}"))?;
    let core = Core::open(config).await.map_err(|e| e.to_string())?;
    let _sampler = core.spawn_background();
    let ui = ui_dir.map_or(UiSource::Embedded, UiSource::Dir);
    if !ui.is_available() {
        // The API and /v1 still work; the page at / says what is missing.
        eprintln!("llmops: no dashboard to serve ({ui:?}); run `npm run build`, or fix --ui-dir");
    }
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|e| {
        format!("cannot listen on {addr}: {e}. Is another llmops running? Try --port")
    })?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    let security = Arc::new(security::Security::new(
        local,
        access.allowed_hosts,
        access.allowed_origins,
        !access.insecure_no_auth,
        access.require_auth_on_loopback,
    ));
    tracing::info!(%local, ?ui, data = %core.config.paths.data_dir.display(), "llmops serve ready");
    println!("LLM Local Ops Center is serving http://{local}/");
    println!(
        "OpenAI-compatible endpoint for your tools: {}",
        llmops_server::gateway_addresses(local, None).join(", ")
    );
    announce_access(&core, &security, local);
    // On SIGTERM/Ctrl+C the engines stop first: their open streams then end (with an error event
    // for the client), so the server drains at once instead of waiting for every answer.
    let stopping = core.clone();
    let stop_engines_first = async move {
        shutdown_signal().await;
        tracing::info!("shutting down: stopping every instance this server started");
        stopping.shutdown().await;
    };
    llmops_server::serve(listener, core, security, ui, stop_engines_first)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Says who can reach this server, and prints the login link and its QR code for a phone (on a
/// terminal only: the link carries the admin token).
fn announce_access(core: &Core, security: &security::Security, local: SocketAddr) {
    if !security.remote_auth {
        let warning =
            "--insecure-no-auth: clients on other machines need no login. Anyone who can reach \
             this port can run programs as you. Remove the flag unless this network is yours alone";
        tracing::warn!("{warning}");
        if !local.ip().is_loopback() {
            eprintln!("\x1b[1;31mWARNING\x1b[0m {warning}");
        }
        return;
    }
    let Some(base) = security.lan_base.as_deref() else {
        println!(
            "Only this machine can connect (loopback). To reach it from a phone: --host 0.0.0.0"
        );
        return;
    };
    let token_file = core.access.token_path().display().to_string();
    if std::io::stdout().is_terminal() {
        let url = core.access.login_url(base);
        println!("Other devices log in with this link (it holds the admin token; keep it private):\n  {url}");
        if let Some(qr) = security::qr_for_terminal(&url) {
            println!("{qr}");
        }
    } else {
        println!(
            "Other devices log in at {base}/login with the token in {token_file}, or with an API key"
        );
    }
}

/// Ctrl+C, or SIGTERM (a service manager), or on Windows the console being closed or the
/// session ending: all end in the normal shutdown, which stops the engines.
#[cfg(unix)]
async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

#[cfg(windows)]
async fn shutdown_signal() {
    use tokio::signal::windows::{ctrl_close, ctrl_shutdown};
    let (mut close, mut shutdown) = (
        ctrl_close().expect("console close handler"),
        ctrl_shutdown().expect("shutdown handler"),
    );
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = close.recv() => {}
        _ = shutdown.recv() => {}
    }
}

/// The terminal commands that act on the running app (`llmops_server::terminal`).
async fn act(command: Act) -> Result<String, String> {
    use llmops_server::terminal;
    let instance_line = |i: &serde_json::Value| {
        format!(
            "{} is {} at {} (instance {})\n",
            text(&i["model_name"]),
            text(&i["state"]["kind"]),
            text(&i["base_url"]),
            text(&i["id"])
        )
    };
    match command {
        Act::Start {
            model,
            no_wait,
            api,
        } => {
            let instance = terminal::start(&api.port.client()?, &model, !no_wait).await?;
            Ok(api.print(&instance, instance_line))
        }
        Act::Stop { model, api } => {
            let instance = terminal::stop(&api.port.client()?, &model).await?;
            Ok(api.print(&instance, |i| {
                format!("{} stopped\n", text(&i["model_name"]))
            }))
        }
        Act::Logs {
            model,
            follow,
            tail,
            port,
        } => terminal::logs(&port.client()?, &model, tail, follow)
            .await
            .map(|()| String::new()),
        Act::Pull { reference, api } => {
            let download = terminal::pull(&api.port.client()?, &reference).await?;
            Ok(api.print(&download, |d| {
                format!(
                    "downloaded {} to {}\nDeploy it from the app's Hub page (its local models).\n",
                    text(&d["repo"]),
                    text(&d["local_path"])
                )
            }))
        }
        Act::Chat {
            model,
            prompt,
            max_tokens,
            port,
        } => {
            let prompt = (!prompt.is_empty()).then(|| prompt.join(" "));
            let target = terminal::ChatTarget { model, max_tokens };
            terminal::chat(&port.client()?, &target, prompt)
                .await
                .map(|()| String::new())
        }
        Act::Bench {
            model,
            requests,
            concurrency,
            input_tokens,
            output_tokens,
            api,
        } => {
            let options = terminal::BenchOptions {
                requests,
                concurrency,
                input_tokens,
                output_tokens,
            };
            let benchmark = terminal::bench(&api.port.client()?, &model, &options).await?;
            Ok(api.print(&benchmark, terminal::bench_table))
        }
        Act::Engines { action } => engines(action).await,
    }
}

/// `llmops engines …` (`llmops_server::terminal_engines`).
async fn engines(action: EngineAction) -> Result<String, String> {
    use llmops_server::terminal_engines::{self as engines, runtimes_table};
    match action {
        EngineAction::List { api } => {
            let overview = api.port.client()?.get("/engines/runtimes").await?;
            Ok(api.print(&overview, runtimes_table))
        }
        EngineAction::Releases { api } => {
            let listed = api.port.client()?.get("/engines/releases").await?;
            Ok(api.print(&listed, engines::releases_table))
        }
        EngineAction::Install {
            version,
            variant,
            default,
            api,
        } => {
            let request = serde_json::json!({
                "version": version, "variant": variant, "make_default": default,
            });
            let entry = engines::install(&api.port.client()?, request).await?;
            Ok(api.print(&entry, |e| {
                format!(
                    "{} is installed{} ({})\n",
                    text(&e["runtime"]["id"]),
                    if e["is_default"] == true {
                        " and is the default"
                    } else {
                        ""
                    },
                    text(&e["runtime"]["reported_version"])
                )
            }))
        }
        EngineAction::Default { id, api } => {
            let body = serde_json::json!({ "id": id });
            let overview = api.port.client()?.put("/engines/default", body).await?;
            Ok(api.print(&overview, runtimes_table))
        }
        EngineAction::Rollback { api } => {
            let overview = api
                .port
                .client()?
                .post("/engines/default/rollback", None)
                .await?;
            Ok(api.print(&overview, runtimes_table))
        }
        EngineAction::Pin {
            model,
            runtime,
            api,
        } => {
            let overview = engines::pin(&api.port.client()?, &model, runtime.as_deref()).await?;
            Ok(api.print(&overview, runtimes_table))
        }
        EngineAction::Remove { id, api } => {
            let path = format!(
                "/engines/runtimes/{}",
                llmops_server::terminal::query_escape(&id)
            );
            let overview = api.port.client()?.delete(&path).await?;
            Ok(api.print(&overview, runtimes_table))
        }
        EngineAction::Source { url, api } => {
            let body = serde_json::json!({ "url": url });
            let overview = api.port.client()?.put("/engines/source", body).await?;
            Ok(api.print(&overview, |o| {
                format!("releases are listed from {}\n", text(&o["releases_url"]))
            }))
        }
    }
}
