//! One operation, three surfaces: the HTTP route (`app.rs`'s table), the Tauri command
//! (`src-tauri/app_commands.rs`) and the typed UI client method (`ui/src/api/types.ts`, with its
//! `http.ts` and `tauri.ts` implementations). The table below pairs them; the test fails when a
//! route is renamed or removed, a command deleted, or a client method added or dropped on one
//! side only. Surfaces that exist on one side by design are listed apart, with why.

use std::collections::BTreeSet;
use std::path::Path;

use llmops_server::app::API_ROUTES;

/// (UI client method, HTTP route, Tauri command).
const OPERATIONS: &[(&str, Option<(&str, &str)>, Option<&str>)] = &[
    ("whoami", Some(("get", "/auth/whoami")), Some("whoami")),
    (
        "listApiKeys",
        Some(("get", "/access/keys")),
        Some("list_api_keys"),
    ),
    (
        "createApiKey",
        Some(("post", "/access/keys")),
        Some("create_api_key"),
    ),
    (
        "revokeApiKey",
        Some(("delete", "/access/keys/{id}")),
        Some("revoke_api_key"),
    ),
    (
        "loginLink",
        Some(("get", "/access/login-link")),
        Some("login_link"),
    ),
    (
        "rotateServerToken",
        Some(("post", "/access/rotate-token")),
        Some("rotate_server_token"),
    ),
    (
        "secretStoreInfo",
        Some(("get", "/access/secrets")),
        Some("secret_store_info"),
    ),
    (
        "systemStatus",
        Some(("get", "/system/status")),
        Some("system_status"),
    ),
    (
        "systemHistory",
        Some(("get", "/system/history")),
        Some("system_history"),
    ),
    ("listAlerts", Some(("get", "/alerts")), Some("list_alerts")),
    (
        "getAlertRules",
        Some(("get", "/alerts/rules")),
        Some("get_alert_rules"),
    ),
    (
        "setAlertRules",
        Some(("put", "/alerts/rules")),
        Some("set_alert_rules"),
    ),
    (
        "acknowledgeAlert",
        Some(("post", "/alerts/{id}/acknowledge")),
        Some("acknowledge_alert"),
    ),
    ("listModels", Some(("get", "/models")), Some("list_models")),
    ("addModel", Some(("post", "/models")), Some("add_model")),
    (
        "deployModel",
        Some(("post", "/models/deploy")),
        Some("deploy_model"),
    ),
    (
        "modelDetail",
        Some(("get", "/models/{id}")),
        Some("model_detail"),
    ),
    (
        "removeModel",
        Some(("delete", "/models/{id}")),
        Some("remove_model"),
    ),
    (
        "startModel",
        Some(("post", "/models/{id}/start")),
        Some("start_model"),
    ),
    (
        "stopModel",
        Some(("post", "/models/{id}/stop")),
        Some("stop_model"),
    ),
    (
        "listInstances",
        Some(("get", "/instances")),
        Some("list_instances"),
    ),
    (
        "stopInstance",
        Some(("post", "/instances/{id}/stop")),
        Some("stop_instance"),
    ),
    (
        "instanceLogs",
        Some(("get", "/instances/{id}/logs")),
        Some("instance_logs"),
    ),
    (
        "enginesInfo",
        Some(("get", "/engines")),
        Some("engines_info"),
    ),
    (
        "deployPresets",
        Some(("get", "/engines/presets")),
        Some("deploy_presets"),
    ),
    (
        "listConversations",
        Some(("get", "/conversations")),
        Some("list_conversations"),
    ),
    (
        "createConversation",
        Some(("post", "/conversations")),
        Some("create_conversation"),
    ),
    (
        "getConversation",
        Some(("get", "/conversations/{id}")),
        Some("get_conversation"),
    ),
    (
        "updateConversation",
        Some(("patch", "/conversations/{id}")),
        Some("update_conversation"),
    ),
    (
        "deleteConversation",
        Some(("delete", "/conversations/{id}")),
        Some("delete_conversation"),
    ),
    (
        "deleteChatMessage",
        Some(("delete", "/conversations/{id}/messages/{message_id}")),
        Some("delete_chat_message"),
    ),
    (
        "chatTurn",
        Some(("post", "/conversations/{id}/turns")),
        Some("chat_turn"),
    ),
    (
        "searchConversations",
        Some(("get", "/chat/search")),
        Some("search_conversations"),
    ),
    (
        "exportConversation",
        Some(("get", "/conversations/{id}/export")),
        Some("save_conversation_export"),
    ),
    (
        "listChatEndpoints",
        Some(("get", "/chat/endpoints")),
        Some("list_chat_endpoints"),
    ),
    (
        "addChatEndpoint",
        Some(("post", "/chat/endpoints")),
        Some("add_chat_endpoint"),
    ),
    (
        "removeChatEndpoint",
        Some(("delete", "/chat/endpoints/{id}")),
        Some("remove_chat_endpoint"),
    ),
    (
        "chatEndpointModels",
        Some(("get", "/chat/endpoints/{id}/models")),
        Some("chat_endpoint_models"),
    ),
    (
        "listChatPresets",
        Some(("get", "/chat/presets")),
        Some("list_chat_presets"),
    ),
    (
        "saveChatPreset",
        Some(("post", "/chat/presets")),
        Some("save_chat_preset"),
    ),
    (
        "deleteChatPreset",
        Some(("delete", "/chat/presets/{id}")),
        Some("delete_chat_preset"),
    ),
    // A browser session ends on the server; the desktop window has none.
    ("logout", Some(("post", "/auth/logout")), None),
];

/// HTTP routes with no client method or command, and why.
const HTTP_ONLY: &[(&str, &str)] = &[
    ("get", "/health"),            // for monitors and scripts
    ("get", "/openapi.json"),      // the API document
    ("get", "/instances/{id}"),    // for scripts; the UI gets instances by event
    ("get", "/models/{id}/logs"),  // the browser's live log WebSocket (desktop: events)
    ("get", "/ws"),                // the browser's event WebSocket (desktop: Tauri events)
    ("post", "/chat/completions"), // a stream from a running instance, for scripts; the UI chats in conversations
];

/// Tauri commands with no HTTP route, and why.
const TAURI_ONLY: &[&str] = &[
    "chat_cancel",     // the browser cancels by closing the SSE connection
    "load_preference", // the browser keeps preferences in localStorage
    "save_preference",
];

/// Client members that are not operations.
const CLIENT_ONLY: &[&str] = &["cancel", "onEvent", "onConnectionChange"];

fn repo(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path),
    )
    .unwrap()
}

fn tauri_commands() -> BTreeSet<String> {
    repo("src-tauri/app_commands.rs")
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix('"')?
                .split('"')
                .next()
                .map(str::to_string)
        })
        .collect()
}

/// Method names of the `LlmopsApi` interface.
fn client_methods() -> BTreeSet<String> {
    let types = repo("ui/src/api/types.ts");
    let start = types
        .find("export interface LlmopsApi")
        .expect("the client interface");
    let body = &types[start..];
    let body = &body[..body.find("\n}").unwrap()];
    body.lines()
        .filter_map(|l| {
            let l = l.trim();
            let name: String = l
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric())
                .collect();
            (!name.is_empty() && l[name.len()..].starts_with('(')).then_some(name)
        })
        .collect()
}

/// `/models/{id}/start` as it appears in a TS template literal: `/models/${…}/start`.
fn appears_in_http_client(http_ts: &str, path: &str) -> bool {
    let pieces: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    http_ts.lines().any(|line| {
        let Some(at) = line.find("/api/") else {
            return false;
        };
        let used: Vec<&str> = line[at + 5..]
            .split(['?', '`', '\'', '"'])
            .next()
            .unwrap_or_default()
            .split('/')
            // `…/logs${qs}`: a query string appended in the literal is not part of the path.
            .map(|u| {
                if u.starts_with("${") {
                    u
                } else {
                    u.split("${").next().unwrap_or(u)
                }
            })
            .collect();
        used.len() == pieces.len()
            && used
                .iter()
                .zip(&pieces)
                .all(|(u, p)| u == p || (p.starts_with('{') && u.starts_with("${")))
    })
}

#[test]
fn routes_commands_and_client_agree() {
    let routes: BTreeSet<(String, String)> = API_ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    let commands = tauri_commands();
    let methods = client_methods();
    let (http_ts, tauri_ts) = (repo("ui/src/api/http.ts"), repo("ui/src/api/tauri.ts"));
    let mut problems = Vec::new();

    let mut covered_routes = BTreeSet::new();
    let mut covered_commands = BTreeSet::new();
    for (method, http, tauri) in OPERATIONS {
        if !methods.contains(*method) {
            problems.push(format!("client method {method} is not in LlmopsApi"));
        }
        for (file, text) in [("http.ts", &http_ts), ("tauri.ts", &tauri_ts)] {
            if !text.contains(&format!("{method}(")) {
                problems.push(format!("{file} does not implement {method}"));
            }
        }
        if let Some((verb, path)) = http {
            let key = (verb.to_string(), path.to_string());
            if !routes.contains(&key) {
                problems.push(format!("{method}: no route {verb} {path}"));
            }
            if !appears_in_http_client(&http_ts, path) {
                problems.push(format!("{method}: http.ts never calls /api{path}"));
            }
            covered_routes.insert(key);
        }
        if let Some(command) = tauri {
            if !commands.contains(*command) {
                problems.push(format!("{method}: no Tauri command {command}"));
            }
            if !tauri_ts.contains(&format!("'{command}'")) {
                problems.push(format!("{method}: tauri.ts never invokes {command}"));
            }
            covered_commands.insert(command.to_string());
        }
    }
    for (verb, path) in HTTP_ONLY {
        covered_routes.insert((verb.to_string(), path.to_string()));
    }
    for route in routes.difference(&covered_routes) {
        problems.push(format!(
            "route {} {} has no client method: add it to OPERATIONS or HTTP_ONLY",
            route.0, route.1
        ));
    }
    for command in &commands {
        if !covered_commands.contains(command) && !TAURI_ONLY.contains(&command.as_str()) {
            problems.push(format!(
                "Tauri command {command} is in no operation: add it to OPERATIONS or TAURI_ONLY"
            ));
        }
    }
    let listed: BTreeSet<&str> = OPERATIONS
        .iter()
        .map(|(m, ..)| *m)
        .chain(CLIENT_ONLY.iter().copied())
        .collect();
    for method in &methods {
        if !listed.contains(method.as_str()) {
            problems.push(format!("client method {method} is in no operation"));
        }
    }
    assert!(
        problems.is_empty(),
        "the surfaces disagree:\n{}",
        problems.join("\n")
    );
}
