//! Automatic restarts after a failure, per the model's [`RestartPolicy`]: exponential backoff
//! (1 s, 2 s, 4 s, … at most 60 s) and a maximum number of consecutive attempts. A start by the
//! user, or a run of ten minutes before the failure, resets the count; a stop by the user or a
//! shutdown never triggers a restart.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use super::service::Shared;
use crate::library::RestartPolicy;

const FIRST_DELAY: Duration = Duration::from_secs(1);
const MAX_DELAY: Duration = Duration::from_secs(60);
/// An instance that ran this long before failing resets the model's restart count.
const STABLE_RUN: Duration = Duration::from_secs(10 * 60);

#[derive(Default)]
pub struct Restarts {
    attempts: Mutex<HashMap<String, u32>>,
    shutting_down: AtomicBool,
}

impl Restarts {
    pub fn reset(&self, model_id: &str) {
        self.lock().remove(model_id);
    }

    pub fn shut_down(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }

    /// The delay before the next attempt, or `None` when the policy says stop trying.
    fn next_attempt(&self, model_id: &str, policy: RestartPolicy) -> Option<(u32, Duration)> {
        let RestartPolicy::OnFailure { max_retries } = policy else {
            return None;
        };
        if self.shutting_down.load(Ordering::SeqCst) {
            return None;
        }
        let mut attempts = self.lock();
        let attempt = attempts.entry(model_id.to_string()).or_insert(0);
        if *attempt >= max_retries {
            return None;
        }
        *attempt += 1;
        Some((*attempt, backoff(*attempt)))
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, u32>> {
        self.attempts.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub fn backoff(attempt: u32) -> Duration {
    FIRST_DELAY
        .saturating_mul(1 << attempt.saturating_sub(1).min(16))
        .min(MAX_DELAY)
}

/// Called by an instance's task after it failed.
pub(super) fn after_failure(
    shared: &Arc<Shared>,
    model_id: &str,
    model_name: &str,
    policy: RestartPolicy,
    ran_for: Duration,
) {
    // Failures far apart are not a crash loop: a long healthy run starts the count afresh.
    if ran_for >= STABLE_RUN {
        shared.restarts.reset(model_id);
    }
    let Some((attempt, delay)) = shared.restarts.next_attempt(model_id, policy) else {
        if let RestartPolicy::OnFailure { max_retries } = policy {
            tracing::warn!(
                model = model_name,
                max_retries,
                "not restarting: the restart limit is reached"
            );
        }
        return;
    };
    tracing::info!(
        model = model_name,
        attempt,
        delay_ms = delay.as_millis() as u64,
        "restarting after a failure"
    );
    let shared = shared.clone();
    let model_id = model_id.to_string();
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        // The user may have started, stopped or removed it meanwhile, or the app may be quitting.
        if shared.restarts.shutting_down.load(Ordering::SeqCst)
            || shared.has_live_instance(&model_id)
        {
            return;
        }
        if let Err(err) = shared.launch(&model_id).await {
            tracing::error!(model = %model_id, %err, "automatic restart failed");
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_minute() {
        let delays: Vec<u64> = (1..=8).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60]);
    }

    #[test]
    fn attempts_are_limited_and_reset_by_the_user() {
        let restarts = Restarts::default();
        let policy = RestartPolicy::OnFailure { max_retries: 2 };
        assert_eq!(restarts.next_attempt("m", policy).map(|(a, _)| a), Some(1));
        assert_eq!(restarts.next_attempt("m", policy).map(|(a, _)| a), Some(2));
        assert_eq!(restarts.next_attempt("m", policy), None);
        restarts.reset("m");
        assert!(restarts.next_attempt("m", policy).is_some());
        assert_eq!(restarts.next_attempt("m", RestartPolicy::Never), None);
        restarts.shut_down();
        assert_eq!(restarts.next_attempt("other", policy), None);
    }
}
