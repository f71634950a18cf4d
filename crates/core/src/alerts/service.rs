use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use thiserror::Error;

use super::hysteresis::{next_active, Direction};
use super::types::{Alert, AlertKind, AlertList, AlertRules, AlertSeverity, Threshold};
use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::events::{Event, EventBus};
use crate::monitor::{GpuStatus, SystemSnapshot};
use crate::store::{Store, StoreError};
use crate::supervisor::{InstanceInfo, InstanceState};
use crate::time::now_ms;

const RULES_KEY: &str = "alert_rules";
const RECENT_KEPT: usize = 100;

#[derive(Debug, Error)]
pub enum AlertError {
    #[error("Invalid alert rules: {0}")]
    InvalidRules(String),
    #[error("No active alert with id {0}; it may have cleared already")]
    NotFound(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl CodedError for AlertError {
    fn code(&self) -> &'static str {
        match self {
            AlertError::InvalidRules(_) => "alert_rules_invalid",
            AlertError::NotFound(_) => "alert_not_found",
            AlertError::Store(e) => e.code(),
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            AlertError::InvalidRules(detail) => vec![("detail", detail.clone())],
            AlertError::NotFound(id) => vec![("id", id.clone())],
            AlertError::Store(e) => e.params(),
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            AlertError::InvalidRules(_) => ErrorKind::InvalidInput,
            AlertError::NotFound(_) => ErrorKind::NotFound,
            AlertError::Store(_) => ErrorKind::Internal,
        }
    }
}

/// A threshold check on one subject in one snapshot.
struct Observation {
    key: String,
    kind: AlertKind,
    subject: String,
    value: f64,
    threshold: Threshold,
    direction: Direction,
    message: String,
    detail: Option<crate::error::ErrorBody>,
}

struct State {
    rules: AlertRules,
    active: HashMap<String, Alert>,
    recent: VecDeque<Alert>,
}

/// Raises and clears alerts from snapshots and instance failures; publishes `system_alert`. A
/// cheap-clone handle: every clone sees the same alerts.
#[derive(Clone)]
pub struct AlertService {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    bus: EventBus,
    state: Mutex<State>,
}

impl AlertService {
    pub async fn load(store: Store, bus: EventBus) -> Result<AlertService, StoreError> {
        let rules = match store.setting(RULES_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_else(|err| {
                tracing::warn!(%err, "stored alert rules are unreadable; using the defaults");
                AlertRules::default()
            }),
            None => AlertRules::default(),
        };
        let state = State {
            rules,
            active: HashMap::new(),
            recent: VecDeque::new(),
        };
        Ok(AlertService {
            shared: Arc::new(Shared {
                store,
                bus,
                state: Mutex::new(state),
            }),
        })
    }

    pub fn rules(&self) -> AlertRules {
        self.lock().rules.clone()
    }

    pub async fn set_rules(&self, rules: AlertRules) -> Result<AlertRules, AlertError> {
        validate(&rules).map_err(AlertError::InvalidRules)?;
        let json = serde_json::to_string(&rules).expect("rules serialise");
        self.shared.store.set_setting(RULES_KEY, &json).await?;
        self.lock().rules = rules.clone();
        Ok(rules)
    }

    pub fn list(&self) -> AlertList {
        let state = self.lock();
        let mut active: Vec<Alert> = state.active.values().cloned().collect();
        active.sort_by_key(|a| std::cmp::Reverse(a.raised_at));
        AlertList {
            active,
            recent: state.recent.iter().cloned().collect(),
        }
    }

    pub fn active(&self) -> Vec<Alert> {
        self.list().active
    }

    /// Checks every threshold rule against a snapshot.
    pub fn evaluate(&self, snapshot: &SystemSnapshot) {
        let rules = self.rules();
        let observations = observe(snapshot, &rules);
        let mut state = self.lock();
        let mut changes = Vec::new();
        for o in &observations {
            let active = state.active.contains_key(&o.key);
            match (
                active,
                next_active(active, o.value, &o.threshold, o.direction),
            ) {
                (false, true) => changes.push(raise(&mut state, o)),
                (true, false) => changes.extend(clear(&mut state, &o.key)),
                _ => {}
            }
        }
        // A subject that is gone (GPU removed, folder unmounted) or a rule switched off clears.
        let observed: Vec<&str> = observations.iter().map(|o| o.key.as_str()).collect();
        let stale: Vec<String> = state
            .active
            .iter()
            .filter(|(key, a)| {
                a.kind != AlertKind::InstanceFailed && !observed.contains(&key.as_str())
            })
            .map(|(key, _)| key.clone())
            .collect();
        for key in stale {
            changes.extend(clear(&mut state, &key));
        }
        if !rules.instance_failed {
            let failed: Vec<String> = state
                .active
                .iter()
                .filter(|(_, a)| a.kind == AlertKind::InstanceFailed)
                .map(|(k, _)| k.clone())
                .collect();
            for key in failed {
                changes.extend(clear(&mut state, &key));
            }
        }
        drop(state);
        self.publish(changes);
    }

    /// A failed instance raises an alert for its model; the model running again clears it.
    pub fn on_instance(&self, info: &InstanceInfo) {
        let key = format!("instance_failed:{}", info.model_id);
        let mut state = self.lock();
        let change = match &info.state {
            InstanceState::Failed {
                reason, summary, ..
            } if state.rules.instance_failed && !state.active.contains_key(&key) => {
                let first_line = reason.lines().next().unwrap_or_default();
                Some(raise(
                    &mut state,
                    &Observation {
                        key,
                        kind: AlertKind::InstanceFailed,
                        subject: info.model_name.clone(),
                        value: f64::NAN,
                        threshold: Threshold {
                            enabled: true,
                            raise_at: f64::NAN,
                            clear_at: f64::NAN,
                        },
                        direction: Direction::Above,
                        message: format!("{} failed: {first_line}", info.model_name),
                        detail: summary.clone(),
                    },
                ))
            }
            InstanceState::Pending | InstanceState::Starting | InstanceState::Running => {
                clear(&mut state, &key)
            }
            _ => None,
        };
        drop(state);
        self.publish(change.into_iter().collect());
    }

    /// Marks an active alert as seen: it stays until its cause goes, but no longer counts as new.
    pub fn acknowledge(&self, id: &str) -> Result<Alert, AlertError> {
        let mut state = self.lock();
        let alert = state
            .active
            .values_mut()
            .find(|a| a.id == id)
            .ok_or_else(|| AlertError::NotFound(id.to_string()))?;
        alert.acknowledged_at.get_or_insert_with(now_ms);
        let alert = alert.clone();
        drop(state);
        self.shared.bus.publish(Event::SystemAlert(alert.clone()));
        Ok(alert)
    }

    /// A removed model's failure alert has no cause left: it clears.
    pub fn on_model_removed(&self, model_id: &str) {
        let key = format!("instance_failed:{model_id}");
        let change = clear(&mut self.lock(), &key);
        self.publish(change.into_iter().collect());
    }

    fn publish(&self, alerts: Vec<Alert>) {
        for alert in alerts {
            match alert.cleared_at {
                None => {
                    tracing::warn!(kind = ?alert.kind, subject = %alert.subject, message = %alert.message, "alert raised")
                }
                Some(_) => {
                    tracing::info!(kind = ?alert.kind, subject = %alert.subject, "alert cleared")
                }
            }
            self.shared.bus.publish(Event::SystemAlert(alert));
        }
    }

    /// One lock over rules, active and recent alerts: an observation reads the rules and moves
    /// alerts between the two lists as one step, and no lock is held across an await. A panic
    /// while holding it leaves consistent data (each step completes before unlocking), so a
    /// poisoned lock is taken over.
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn raise(state: &mut State, o: &Observation) -> Alert {
    let alert = Alert {
        id: uuid::Uuid::new_v4().to_string(),
        kind: o.kind,
        subject: o.subject.clone(),
        severity: if matches!(o.kind, AlertKind::InstanceFailed | AlertKind::GpuLost) {
            AlertSeverity::Critical
        } else {
            AlertSeverity::Warning
        },
        message: o.message.clone(),
        detail: o.detail.clone(),
        value: Some(o.value).filter(|v| v.is_finite()),
        threshold: Some(o.threshold.raise_at).filter(|v| v.is_finite()),
        raised_at: now_ms(),
        cleared_at: None,
        acknowledged_at: None,
    };
    state.active.insert(o.key.clone(), alert.clone());
    alert
}

fn clear(state: &mut State, key: &str) -> Option<Alert> {
    let mut alert = state.active.remove(key)?;
    alert.cleared_at = Some(now_ms());
    state.recent.push_front(alert.clone());
    state.recent.truncate(RECENT_KEPT);
    Some(alert)
}

/// What a snapshot says against each enabled rule.
fn observe(s: &SystemSnapshot, rules: &AlertRules) -> Vec<Observation> {
    let mut out = gpu_observations(s, rules);
    out.extend(host_memory_observation(s, rules));
    out.extend(disk_observations(s, rules));
    out.retain(|o| o.threshold.enabled && o.value.is_finite());
    // Several folders on one file system give one alert.
    out.dedup_by(|a, b| a.key == b.key);
    out
}

fn gpu_observations(s: &SystemSnapshot, rules: &AlertRules) -> Vec<Observation> {
    let GpuStatus::Available { gpus, .. } = &s.gpu else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for g in gpus {
        let subject = format!(
            "GPU {} ({})",
            g.index,
            g.name.as_deref().unwrap_or("unknown")
        );
        let id = g.uuid.clone().unwrap_or_else(|| g.index.to_string());
        // Always observed, so that the GPU answering again clears it.
        out.push(Observation {
            key: format!("gpu_lost:{id}"),
            kind: AlertKind::GpuLost,
            message: format!("{subject} fell off the bus and does not answer; check it with nvidia-smi (a reset or reboot may be needed)"),
            subject: subject.clone(),
            value: if g.lost { 1.0 } else { 0.0 },
            threshold: Threshold {
                enabled: true,
                raise_at: 1.0,
                clear_at: 0.5,
            },
            direction: Direction::Above,
            detail: None,
        });
        if let Some(t) = g.temperature_celsius {
            let r = rules.gpu_temperature_celsius;
            out.push(Observation {
                key: format!("gpu_temperature:{id}"),
                kind: AlertKind::GpuTemperature,
                message: format!("{subject} is at {t} °C (alert at {} °C)", r.raise_at),
                subject: subject.clone(),
                value: t as f64,
                threshold: r,
                direction: Direction::Above,
                detail: None,
            });
        }
        if let (Some(used), Some(total)) =
            (g.memory_used_bytes, g.memory_total_bytes.filter(|t| *t > 0))
        {
            let percent = used as f64 * 100.0 / total as f64;
            let r = rules.gpu_memory_percent;
            out.push(Observation {
                key: format!("gpu_memory:{id}"),
                kind: AlertKind::GpuMemory,
                message: format!(
                    "{subject} memory is {percent:.0}% full (alert at {}%)",
                    r.raise_at
                ),
                subject: subject.clone(),
                value: percent,
                threshold: r,
                direction: Direction::Above,
                detail: None,
            });
        }
    }
    out
}

fn host_memory_observation(s: &SystemSnapshot, rules: &AlertRules) -> Option<Observation> {
    if s.memory.total_bytes == 0 {
        return None;
    }
    let percent = s.memory.used_bytes as f64 * 100.0 / s.memory.total_bytes as f64;
    let r = rules.host_memory_percent;
    Some(Observation {
        key: "host_memory".into(),
        kind: AlertKind::HostMemory,
        subject: s.hostname.clone(),
        value: percent,
        threshold: r,
        direction: Direction::Above,
        message: format!(
            "Host memory is {percent:.0}% used (alert at {}%)",
            r.raise_at
        ),
        detail: None,
    })
}

fn disk_observations(s: &SystemSnapshot, rules: &AlertRules) -> Vec<Observation> {
    let r = rules.disk_free_percent;
    s.disks
        .iter()
        .filter(|d| d.total_bytes > 0)
        .map(|d| {
            let percent = d.available_bytes as f64 * 100.0 / d.total_bytes as f64;
            Observation {
                key: format!("disk:{}", d.mount_point),
                kind: AlertKind::DiskSpace,
                subject: d.mount_point.clone(),
                value: percent,
                threshold: r,
                direction: Direction::Below,
                message: format!(
                    "Only {percent:.0}% free on {} (holding {}; alert below {}%)",
                    d.mount_point, d.folder, r.raise_at
                ),
                detail: None,
            }
        })
        .collect()
}

fn validate(rules: &AlertRules) -> Result<(), String> {
    let check = |name: &str,
                 t: &Threshold,
                 range: (f64, f64),
                 direction: Direction|
     -> Result<(), String> {
        if !t.raise_at.is_finite() || !t.clear_at.is_finite() {
            return Err(format!("{name}: thresholds must be numbers"));
        }
        for v in [t.raise_at, t.clear_at] {
            if v < range.0 || v > range.1 {
                return Err(format!("{name}: {v} is outside {}–{}", range.0, range.1));
            }
        }
        match direction {
            Direction::Above if t.clear_at >= t.raise_at => Err(format!(
                "{name}: clear ({}) must be below raise ({})",
                t.clear_at, t.raise_at
            )),
            Direction::Below if t.clear_at <= t.raise_at => Err(format!(
                "{name}: clear ({}) must be above raise ({})",
                t.clear_at, t.raise_at
            )),
            _ => Ok(()),
        }
    };
    check(
        "GPU temperature",
        &rules.gpu_temperature_celsius,
        (0.0, 150.0),
        Direction::Above,
    )?;
    check(
        "GPU memory",
        &rules.gpu_memory_percent,
        (0.0, 100.0),
        Direction::Above,
    )?;
    check(
        "host memory",
        &rules.host_memory_percent,
        (0.0, 100.0),
        Direction::Above,
    )?;
    check(
        "disk free",
        &rules.disk_free_percent,
        (0.0, 100.0),
        Direction::Below,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{CpuStats, GpuStats, MemoryStats, NetworkStats};

    fn snapshot(temperature: u32) -> SystemSnapshot {
        SystemSnapshot {
            at: 0,
            hostname: "box".into(),
            cpu: CpuStats {
                brand: String::new(),
                logical_cores: 1,
                usage_percent: 0.0,
                per_core_percent: vec![],
                load_average: Some([0.0; 3]),
            },
            memory: MemoryStats {
                total_bytes: 100,
                used_bytes: 10,
                available_bytes: 90,
                swap_total_bytes: 0,
                swap_used_bytes: 0,
            },
            disks: vec![],
            network: NetworkStats {
                rx_bytes_per_second: 0.0,
                tx_bytes_per_second: 0.0,
            },
            gpu: GpuStatus::Available {
                driver_version: None,
                cuda_version: None,
                gpus: vec![GpuStats {
                    index: 0,
                    name: Some("H100".into()),
                    temperature_celsius: Some(temperature),
                    ..Default::default()
                }],
            },
            instances: vec![],
            series: Default::default(),
        }
    }

    #[tokio::test]
    async fn a_lost_gpu_is_a_critical_alert_that_clears_when_it_answers_again() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        let alerts = AlertService::load(store, EventBus::default())
            .await
            .unwrap();
        let mut lost = snapshot(60);
        if let GpuStatus::Available { gpus, .. } = &mut lost.gpu {
            gpus[0].lost = true;
            gpus[0].temperature_celsius = None;
        }
        alerts.evaluate(&lost);
        alerts.evaluate(&lost);
        let active = alerts.active();
        assert_eq!(active.len(), 1, "{active:?}");
        assert_eq!(active[0].kind, AlertKind::GpuLost);
        assert_eq!(active[0].severity, AlertSeverity::Critical);
        assert!(active[0].message.contains("GPU 0 (H100) fell off the bus"));
        alerts.evaluate(&snapshot(60));
        assert!(alerts.active().is_empty());
        assert_eq!(alerts.list().recent[0].kind, AlertKind::GpuLost);
    }

    #[tokio::test]
    async fn an_oscillating_temperature_raises_once_and_clears_once_on_the_bus() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        let bus = EventBus::default();
        let mut events = bus.subscribe();
        let alerts = AlertService::load(store, bus).await.unwrap();
        for t in [80, 86, 84, 85, 82, 86, 81, 79, 84] {
            alerts.evaluate(&snapshot(t));
        }
        let mut published = Vec::new();
        while let Ok(Event::SystemAlert(a)) = events.try_recv() {
            published.push(a);
        }
        assert_eq!(published.len(), 2, "{published:?}");
        assert_eq!(
            (
                published[0].cleared_at.is_none(),
                published[1].cleared_at.is_some()
            ),
            (true, true)
        );
        assert_eq!(published[0].id, published[1].id);
        assert_eq!(published[0].value, Some(86.0));
        assert!(published[0].message.contains("GPU 0 (H100) is at 86 °C"));
        let list = alerts.list();
        assert!(list.active.is_empty());
        assert_eq!(list.recent.len(), 1);
    }

    #[tokio::test]
    async fn rules_are_validated_persisted_and_applied() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        let alerts = AlertService::load(store.clone(), EventBus::default())
            .await
            .unwrap();
        let mut bad = AlertRules::default();
        bad.disk_free_percent.clear_at = 5.0;
        assert_eq!(
            alerts.set_rules(bad).await.unwrap_err().code(),
            "alert_rules_invalid"
        );
        let mut rules = AlertRules::default();
        rules.gpu_temperature_celsius = Threshold {
            enabled: true,
            raise_at: 60.0,
            clear_at: 55.0,
        };
        alerts.set_rules(rules.clone()).await.unwrap();
        let reloaded = AlertService::load(store, EventBus::default())
            .await
            .unwrap();
        assert_eq!(reloaded.rules(), rules);
        reloaded.evaluate(&snapshot(61));
        assert_eq!(reloaded.list().active.len(), 1);
        // Switching the rule off clears what it raised.
        rules.gpu_temperature_celsius.enabled = false;
        reloaded.set_rules(rules).await.unwrap();
        reloaded.evaluate(&snapshot(61));
        assert!(reloaded.list().active.is_empty());
    }

    #[tokio::test]
    async fn an_alert_is_acknowledged_in_place_and_a_removed_models_failure_clears() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite")).await.unwrap();
        let alerts = AlertService::load(store, EventBus::default())
            .await
            .unwrap();
        alerts.evaluate(&snapshot(90));
        let raised = alerts.active()[0].clone();
        assert!(raised.acknowledged_at.is_none());
        let seen = alerts.acknowledge(&raised.id).unwrap();
        assert!(seen.acknowledged_at.is_some());
        assert_eq!(
            alerts.active()[0].id,
            raised.id,
            "still active while its cause lasts"
        );
        assert_eq!(
            alerts.acknowledge("nope").unwrap_err().code(),
            "alert_not_found"
        );

        let failed = InstanceInfo {
            id: "i".into(),
            model_id: "m1".into(),
            model_name: "Gone".into(),
            served_model: "g".into(),
            engine: crate::engine::EngineKind::LlamaCpp,
            port: 1,
            pid: None,
            state: InstanceState::failed(
                "The engine exited with code 1 before becoming ready.\nLast output:\nerror: no GPU",
            ),
            base_url: "http://127.0.0.1:1/v1".into(),
            binary: "b".into(),
            binary_source: "PATH".into(),
            binary_version: None,
            context_size: 2048,
            gpus: None,
            started_at: 0,
            updated_at: 0,
        };
        alerts.on_instance(&failed);
        assert_eq!(alerts.active().len(), 2);
        let failure = alerts
            .active()
            .into_iter()
            .find(|a| a.kind == AlertKind::InstanceFailed)
            .unwrap();
        assert_eq!(
            failure.message, "Gone failed: The engine exited with code 1 before becoming ready.",
            "the summary line, nothing dangling"
        );
        alerts.on_model_removed("m1");
        assert_eq!(
            alerts.active().len(),
            1,
            "the removed model's alert cleared"
        );
    }
}
