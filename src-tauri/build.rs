fn main() {
    // The app's config lives at the repository root, beside package.json.
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri build script failed");
    // The built dashboard is embedded at compile time (custom-protocol), but tauri-build does not
    // watch it: without this a UI-only change would leave the old UI in the binary.
    println!("cargo:rerun-if-changed=../ui/dist");
}
