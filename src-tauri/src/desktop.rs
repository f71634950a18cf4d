//! How the desktop app behaves around its window: one instance (a second launch shows the first
//! window), close to tray, a confirmation before a quit stops running models, start at login
//! (the autostart plugin's XDG entry) and the models started with the app. What the user chose is
//! kept by the core ([`DesktopSettings`]); this module only applies it to the window and system.

use llmops_core::error::AppError;
use llmops_core::preferences::DesktopSettings;
use llmops_core::Core;
use tauri::{AppHandle, Manager, State, WindowEvent};
use tauri_plugin_autostart::ManagerExt as _;
use tauri_plugin_dialog::{DialogExt, MessageDialogButtons, MessageDialogKind};

/// Brings the dashboard window to the front (tray "Open", a second launch).
pub fn show_window(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// A second `llmops-desktop` hands over to this one and exits: the user sees the open window.
pub fn on_second_launch(app: &AppHandle, _argv: Vec<String>, _cwd: String) {
    tracing::info!("a second launch: showing the window of the running app");
    show_window(app);
}

/// Closing the window: hidden to the tray when the user wants that (and a tray exists); else
/// the app quits, after a confirmation when models run.
pub fn on_window_event(window: &tauri::Window, event: &WindowEvent) {
    let WindowEvent::CloseRequested { api, .. } = event else {
        return;
    };
    let app = window.app_handle();
    let core = app.state::<Core>();
    let to_tray = core.preferences.desktop_settings().close_to_tray
        && app.tray_by_id(crate::tray::TRAY_ID).is_some();
    api.prevent_close();
    if to_tray {
        let _ = window.hide();
    } else {
        confirm_quit(app);
    }
}

/// Quits now when nothing runs; otherwise asks first, since quitting stops every model.
pub fn confirm_quit(app: &AppHandle) {
    let running = app.state::<Core>().supervisor.live_count();
    if running == 0 {
        return app.exit(0);
    }
    let handle = app.clone();
    let noun = if running == 1 {
        "model is"
    } else {
        "models are"
    };
    app.dialog()
        .message(format!("{running} {noun} running. Quitting stops them."))
        .title("Quit LLM Local Ops Center?")
        .kind(MessageDialogKind::Warning)
        .buttons(MessageDialogButtons::OkCancelCustom(
            "Quit".into(),
            "Cancel".into(),
        ))
        .show(move |quit| {
            if quit {
                handle.exit(0);
            }
        });
}

/// The settings, with start-at-login as the system has it.
#[tauri::command]
pub async fn get_desktop_settings(
    app: AppHandle,
    core: State<'_, Core>,
) -> Result<DesktopSettings, AppError> {
    let mut settings = core.preferences.desktop_settings();
    settings.start_at_login = app.autolaunch().is_enabled().unwrap_or(false);
    Ok(settings)
}

/// Saves the settings and applies start-at-login to the system.
#[tauri::command]
pub async fn set_desktop_settings(
    app: AppHandle,
    core: State<'_, Core>,
    settings: DesktopSettings,
) -> Result<DesktopSettings, AppError> {
    let wanted = settings.start_at_login;
    let mut saved = core.preferences.set_desktop_settings(settings)?;
    let autolaunch = app.autolaunch();
    let applied = if wanted {
        autolaunch.enable()
    } else {
        autolaunch.disable()
    };
    if let Err(err) = applied {
        tracing::warn!(%err, "could not change start at login");
    }
    saved.start_at_login = autolaunch.is_enabled().unwrap_or(false);
    Ok(saved)
}

/// Starts the models the user chose to start with the app (a removed one is skipped, logged).
pub fn start_chosen_models(core: &Core) {
    let core = core.clone();
    tauri::async_runtime::spawn(async move {
        for (model_id, outcome) in core.start_models_for_launch().await {
            if let Err(err) = outcome {
                tracing::warn!(%model_id, %err, "a model chosen to start with the app did not start");
            }
        }
    });
}
