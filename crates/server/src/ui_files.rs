//! The built dashboard (`ui/dist`) as static files, with `index.html` for unknown paths.

use std::path::{Path, PathBuf};

use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::{get_service, MethodRouter};
use tower_http::services::{ServeDir, ServeFile};

/// `ui/dist` of the repository this binary was built from.
pub fn default_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../ui/dist")
}

pub fn service(dir: PathBuf) -> MethodRouter {
    let index = dir.join("index.html");
    if !index.is_file() {
        tracing::warn!(dir = %dir.display(), "the UI is not built; run `npm run build`");
        let message = format!(
            "<!doctype html><title>llmops</title><p>The dashboard is not built (no {}). Run <code>npm run build</code>, \
             or pass <code>--ui-dir</code>. The API is available under <code>/api</code>.</p>",
            index.display()
        );
        return axum::routing::get(move || async move {
            (StatusCode::SERVICE_UNAVAILABLE, Html(message))
        });
    }
    get_service(ServeDir::new(&dir).fallback(ServeFile::new(index)))
}
