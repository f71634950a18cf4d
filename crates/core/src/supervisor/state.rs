use serde::{Deserialize, Serialize};

use crate::error::ErrorBody;
use ts_rs::TS;

/// The life of one instance. Only the transitions in [`InstanceState::can_become`] happen.
///
/// ```text
/// Pending ──► Starting ──► Running ──► Stopping ──► Stopped
///    │           │  └────────┼────────────►│
///    └───────────┴───────────┴─────────────┴──► Failed(reason)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InstanceState {
    /// Accepted (port chosen, binary found); the process is being spawned.
    Pending,
    /// The process is spawned; its health endpoint has not answered yet.
    Starting,
    /// Healthy and serving.
    Running,
    /// A stop was requested; waiting for the process group to exit.
    Stopping,
    /// Stopped on request; the process group is gone.
    Stopped,
    /// Exited on its own, never became healthy, or could not be stopped cleanly.
    Failed {
        /// In English: a summary line, then the engine's last output.
        reason: String,
        /// The summary as a code and its values (e.g. `engine_exited_before_ready`, `{code}`),
        /// for a UI to say it in its own language.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        summary: Option<ErrorBody>,
        /// What the output suggests, as a code (e.g. `hint_out_of_memory`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        hint: Option<String>,
    },
}

impl InstanceState {
    /// Failed, with a reason in English only.
    pub fn failed(reason: impl Into<String>) -> InstanceState {
        InstanceState::Failed {
            reason: reason.into(),
            summary: None,
            hint: None,
        }
    }

    pub fn can_become(&self, next: &InstanceState) -> bool {
        use InstanceState::*;
        matches!(
            (self, next),
            (Pending, Starting)
                | (Pending, Failed { .. })
                | (Starting, Running)
                | (Starting | Running, Stopping)
                | (Stopping, Stopped)
                | (Starting | Running | Stopping, Failed { .. })
        )
    }

    pub fn is_terminal(&self) -> bool {
        matches!(self, InstanceState::Stopped | InstanceState::Failed { .. })
    }

    /// Past Starting: either serving or finished.
    pub fn is_settled(&self) -> bool {
        !matches!(self, InstanceState::Pending | InstanceState::Starting)
    }

    pub fn name(&self) -> &'static str {
        match self {
            InstanceState::Pending => "pending",
            InstanceState::Starting => "starting",
            InstanceState::Running => "running",
            InstanceState::Stopping => "stopping",
            InstanceState::Stopped => "stopped",
            InstanceState::Failed { .. } => "failed",
        }
    }

    pub fn reason(&self) -> Option<&str> {
        match self {
            InstanceState::Failed { reason, .. } => Some(reason),
            _ => None,
        }
    }

    /// A failure's summary and hint as codes.
    pub fn failure_codes(&self) -> (Option<&ErrorBody>, Option<&str>) {
        match self {
            InstanceState::Failed { summary, hint, .. } => (summary.as_ref(), hint.as_deref()),
            _ => (None, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::InstanceState::*;
    use super::*;

    fn failed() -> InstanceState {
        InstanceState::failed("x")
    }

    #[test]
    fn only_the_documented_transitions_are_allowed() {
        let all = [Pending, Starting, Running, Stopping, Stopped, failed()];
        let allowed: Vec<(&str, &str)> = all
            .iter()
            .flat_map(|from| {
                all.iter()
                    .filter(|to| from.can_become(to))
                    .map(move |to| (from.name(), to.name()))
            })
            .collect();
        assert_eq!(
            allowed,
            [
                ("pending", "starting"),
                ("pending", "failed"),
                ("starting", "running"),
                ("starting", "stopping"),
                ("starting", "failed"),
                ("running", "stopping"),
                ("running", "failed"),
                ("stopping", "stopped"),
                ("stopping", "failed"),
            ]
        );
    }

    #[test]
    fn terminal_states_are_final() {
        assert!(Stopped.is_terminal() && failed().is_terminal());
        assert!(!Running.is_terminal());
        assert_eq!(
            serde_json::to_value(failed()).unwrap(),
            serde_json::json!({"kind": "failed", "reason": "x"})
        );
    }
}
