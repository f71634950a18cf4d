//! The HTTP application: `/api/*` over the core's services, everything else from the built UI.

use std::path::PathBuf;

use axum::routing::{delete, get, post};
use axum::Router;
use llmops_core::Core;

use crate::routes::{chat, events, instances, models, system};
use crate::ui_files;

pub fn router(core: Core, ui_dir: PathBuf) -> Router {
    let api = Router::new()
        .route("/health", get(system::health))
        .route("/system/status", get(system::status))
        .route("/models", get(models::list).post(models::add))
        .route("/models/{id}", delete(models::remove))
        .route("/models/{id}/start", post(models::start))
        .route("/instances", get(instances::list))
        .route("/instances/{id}", get(instances::get))
        .route("/instances/{id}/stop", post(instances::stop))
        .route("/instances/{id}/logs", get(instances::logs))
        .route("/chat/completions", post(chat::completions))
        .route("/ws", get(events::websocket))
        .fallback(system::unknown_route)
        .with_state(core);
    Router::new()
        .nest("/api", api)
        .fallback_service(ui_files::service(ui_dir))
}
