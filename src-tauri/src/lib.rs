//! `llmops-desktop`: the Tauri 2 shell of LLM Local Ops Center. A thin adapter: its commands are
//! derived from the core's operation table (`commands`), core events are forwarded to the window, chat tokens travel on a
//! `tauri::ipc::Channel` per stream, and a tray menu starts and stops models. No domain logic.

mod adapter_commands;
mod commands;
mod desktop;
mod display;
mod forward;
mod http;
mod streams;
mod tray;

use llmops_core::config::CoreConfig;
use llmops_core::Core;
use tauri::{Manager, RunEvent};

use crate::streams::Streams;

pub fn run() {
    if let Err(message) = display::check() {
        eprintln!("llmops-desktop: {message}");
        std::process::exit(2);
    }
    let config = match CoreConfig::from_env() {
        Ok(config) => config,
        Err(message) => {
            eprintln!("llmops-desktop: {message}");
            std::process::exit(1);
        }
    };
    let log_guard = llmops_core::logging::init(&config.paths.log_dir());
    let core = match tauri::async_runtime::block_on(open_core(config)) {
        Ok(core) => core,
        Err(message) => {
            eprintln!("llmops-desktop: {message}");
            std::process::exit(1);
        }
    };

    let app = tauri::Builder::default()
        // First: a second launch hands over to the running app before anything else starts.
        .plugin(tauri_plugin_single_instance::init(
            desktop::on_second_launch,
        ))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_autostart::init(
            tauri_plugin_autostart::MacosLauncher::LaunchAgent,
            None,
        ))
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_notification::init())
        .manage(core.clone())
        .manage(Streams::default())
        .manage(http::HttpServing::default())
        .invoke_handler(commands::handler())
        .on_window_event(desktop::on_window_event)
        .setup(|app| {
            let core = app.state::<Core>().inner().clone();
            forward::spawn(app.handle().clone(), core.clone());
            let handle = app.handle().clone();
            let serving_core = core.clone();
            tauri::async_runtime::spawn(async move {
                let lan = http::HttpServing::lan_preferred(&serving_core);
                let serving = handle.state::<http::HttpServing>();
                serving.restart(&handle, &serving_core, lan).await;
            });
            tray::install(app.handle(), &core)?;
            desktop::start_chosen_models(&core);
            exit_on_signal(app.handle().clone());
            Ok(())
        })
        .build(tauri::generate_context!())
        .unwrap_or_else(|err| {
            eprintln!("llmops-desktop: the window could not be created: {err}");
            std::process::exit(1);
        });

    app.run(move |app, event| {
        if let RunEvent::Exit = event {
            app.state::<http::HttpServing>().stop();
            // Quit (tray or last window closed) stops every model this app started.
            tauri::async_runtime::block_on(core.shutdown());
            tracing::info!("desktop app exited; all instances stopped");
            let _ = &log_guard;
        }
    });
}

/// Ctrl+C in the terminal of `npm start`, or a session ending, must not orphan engines: engines
/// run in their own process groups, so the signal reaches only us; exit through the normal
/// path, which stops them.
#[cfg(unix)]
fn exit_on_signal(app: tauri::AppHandle) {
    use tokio::signal::unix::{signal, SignalKind};
    tauri::async_runtime::spawn(async move {
        let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
            signal(SignalKind::hangup()),
        ) else {
            return tracing::warn!("could not install signal handlers");
        };
        let name = tokio::select! {
            _ = term.recv() => "SIGTERM",
            _ = int.recv() => "SIGINT",
            _ = hup.recv() => "SIGHUP",
        };
        tracing::info!(signal = name, "exiting on signal");
        app.exit(0);
    });
}

/// On Windows, Ctrl+C (when started from a terminal) and the session ending; engines are in
/// Job Objects and end with the app in any case.
#[cfg(windows)]
fn exit_on_signal(app: tauri::AppHandle) {
    use tokio::signal::windows::{ctrl_c, ctrl_shutdown};
    tauri::async_runtime::spawn(async move {
        let (Ok(mut interrupt), Ok(mut shutdown)) = (ctrl_c(), ctrl_shutdown()) else {
            return tracing::warn!("could not install console handlers");
        };
        let name = tokio::select! {
            _ = interrupt.recv() => "Ctrl+C",
            _ = shutdown.recv() => "shutdown",
        };
        tracing::info!(signal = name, "exiting on signal");
        app.exit(0);
    });
}

async fn open_core(config: CoreConfig) -> Result<Core, String> {
    let core = Core::open(config).await.map_err(|e| e.to_string())?;
    // Spawned inside the async runtime so that the sampler keeps running on it.
    core.spawn_background();
    Ok(core)
}
