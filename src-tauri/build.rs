// The window may call exactly the desktop's operations of the core's table (`both` and `tauri`
// entries): tauri-build generates an `allow-…` permission for each (with an app manifest, a
// command without one cannot be called at all), and `capabilities/default.json`, which grants
// them, is written here from the same table. Only the names are read, from the table's text at
// run time: cargo reruns this script when the table changes (it would not recompile a script
// that `include!`s a file of another package). `tests/app_commands.rs` checks the result
// against the compiled table.

const TABLE: &str = "../crates/core/src/operations/table.rs";

/// The table's entries that the desktop offers: `name [both …]` and `name [tauri]` lines.
fn desktop_commands() -> Vec<&'static str> {
    let table = std::fs::read_to_string(TABLE).expect("the operation table is readable");
    let table: &'static str = String::leak(table);
    table
        .lines()
        .filter_map(|line| {
            let (name, rest) = line.trim().split_once(" [")?;
            let surface = rest.split([' ', ']']).next()?;
            let is_name =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            (is_name && matches!(surface, "both" | "tauri")).then_some(name)
        })
        .collect()
}

const CAPABILITY: &str = "capabilities/default.json";

/// The capability, as JSON text: core IPC, events, channels, notifications, and every command.
fn capability(commands: &[&str]) -> String {
    let mut permissions = vec![
        "core:default".to_string(),
        "notification:default".to_string(),
    ];
    permissions.extend(
        commands
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-"))),
    );
    let list = permissions
        .iter()
        .map(|p| format!("    \"{p}\""))
        .collect::<Vec<_>>()
        .join(",\n");
    format!(
        "{{\n  \"$schema\": \"../gen/schemas/desktop-schema.json\",\n  \"identifier\": \"default\",\n  \
         \"description\": \"Written by build.rs from the operation table (crates/core/src/operations/table.rs); do not edit. What the dashboard window may call: the table's desktop commands, core IPC, events and channels, notifications.\",\n  \
         \"windows\": [\n    \"main\"\n  ],\n  \"permissions\": [\n{list}\n  ]\n}}\n"
    )
}

fn main() {
    let commands = desktop_commands();
    let wanted = capability(&commands);
    // Written only when it changes, so that an unchanged table does not rebuild the app.
    if std::fs::read_to_string(CAPABILITY).ok().as_deref() != Some(wanted.as_str()) {
        std::fs::write(CAPABILITY, wanted).expect("capabilities/default.json is writable");
    }
    let commands: &'static [&'static str] = Vec::leak(commands);
    let manifest = tauri_build::AppManifest::new().commands(commands);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("tauri build script failed");
    // The built dashboard is embedded at compile time (custom-protocol), but tauri-build does not
    // watch it: without this a UI-only change would leave the old UI in the binary.
    println!("cargo:rerun-if-changed=../ui/dist");
    println!("cargo:rerun-if-changed={TABLE}");
}
