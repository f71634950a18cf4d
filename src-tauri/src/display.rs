//! A desktop window needs a display; without one, say what to do instead of a GTK panic.

pub fn check() -> Result<(), String> {
    if cfg!(target_os = "linux") {
        let has = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if !has("DISPLAY") && !has("WAYLAND_DISPLAY") {
            return Err("no display found (neither DISPLAY nor WAYLAND_DISPLAY is set). \
                        Run `npm run serve` for the headless server and open the dashboard in a browser."
                .to_string());
        }
    }
    Ok(())
}
