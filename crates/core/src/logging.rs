//! Structured logs: JSON lines in the app's data dir (rotated daily, a week kept) plus a readable
//! stderr stream for whoever started the process.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter};

const KEPT_LOG_FILES: usize = 7;

/// Installs the global subscriber. Keep the returned guard alive: dropping it flushes the file log.
pub fn init(log_dir: &Path) -> Option<WorkerGuard> {
    let filter =
        || EnvFilter::try_from_env("LLMOPS_LOG").unwrap_or_else(|_| EnvFilter::new("info"));
    let stderr_layer = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter());
    // The data dir and the log dir are 0700: logs hold engine output and model paths.
    let private = |dir: &Path| crate::secure_fs::ensure_private_dir(dir);
    let file = log_dir
        .parent()
        .map_or(Ok(()), private)
        .and_then(|()| private(log_dir))
        .map_err(|e| e.to_string())
        .and_then(|()| {
            RollingFileAppender::builder()
                .rotation(Rotation::DAILY)
                .filename_prefix("llmops")
                .filename_suffix("jsonl")
                .max_log_files(KEPT_LOG_FILES)
                .build(log_dir)
                .map_err(|e| e.to_string())
        });
    match file {
        Ok(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let file_layer = fmt::layer()
                .json()
                .with_writer(writer)
                .with_filter(filter());
            let _ = tracing_subscriber::registry()
                .with(stderr_layer)
                .with(file_layer)
                .try_init();
            Some(guard)
        }
        Err(err) => {
            let _ = tracing_subscriber::registry().with(stderr_layer).try_init();
            tracing::warn!(dir = %log_dir.display(), %err, "file logging disabled: cannot create the log directory");
            None
        }
    }
}

use tracing_subscriber::Layer as _;
