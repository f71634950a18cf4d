//! `llmops-core`: all domain logic of LLM Local Ops Center, with no UI or transport dependency.
//!
//! [`Core`] (`core_handle.rs`) wires the services together; adapters (`llmops` headless server, the Tauri
//! desktop app) only translate their transport to calls on these services and forward [`events`].
//!
//! - [`access`]: the server token, API keys with scopes, browser sessions.
//! - [`secrets`]: the OS keyring, or a 0600 file, for API keys and engine secrets.
//! - [`library`]: the models the user has configured (the starter model is registered on first run).
//! - [`engine`]: how to find and launch an inference engine (llama.cpp's `llama-server` today).
//! - [`supervisor`]: running instances of models as child processes, with an explicit state machine.
//! - [`monitor`]: CPU, memory, disks, network, NVIDIA GPUs and per-instance resources.
//! - [`history`]: metric history in memory and as SQLite rollups.
//! - [`alerts`]: threshold alerts with hysteresis.
//! - [`chat`]: streaming chat completions from a running instance.
//! - [`gateway`]: the OpenAI-compatible `/v1` endpoint: routing, on-demand starts, queues, metrics.
//! - [`hub`]: models on this computer (indexed in place), GGUF headers, fit estimates.
//! - [`store`]: the SQLite database (WAL, migrations) behind the services.
//! - [`events`]: one typed event bus that adapters forward to the UI.
//! - [`operations`]: every operation the adapters offer, declared once (`operations!`).

pub mod access;
pub mod alerts;
pub mod bench;
pub mod bounded_lines;
pub mod chat;
pub mod config;
pub mod engine;
pub mod error;
pub mod events;
pub mod gateway;
pub mod history;
pub mod hub;
pub mod lazy_client;
pub mod library;
pub mod logging;
pub mod monitor;
pub mod operations;
pub mod paths;
pub mod platform;
pub mod preferences;
pub mod prometheus;
pub mod runs;
pub mod runtimes;
pub mod secrets;
pub mod secure_fs;
pub mod store;
pub mod supervisor;
pub mod sweeps;
pub mod time;

mod core_engines;
mod core_handle;
mod core_placement;
pub use core_handle::{Core, CoreError};

#[cfg(test)]
mod bindings;
