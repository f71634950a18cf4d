//! The headless side of LLM Local Ops Center as a library: the HTTP application (`app`) and its
//! security layer (`security`), used by the `llmops` binary and by the benchmarks.

mod api_error;
pub mod app;
pub mod openapi;
pub mod operations;
mod routes;
pub mod security;
mod ui_files;

pub use ui_files::default_dir as default_ui_dir;
