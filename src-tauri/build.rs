include!("app_commands.rs");

fn main() {
    // The app's config lives at the repository root, beside package.json. With an app manifest,
    // the window may call only the commands it lists (Tauri otherwise allows every command).
    let manifest = tauri_build::AppManifest::new().commands(APP_COMMANDS);
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(manifest),
    )
    .expect("tauri build script failed");
    // The built dashboard is embedded at compile time (custom-protocol), but tauri-build does not
    // watch it: without this a UI-only change would leave the old UI in the binary.
    println!("cargo:rerun-if-changed=../ui/dist");
    println!("cargo:rerun-if-changed=app_commands.rs");
}
