//! What the gateway shows: its models, their settings, and every request it measured.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::engine::EngineKind;
use crate::error::ErrorBody;

/// Default idle time after which a model the gateway started is stopped (Ollama uses 5 min).
pub const DEFAULT_IDLE_TTL_SECS: u32 = 600;
/// Default number of requests that may wait for a busy model before more get 429.
pub const DEFAULT_QUEUE_LIMIT: u32 = 64;
/// Largest queue a model may be given.
pub const MAX_QUEUE_LIMIT: u32 = 10_000;
/// Largest concurrency limit a model may be given.
pub const MAX_CONCURRENCY: u32 = 1024;
/// Most aliases per model, and the longest alias.
pub const MAX_ALIASES: usize = 16;
pub const MAX_ALIAS_LEN: usize = 128;
/// Default and largest days of request records kept.
pub const DEFAULT_RETENTION_DAYS: u32 = 14;
pub const MAX_RETENTION_DAYS: u32 = 365;

/// How the gateway treats one model. Stored per model; every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(default)]
pub struct GatewayModelSettings {
    /// Seconds without a request after which the gateway stops this model, when the gateway
    /// started it; 0 = never. A request's `keep_alive` may set it for the running instance.
    pub idle_ttl_secs: u32,
    /// More names a client may use for this model (e.g. `gpt-4o-mini` for a tool that insists).
    pub aliases: Vec<String>,
    /// Requests answered at once; `None` = the engine's parallel slots.
    #[ts(optional)]
    pub concurrency: Option<u32>,
    /// Requests that may wait beyond `concurrency`; more get 429.
    pub queue_limit: u32,
    /// Models of one group run together: starting one never stops another of its group.
    #[ts(optional)]
    pub group: Option<String>,
    /// Never stopped to make room, nor when idle.
    pub pinned: bool,
    /// Keep request and response bodies (first 64 KiB each) with each request record.
    pub log_bodies: bool,
}

impl Default for GatewayModelSettings {
    fn default() -> Self {
        GatewayModelSettings {
            idle_ttl_secs: DEFAULT_IDLE_TTL_SECS,
            aliases: Vec::new(),
            concurrency: None,
            queue_limit: DEFAULT_QUEUE_LIMIT,
            group: None,
            pinned: false,
            log_bodies: false,
        }
    }
}

/// Settings of the gateway as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(default)]
pub struct GatewaySettings {
    /// Days request records are kept.
    pub retention_days: u32,
}

impl Default for GatewaySettings {
    fn default() -> Self {
        GatewaySettings {
            retention_days: DEFAULT_RETENTION_DAYS,
        }
    }
}

/// A configured model as the gateway serves it.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct GatewayModel {
    /// The stable name clients send as `model` (derived from the model's name).
    pub name: String,
    /// Other accepted names: the configured aliases, the display name, the model id.
    pub aliases: Vec<String>,
    pub model_id: String,
    pub display_name: String,
    pub engine: EngineKind,
    /// `stopped`, or the live instance's state (`starting`, `running`, `stopping`, …).
    pub state: String,
    #[ts(optional)]
    pub instance_id: Option<String>,
    /// The gateway started the live instance (so it may stop it when idle or to make room).
    pub started_by_gateway: bool,
    pub in_flight: u32,
    pub queued: u32,
    /// Requests answered at once (the setting, or the engine's parallel slots).
    pub concurrency: u32,
    /// When the gateway will stop it if no request comes (ms since the epoch).
    #[ts(optional, type = "number")]
    pub idle_stop_at: Option<i64>,
    pub settings: GatewayModelSettings,
}

/// The gateway's state for the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct GatewayStatus {
    /// Base URLs clients can use (`http://127.0.0.1:8765/v1`, and the LAN one when served
    /// there); empty when this process serves no HTTP.
    pub addresses: Vec<String>,
    /// Why this process serves no `/v1` (e.g. the desktop app's port is taken), when it does not.
    #[ts(optional)]
    pub unavailable: Option<String>,
    /// How other devices on the local network reach `/v1`.
    pub lan: LanReach,
    pub models: Vec<GatewayModel>,
    pub settings: GatewaySettings,
}

/// Serving `/v1` (and the dashboard) to the local network, behind API keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS, schemars::JsonSchema)]
pub struct LanReach {
    /// Other devices can connect (with an API key or a login).
    pub enabled: bool,
    /// This app can switch it on and off ("Serve on local network", the desktop app); `llmops
    /// serve` decides by its `--host` instead.
    pub switchable: bool,
    /// The LAN base URL of `/v1` as an SVG QR code, for a phone.
    #[ts(optional)]
    pub qr_svg: Option<String>,
}

/// Whether the desktop app serves the local network.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct LanServing {
    pub enabled: bool,
}

/// How a request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequestOutcome {
    /// Still being answered.
    InProgress,
    /// Answered completely (any status the engine chose, 2xx).
    Ok,
    /// The engine answered with an error status.
    EngineError,
    /// Refused by the gateway (unknown model, full queue, start failed, …).
    Rejected,
    /// The engine went away or broke the stream.
    Failed,
    /// The client went away before the end.
    ClientClosed,
}

impl RequestOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            RequestOutcome::InProgress => "in_progress",
            RequestOutcome::Ok => "ok",
            RequestOutcome::EngineError => "engine_error",
            RequestOutcome::Rejected => "rejected",
            RequestOutcome::Failed => "failed",
            RequestOutcome::ClientClosed => "client_closed",
        }
    }

    pub fn parse(s: &str) -> Option<RequestOutcome> {
        [
            RequestOutcome::InProgress,
            RequestOutcome::Ok,
            RequestOutcome::EngineError,
            RequestOutcome::Rejected,
            RequestOutcome::Failed,
            RequestOutcome::ClientClosed,
        ]
        .into_iter()
        .find(|o| o.as_str() == s)
    }
}

/// One request through `/v1`, measured as it passed. Times are milliseconds; latencies count
/// from when llmops received the request (so TTFT and E2EL include the queue and an on-demand
/// start, as a client sees them). Definitions follow vLLM's benchmark (`docs/GATEWAY.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct RequestRecord {
    pub id: String,
    #[ts(type = "number")]
    pub received_at: i64,
    /// The `model` the client asked for.
    pub model: String,
    #[ts(optional)]
    pub model_id: Option<String>,
    /// The stable name of the model that the request went to (metrics and charts use it).
    #[ts(optional)]
    pub model_name: Option<String>,
    #[ts(optional)]
    pub instance_id: Option<String>,
    /// The API key's name, or the client's address.
    pub client: String,
    /// The path below `/v1`, e.g. `/chat/completions`.
    pub endpoint: String,
    pub streamed: bool,
    /// HTTP status sent to the client (0 while unknown).
    pub status: u16,
    pub outcome: RequestOutcome,
    #[ts(optional)]
    pub error: Option<ErrorBody>,
    /// Waiting for an on-demand start (and for room to be made).
    #[ts(optional)]
    pub start_wait_ms: Option<f64>,
    /// Waiting in the model's queue for a free slot.
    #[ts(optional)]
    pub queue_ms: Option<f64>,
    /// To the first chunk that carries `choices` (streamed), or to the whole answer.
    #[ts(optional)]
    pub ttft_ms: Option<f64>,
    /// To the last token chunk (streamed) or the last byte.
    #[ts(optional)]
    pub e2el_ms: Option<f64>,
    /// (E2EL − TTFT) / (completion tokens − 1).
    #[ts(optional)]
    pub tpot_ms: Option<f64>,
    /// Gaps between token chunks (per chunk, as vLLM's ITL).
    #[ts(optional)]
    pub itl_p50_ms: Option<f64>,
    #[ts(optional)]
    pub itl_p95_ms: Option<f64>,
    #[ts(optional)]
    pub itl_max_ms: Option<f64>,
    #[ts(optional)]
    pub prompt_tokens: Option<u32>,
    #[ts(optional)]
    pub completion_tokens: Option<u32>,
    /// Prompt tokens the engine reused from its cache (llama.cpp `timings.cache_n`, OpenAI
    /// `prompt_tokens_details.cached_tokens`).
    #[ts(optional)]
    pub cached_tokens: Option<u32>,
    /// Completion tokens were counted from the stream's chunks: the engine reported none.
    pub tokens_counted: bool,
    /// Bodies, only when the model's `log_bodies` is on (each cut at 64 KiB).
    #[ts(optional)]
    pub request_body: Option<String>,
    #[ts(optional)]
    pub response_body: Option<String>,
}

/// Which request records to list, newest first.
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
pub struct RequestQuery {
    /// The requested model name or a model id.
    #[serde(default)]
    #[ts(optional)]
    pub model: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub outcome: Option<RequestOutcome>,
    /// Only the requests one instance (a run) answered.
    #[serde(default)]
    #[ts(optional)]
    pub instance_id: Option<String>,
    /// Only records received before this time (ms), for paging back.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub before: Option<i64>,
    /// At most this many (default 100, at most 1000).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

/// Which span of time the request charts cover.
#[derive(Debug, Clone, Default, Deserialize, TS, schemars::JsonSchema)]
pub struct RequestSeriesQuery {
    /// Minutes back from now (default 60, at most 7 days).
    #[serde(default)]
    #[ts(optional)]
    pub minutes: Option<u32>,
}

/// One model's requests in one time bucket, for the charts.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct RequestSeriesPoint {
    /// Bucket start (ms).
    #[ts(type = "number")]
    pub at: i64,
    pub model: String,
    pub requests: u32,
    pub errors: u32,
    #[ts(optional)]
    pub ttft_p50_ms: Option<f64>,
    /// Decode speed, 1000 / median TPOT.
    #[ts(optional)]
    pub tokens_per_second: Option<f64>,
}

/// Per-model charts over a span, with the bucket size used.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct RequestSeries {
    #[ts(type = "number")]
    pub bucket_ms: i64,
    pub points: Vec<RequestSeriesPoint>,
}

/// What one instance answered through the gateway: the request figures of a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct InstanceRequestStats {
    pub requests: u32,
    pub succeeded: u32,
    /// Engine errors, broken streams and refusals.
    pub failed: u32,
    /// Clients that went away before the end.
    pub client_closed: u32,
    #[ts(type = "number")]
    pub prompt_tokens: u64,
    #[ts(type = "number")]
    pub completion_tokens: u64,
    pub ttft_p50_ms: Option<f64>,
    pub ttft_p95_ms: Option<f64>,
    pub e2el_p50_ms: Option<f64>,
    pub e2el_p95_ms: Option<f64>,
    pub tpot_p50_ms: Option<f64>,
    /// More records than were read: the figures are over the first ones.
    pub truncated: bool,
}
