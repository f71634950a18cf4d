//! Readiness: poll the engine's health endpoint until it answers 200.

use std::time::Duration;

use tokio::sync::watch;

use super::log_ring::LogRing;

const FIRST_DELAY: Duration = Duration::from_millis(20);
const MAX_DELAY: Duration = Duration::from_millis(200);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// Returns `true` once healthy, `false` when `within` elapses first. A loading llama-server
/// answers 503; a not-yet-listening one refuses the connection; both mean "keep waiting".
/// Polls with backoff, and at once when the engine prints its `ready_marker`.
pub(super) async fn wait_healthy(
    http: &reqwest::Client,
    url: &str,
    api_key: Option<&str>,
    within: Duration,
    logs: &LogRing,
    ready_marker: Option<&str>,
) -> bool {
    let mut output = logs.subscribe();
    let mut next_seq = 0;
    let poll = async {
        let mut delay = FIRST_DELAY;
        loop {
            if is_healthy(http, url, api_key).await {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep(delay) => delay = (delay * 2).min(MAX_DELAY),
                _ = printed(logs, &mut output, &mut next_seq, ready_marker) => delay = FIRST_DELAY,
            }
        }
    };
    tokio::time::timeout(within, poll).await.is_ok()
}

/// Resolves when a new output line contains `marker`; never without a marker.
async fn printed(
    logs: &LogRing,
    output: &mut watch::Receiver<u64>,
    next_seq: &mut u64,
    marker: Option<&str>,
) {
    let Some(marker) = marker else {
        return std::future::pending().await;
    };
    loop {
        if output.changed().await.is_err() {
            return std::future::pending().await;
        }
        let lines = logs.read(Some(*next_seq), usize::MAX);
        if let Some(last) = lines.last() {
            *next_seq = last.seq + 1;
        }
        if lines.iter().any(|l| l.text.contains(marker)) {
            return;
        }
    }
}

pub(super) async fn is_healthy(http: &reqwest::Client, url: &str, api_key: Option<&str>) -> bool {
    let mut request = http.get(url).timeout(REQUEST_TIMEOUT);
    if let Some(key) = api_key {
        request = request.bearer_auth(key);
    }
    match request.send().await {
        Ok(response) => response.status().is_success(),
        Err(_) => false,
    }
}
