use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The history views the dashboard offers.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
pub enum HistoryRange {
    #[serde(rename = "15m")]
    FifteenMinutes,
    #[default]
    #[serde(rename = "1h")]
    OneHour,
    #[serde(rename = "24h")]
    OneDay,
    #[serde(rename = "7d")]
    SevenDays,
}

impl HistoryRange {
    pub fn duration_ms(self) -> i64 {
        const MINUTE: i64 = 60_000;
        match self {
            HistoryRange::FifteenMinutes => 15 * MINUTE,
            HistoryRange::OneHour => 60 * MINUTE,
            HistoryRange::OneDay => 24 * 60 * MINUTE,
            HistoryRange::SevenDays => 7 * 24 * 60 * MINUTE,
        }
    }

    /// Width of one returned point: full rate in memory for short ranges, rollups for long ones.
    pub fn step_ms(self, sample_interval_ms: i64) -> i64 {
        match self {
            HistoryRange::FifteenMinutes | HistoryRange::OneHour => sample_interval_ms.max(1),
            HistoryRange::OneDay => 60_000,
            HistoryRange::SevenDays => 10 * 60_000,
        }
    }
}

/// `GET /api/system/history?range=1h&series=cpu.util,mem.used`.
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
pub struct HistoryQuery {
    /// `15m`, `1h` (the default), `24h` or `7d`.
    #[serde(default)]
    #[ts(optional)]
    pub range: Option<HistoryRange>,
    /// Comma-separated series keys; every series when absent.
    #[serde(default)]
    #[ts(optional)]
    pub series: Option<String>,
}

impl HistoryQuery {
    /// The series keys asked for, or `None` for all of them.
    pub fn series_keys(&self) -> Option<Vec<String>> {
        self.series.as_deref().map(|list| {
            list.split(',')
                .map(str::trim)
                .filter(|key| !key.is_empty())
                .map(String::from)
                .collect()
        })
    }
}

/// One bucket of a series: min, mean and max of the samples in `[t, t + step)`.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct HistoryPoint {
    #[ts(type = "number")]
    pub t: i64,
    pub min: f64,
    pub avg: f64,
    pub max: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct HistorySeries {
    /// e.g. `cpu.usage_percent`, `gpu.0.temperature_celsius`, `model.<id>.rss_bytes`.
    pub key: String,
    pub points: Vec<HistoryPoint>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct History {
    pub range: HistoryRange,
    #[ts(type = "number")]
    pub step_ms: i64,
    #[ts(type = "number")]
    pub from: i64,
    #[ts(type = "number")]
    pub to: i64,
    pub series: Vec<HistorySeries>,
}
