//! Readiness: poll the engine's health endpoint until it answers 200.

use std::time::Duration;

const FIRST_DELAY: Duration = Duration::from_millis(20);
const MAX_DELAY: Duration = Duration::from_millis(200);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// Returns `true` once healthy, `false` when `within` elapses first. A loading llama-server
/// answers 503; a not-yet-listening one refuses the connection; both mean "keep waiting".
pub(super) async fn wait_healthy(http: &reqwest::Client, url: &str, within: Duration) -> bool {
    let poll = async {
        let mut delay = FIRST_DELAY;
        loop {
            if is_healthy(http, url).await {
                return;
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(MAX_DELAY);
        }
    };
    tokio::time::timeout(within, poll).await.is_ok()
}

pub(super) async fn is_healthy(http: &reqwest::Client, url: &str) -> bool {
    match http.get(url).timeout(REQUEST_TIMEOUT).send().await {
        Ok(response) => response.status().is_success(),
        Err(_) => false,
    }
}
