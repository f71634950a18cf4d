//! The dashboard's files: embedded into the binary at build time (`build.rs`), so an installed
//! `llmops serve` needs no checkout, or read from a folder given with `--ui-dir` (development).
//! Unknown paths without a file extension get `index.html` (the app's own routes); a missing
//! file with an extension is a 404, so a stale page asking for an old asset learns it plainly.

use std::path::PathBuf;

use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get_service, MethodRouter};
use tower_http::services::{ServeDir, ServeFile};

/// One file of `ui/dist`, built into the binary.
pub struct EmbeddedFile {
    pub path: &'static str,
    pub bytes: &'static [u8],
    pub etag: &'static str,
}

/// `ui/dist` as it was when this binary was built (empty when it was not built).
static EMBEDDED: &[EmbeddedFile] = include!(concat!(env!("OUT_DIR"), "/embedded_ui.rs"));

/// Where the dashboard comes from.
#[derive(Debug, Clone, Default)]
pub enum UiSource {
    /// The files built into this binary.
    #[default]
    Embedded,
    /// A folder such as the repository's `ui/dist` (`--ui-dir`), read at each request.
    Dir(PathBuf),
}

impl UiSource {
    /// Whether it has a dashboard to serve.
    pub fn is_available(&self) -> bool {
        match self {
            UiSource::Embedded => embedded("index.html").is_some(),
            UiSource::Dir(dir) => dir.join("index.html").is_file(),
        }
    }
}

fn embedded(path: &str) -> Option<&'static EmbeddedFile> {
    EMBEDDED
        .binary_search_by(|file| file.path.cmp(path))
        .ok()
        .map(|i| &EMBEDDED[i])
}

pub fn service(source: UiSource) -> MethodRouter {
    if !source.is_available() {
        return not_built(&source);
    }
    match source {
        UiSource::Embedded => axum::routing::get(serve_embedded),
        UiSource::Dir(dir) => {
            let index = dir.join("index.html");
            get_service(ServeDir::new(&dir).fallback(ServeFile::new(index)))
        }
    }
}

fn not_built(source: &UiSource) -> MethodRouter {
    let missing = match source {
        UiSource::Embedded => "this build of llmops has no dashboard inside".to_string(),
        UiSource::Dir(dir) => format!("no {}", dir.join("index.html").display()),
    };
    tracing::warn!(%missing, "the UI is not built; run `npm run build`");
    let message = format!(
        "<!doctype html><title>llmops</title><p>The dashboard is not built ({missing}). Run \
         <code>npm run build</code>, or pass <code>--ui-dir</code>. The API is available under \
         <code>/api</code>.</p>"
    );
    axum::routing::get(move || async move { (StatusCode::SERVICE_UNAVAILABLE, Html(message)) })
}

/// Content types by file extension; anything else is served as bytes.
const CONTENT_TYPES: [(&str, &str); 12] = [
    ("html", "text/html; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("mjs", "text/javascript; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("json", "application/json"),
    ("webmanifest", "application/manifest+json"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
    ("ico", "image/x-icon"),
    ("woff2", "font/woff2"),
    ("txt", "text/plain; charset=utf-8"),
    ("map", "application/json"),
];

fn content_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, ext)| ext);
    CONTENT_TYPES
        .iter()
        .find(|(ext, _)| *ext == extension)
        .map_or("application/octet-stream", |(_, mime)| mime)
}

/// Vite names every file under `assets/` by its content hash, so a browser may keep it forever;
/// everything else (`index.html`, `sw.js`, the manifest) is checked again each time.
fn cache_control(path: &str) -> &'static str {
    if path.starts_with("assets/") {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    }
}

async fn serve_embedded(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let requested = uri.path().trim_start_matches('/');
    let requested = if requested.is_empty() {
        "index.html"
    } else {
        requested
    };
    let last_segment = requested.rsplit('/').next().unwrap_or_default();
    let file = match embedded(requested) {
        Some(file) => file,
        // An app route such as `/models/abc`: the app decides what to show.
        None if !last_segment.contains('.') => embedded("index.html").expect("checked at start"),
        None => return (StatusCode::NOT_FOUND, "no such file in the dashboard").into_response(),
    };
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|tags| tags.as_bytes() == file.etag.as_bytes());
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else if method == Method::HEAD {
        StatusCode::OK.into_response()
    } else {
        file.bytes.into_response()
    };
    let out = response.headers_mut();
    out.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(file.path)),
    );
    out.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control(file.path)),
    );
    out.insert(header::ETAG, HeaderValue::from_static(file.etag));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_table_is_sorted_for_binary_search() {
        assert!(EMBEDDED.windows(2).all(|w| w[0].path < w[1].path));
    }

    #[test]
    fn content_types_and_caching_follow_the_file() {
        assert_eq!(
            content_type("assets/index-abc.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type("manifest.webmanifest"),
            "application/manifest+json"
        );
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
        assert_eq!(
            cache_control("assets/index-abc.js"),
            "public, max-age=31536000, immutable"
        );
        assert_eq!(cache_control("sw.js"), "no-cache");
        assert_eq!(cache_control("index.html"), "no-cache");
    }
}
