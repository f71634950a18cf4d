//! The tray icon: each model with its state and a one-click Start/Stop, Open, and Quit (which
//! stops every model this app started, through the exit hook in `lib.rs`).

use llmops_core::supervisor::{InstanceInfo, InstanceState};
use llmops_core::Core;
use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

pub const TRAY_ID: &str = "main";
const OPEN: &str = "open";
const CONNECT: &str = "connect";
const QUIT: &str = "quit";
const START_PREFIX: &str = "start:";
const STOP_PREFIX: &str = "stop:";

pub fn install(app: &AppHandle, core: &Core) -> tauri::Result<()> {
    let menu = tauri::async_runtime::block_on(build_menu(app, core))?;
    let mut builder = TrayIconBuilder::with_id(TRAY_ID)
        .tooltip("LLM Local Ops Center")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(on_menu_event);
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    builder.build(app)?;
    Ok(())
}

pub async fn refresh(app: &AppHandle, core: &Core) {
    let Some(tray) = app.tray_by_id(TRAY_ID) else {
        return;
    };
    match build_menu(app, core).await {
        Ok(menu) => {
            let _ = tray.set_menu(Some(menu));
        }
        Err(err) => tracing::warn!(%err, "could not rebuild the tray menu"),
    }
    let instances = core.supervisor.list();
    let _ = tray.set_tooltip(Some(tooltip(&instances)));
    let _ = tray.set_icon(Some(icon_for(app, &instances)));
}

/// The tray shows at a glance when a model is starting (amber dot) or has failed (red dot).
fn icon_for(app: &AppHandle, instances: &[InstanceInfo]) -> Image<'static> {
    // Only each model's latest instance counts: a model that failed and runs again is fine.
    let mut latest: std::collections::HashMap<&str, &InstanceInfo> =
        std::collections::HashMap::new();
    for instance in instances {
        latest.insert(&instance.model_id, instance);
    }
    let failed = latest
        .values()
        .any(|i| matches!(i.state, InstanceState::Failed { .. }));
    let starting = latest
        .values()
        .any(|i| matches!(i.state, InstanceState::Pending | InstanceState::Starting));
    let bytes: Option<&[u8]> = match (failed, starting) {
        (true, _) => Some(include_bytes!("../../icons/tray-failed.png")),
        (false, true) => Some(include_bytes!("../../icons/tray-starting.png")),
        (false, false) => None,
    };
    bytes
        .and_then(|b| Image::from_bytes(b).ok())
        .or_else(|| app.default_window_icon().map(|i| i.clone().to_owned()))
        .unwrap_or_else(|| Image::new_owned(vec![0; 4], 1, 1))
}

async fn build_menu(app: &AppHandle, core: &Core) -> tauri::Result<Menu<tauri::Wry>> {
    let menu = Menu::new(app)?;
    let models = core.library.list().await.unwrap_or_default();
    for model in &models {
        let item = match core.supervisor.live_instance(&model.id) {
            Some(instance) => MenuItem::with_id(
                app,
                format!("{STOP_PREFIX}{}", instance.id),
                format!("■ Stop {} ({})", model.name, instance.state.name()),
                matches!(
                    instance.state,
                    InstanceState::Pending | InstanceState::Starting | InstanceState::Running
                ),
                None::<&str>,
            )?,
            None => MenuItem::with_id(
                app,
                format!("{START_PREFIX}{}", model.id),
                format!("▶ Start {}", model.name),
                true,
                None::<&str>,
            )?,
        };
        menu.append(&item)?;
    }
    if models.is_empty() {
        menu.append(&MenuItem::with_id(
            app,
            "none",
            "No models yet",
            false,
            None::<&str>,
        )?)?;
    }
    menu.append(&PredefinedMenuItem::separator(app)?)?;
    menu.append(&MenuItem::with_id(
        app,
        CONNECT,
        gateway_label(core).await,
        true,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(
        app,
        OPEN,
        "Open dashboard",
        true,
        None::<&str>,
    )?)?;
    menu.append(&MenuItem::with_id(
        app,
        QUIT,
        "Quit (stops all models)",
        true,
        None::<&str>,
    )?)?;
    Ok(menu)
}

/// Where other tools reach the models (opens the Requests page, with the snippets to copy).
async fn gateway_label(core: &Core) -> String {
    match core.gateway.status().await {
        Ok(status) => match status.addresses.first() {
            Some(address) => format!("OpenAI API: {address} (connect your tools…)"),
            None => "OpenAI API: not served (see the Requests page)".to_string(),
        },
        Err(_) => "OpenAI API…".to_string(),
    }
}

fn tooltip(instances: &[InstanceInfo]) -> String {
    let count = |name: &str| instances.iter().filter(|i| i.state.name() == name).count();
    let (running, starting, failed) = (count("running"), count("starting"), count("failed"));
    let mut parts = vec![format!("{running} running")];
    if starting > 0 {
        parts.push(format!("{starting} starting"));
    }
    if failed > 0 {
        parts.push(format!("{failed} failed"));
    }
    format!("LLM Local Ops Center: {}", parts.join(", "))
}

fn on_menu_event(app: &AppHandle, event: MenuEvent) {
    let id = event.id.as_ref().to_string();
    let core = app.state::<Core>().inner().clone();
    if id == OPEN || id == CONNECT {
        crate::desktop::show_window(app);
        if let (CONNECT, Some(window)) = (id.as_str(), app.get_webview_window("main")) {
            let _ = window.eval("location.hash = '#/requests'");
        }
    } else if id == QUIT {
        crate::desktop::confirm_quit(app);
    } else if let Some(model_id) = id.strip_prefix(START_PREFIX) {
        let model_id = model_id.to_string();
        tauri::async_runtime::spawn(async move {
            if let Err(err) = core.supervisor.start(&model_id).await {
                tracing::error!(%err, "tray start failed");
            }
        });
    } else if let Some(instance_id) = id.strip_prefix(STOP_PREFIX) {
        let instance_id = instance_id.to_string();
        tauri::async_runtime::spawn(async move {
            if let Err(err) = core.supervisor.stop(&instance_id).await {
                tracing::error!(%err, "tray stop failed");
            }
        });
    }
}
