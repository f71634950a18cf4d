fn main() {
    // The app's config lives at the repository root, beside package.json.
    tauri_build::try_build(tauri_build::Attributes::new().config_path("../tauri.conf.json"))
        .expect("tauri build script failed");
}
