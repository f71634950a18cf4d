//! One operation table, three surfaces. The HTTP routes and the Tauri commands are derived from
//! `llmops_core::operations!`, and so is the UI's typed client (`ui/src/generated/operations.ts`,
//! kept current by the core's `bindings` test). What is left by hand is checked here:
//!
//! - the published routes stay (users script against them): renaming or removing one fails;
//! - every route is one of the table's operations, with the table's scope;
//! - each operation that the typed client leaves to the transports (streams, files, one-transport
//!   operations) is used by the UI's transport for it, through `OPERATIONS`, or listed apart with
//!   why the UI does not need it.

use std::collections::BTreeSet;
use std::path::Path;

use llmops_core::operations::{camel_case, specs, Surface};
use llmops_server::app::api_routes;

/// Every route published so far: (method, path). A change here is a breaking API change.
const PUBLISHED: &[(&str, &str)] = &[
    ("get", "/health"),
    ("get", "/openapi.json"),
    ("get", "/auth/whoami"),
    ("post", "/auth/logout"),
    ("get", "/access/keys"),
    ("post", "/access/keys"),
    ("delete", "/access/keys/{id}"),
    ("get", "/access/login-link"),
    ("post", "/access/rotate-token"),
    ("get", "/access/secrets"),
    ("get", "/system/status"),
    ("get", "/system/history"),
    ("get", "/alerts"),
    ("get", "/alerts/rules"),
    ("put", "/alerts/rules"),
    ("post", "/alerts/{id}/acknowledge"),
    ("get", "/models"),
    ("post", "/models"),
    ("post", "/models/deploy"),
    ("get", "/engines"),
    ("get", "/engines/presets"),
    ("get", "/models/{id}"),
    ("delete", "/models/{id}"),
    ("post", "/models/{id}/stop"),
    ("post", "/models/{id}/start"),
    ("get", "/models/{id}/logs"),
    ("get", "/instances"),
    ("get", "/instances/{id}"),
    ("post", "/instances/{id}/stop"),
    ("get", "/instances/{id}/logs"),
    ("post", "/chat/completions"),
    ("get", "/chat/search"),
    ("get", "/chat/endpoints"),
    ("post", "/chat/endpoints"),
    ("delete", "/chat/endpoints/{id}"),
    ("get", "/chat/endpoints/{id}/models"),
    ("get", "/chat/presets"),
    ("post", "/chat/presets"),
    ("delete", "/chat/presets/{id}"),
    ("get", "/conversations"),
    ("post", "/conversations"),
    ("get", "/conversations/{id}"),
    ("patch", "/conversations/{id}"),
    ("delete", "/conversations/{id}"),
    ("delete", "/conversations/{id}/messages/{message_id}"),
    ("post", "/conversations/{id}/turns"),
    ("get", "/conversations/{id}/export"),
    ("get", "/ws"),
];

/// Operations outside the typed client that the UI does not call, and why.
const NOT_USED_BY_THE_UI: &[&str] = &[
    "health",           // for monitors and scripts
    "openapi_document", // for people and tools that script against the API
    "chat_completions", // an unsaved stream, for scripts; the UI chats in conversations
];

fn repo(path: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .join(path),
    )
    .unwrap()
}

#[test]
fn published_routes_stay() {
    let served: BTreeSet<(&str, &str)> = api_routes().iter().map(|r| (r.method, r.path)).collect();
    for route in PUBLISHED {
        assert!(served.contains(route), "{route:?} was published: keep it");
    }
}

#[test]
fn every_route_is_an_operation_of_the_table() {
    let table: BTreeSet<(String, String, String, String)> = specs()
        .into_iter()
        .filter_map(|s| {
            let (method, path) = s.http?;
            Some((s.name.into(), method.into(), path.into(), s.scope?.into()))
        })
        .collect();
    let routes: BTreeSet<(String, String, String, String)> = api_routes()
        .into_iter()
        .map(|r| {
            (
                r.name.into(),
                r.method.into(),
                r.path.into(),
                r.scope.as_str().into(),
            )
        })
        .collect();
    assert_eq!(routes, table);
}

#[test]
fn the_transports_use_what_the_typed_client_leaves_to_them() {
    let http_ts = repo("ui/src/api/http.ts");
    let tauri_ts = repo("ui/src/api/tauri.ts")
        + &repo("ui/src/api/preferences.ts")
        + &repo("ui/src/api/notifications.ts");
    let generated = repo("ui/src/generated/operations.ts");
    let types = repo("ui/src/api/types.ts");
    assert!(
        types.contains("export interface LlmopsApi extends Operations"),
        "the UI's API is the typed client plus the transports' own members"
    );
    let mut problems = Vec::new();
    for spec in specs() {
        let name = camel_case(spec.name);
        let typed = generated.contains(&format!("  {name}: ("));
        if typed || NOT_USED_BY_THE_UI.contains(&spec.name) {
            continue;
        }
        let wanted: &[(&str, &String)] = match spec.surface {
            Surface::Both => &[("http.ts", &http_ts), ("tauri.ts", &tauri_ts)],
            Surface::Http => &[("http.ts", &http_ts)],
            Surface::Tauri => &[("tauri.ts", &tauri_ts)],
        };
        for (file, text) in wanted {
            if !text.contains(&format!("OPERATIONS.{name}")) {
                problems.push(format!(
                    "{file} never uses OPERATIONS.{name}: call it, or list it in NOT_USED_BY_THE_UI"
                ));
            }
        }
    }
    for name in NOT_USED_BY_THE_UI {
        assert!(
            specs().iter().any(|s| s.name == *name),
            "{name} is no operation any more"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
