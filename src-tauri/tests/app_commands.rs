//! The commands the window may call are listed once (`app_commands.rs`); the handler list in
//! `src/lib.rs` and the capability that grants them must name exactly the same commands, so a new
//! command is opt-in and none is forgotten.

use std::collections::BTreeSet;

include!("../app_commands.rs");

fn handler_list() -> BTreeSet<String> {
    let lib = include_str!("../src/lib.rs");
    let start =
        lib.find("generate_handler![").expect("a handler list") + "generate_handler![".len();
    let end = start + lib[start..].find(']').expect("the list ends");
    lib[start..end]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.rsplit("::").next().unwrap().to_string())
        .collect()
}

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
fn listed_commands_handlers_and_capability_agree() {
    let listed: BTreeSet<String> = APP_COMMANDS.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        listed.len(),
        APP_COMMANDS.len(),
        "a command is listed twice"
    );
    assert_eq!(
        handler_list(),
        listed,
        "src/lib.rs generate_handler! vs app_commands.rs"
    );
    assert_eq!(
        capability_grants(),
        listed,
        "capabilities/default.json vs app_commands.rs"
    );
}
