//! The HTTP application: `/api/*` over the core's services, Prometheus `/metrics`, everything
//! else from the built UI.

use std::path::PathBuf;

use axum::routing::{delete, get, post};
use axum::Router;
use llmops_core::Core;

use crate::routes::{alerts, chat, conversations, events, instances, logs, models, system};
use crate::ui_files;

pub fn router(core: Core, ui_dir: PathBuf) -> Router {
    let api = Router::new()
        .route("/health", get(system::health))
        .route("/system/status", get(system::status))
        .route("/system/history", get(system::history))
        .route("/alerts", get(alerts::list))
        .route("/alerts/rules", get(alerts::rules).put(alerts::set_rules))
        .route("/models", get(models::list).post(models::add))
        .route("/models/deploy", post(models::deploy))
        .route("/engines", get(models::engines))
        .route("/engines/presets", get(models::presets))
        .route("/models/{id}", get(models::detail).delete(models::remove))
        .route("/models/{id}/stop", post(models::stop))
        .route("/models/{id}/start", post(models::start))
        .route("/models/{id}/logs", get(logs::follow))
        .route("/instances", get(instances::list))
        .route("/instances/{id}", get(instances::get))
        .route("/instances/{id}/stop", post(instances::stop))
        .route("/instances/{id}/logs", get(instances::logs))
        .route("/chat/completions", post(chat::completions))
        .route("/chat/search", get(chat::search))
        .route(
            "/chat/endpoints",
            get(chat::endpoints).post(chat::add_endpoint),
        )
        .route("/chat/endpoints/{id}", delete(chat::remove_endpoint))
        .route("/chat/endpoints/{id}/models", get(chat::endpoint_models))
        .route("/chat/presets", get(chat::presets).post(chat::save_preset))
        .route("/chat/presets/{id}", delete(chat::delete_preset))
        .route(
            "/conversations",
            get(conversations::list).post(conversations::create),
        )
        .route(
            "/conversations/{id}",
            get(conversations::get)
                .patch(conversations::update)
                .delete(conversations::delete),
        )
        .route(
            "/conversations/{id}/messages/{message_id}",
            delete(conversations::delete_message),
        )
        .route("/conversations/{id}/turns", post(conversations::turn))
        .route("/conversations/{id}/export", get(conversations::export))
        .route("/ws", get(events::websocket))
        .fallback(system::unknown_route)
        .with_state(core.clone());
    let metrics = Router::new()
        .route("/metrics", get(system::metrics))
        .with_state(core);
    Router::new()
        .merge(metrics)
        .nest("/api", api)
        .fallback_service(ui_files::service(ui_dir))
}
