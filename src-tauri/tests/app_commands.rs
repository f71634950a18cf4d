//! The window may call exactly the desktop's operations of the core's table: the capability that
//! grants them (written by `build.rs`) names each, and nothing else. The handler list is derived
//! from the same table (`src/commands.rs`), so a command that the table names but nobody writes
//! does not compile.

use std::collections::BTreeSet;

use llmops_core::operations::{specs, Surface};

fn capability_grants() -> BTreeSet<String> {
    let capability: serde_json::Value =
        serde_json::from_str(include_str!("../capabilities/default.json")).unwrap();
    capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect()
}

#[test]
fn the_capability_grants_exactly_the_desktop_operations() {
    let desktop: BTreeSet<String> = specs()
        .into_iter()
        .filter(|s| s.surface != Surface::Http)
        .map(|s| s.name.to_string())
        .collect();
    assert_eq!(capability_grants(), desktop);
    // Serving-only operations never reach the window.
    for http_only in ["openapi_document", "events", "logout", "chat_completions"] {
        assert!(!capability_grants().contains(http_only), "{http_only}");
    }
}
