//! The floor under the desktop app's footprint: the same Tauri and WebKitGTK build, one window
//! with one small page, and nothing else (no core, no tray, no plugins, no dashboard).
//! `bench/startup.mjs` measures it beside the app, so the app's memory reads as a ratio to what
//! any Tauri window costs here. Build: `cargo build --release --example floor -p llmops-desktop`.

fn main() {
    let mut context = tauri::generate_context!();
    // The app's own window (the dashboard) is declared in tauri.conf.json: not this one's.
    context.config_mut().app.windows.clear();
    tauri::Builder::default()
        .setup(|app| {
            // The page to show: `FLOOR_URL` (the benchmark serves a page of one word; a page
            // gets WebKit's web process, which about:blank, the default, does without).
            let url = std::env::var("FLOOR_URL").unwrap_or_else(|_| "about:blank".into());
            let page = tauri::WebviewUrl::External(url.parse()?);
            tauri::WebviewWindowBuilder::new(app, "floor", page)
                .title("floor")
                .inner_size(1200.0, 820.0)
                .build()?;
            Ok(())
        })
        .run(context)
        .expect("the floor window runs");
}
