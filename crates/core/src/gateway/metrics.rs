//! The gateway's Prometheus series: requests by model and status, TTFT, ITL and E2EL
//! histograms, tokens; queue depth and in-flight gauges are read from the lanes when rendered.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

use super::types::RequestRecord;

/// Seconds; close to vLLM's buckets for the same series.
const TTFT_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    20.0, 40.0, 80.0, 160.0, 640.0,
];
const ITL_BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0,
    7.5, 10.0, 20.0, 40.0, 80.0,
];
const E2EL_BUCKETS: &[f64] = &[
    0.01, 0.05, 0.1, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0,
    60.0, 120.0, 240.0, 480.0, 960.0, 1920.0,
];

struct Histogram {
    bounds: &'static [f64],
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: vec![0; bounds.len()],
            sum: 0.0,
            count: 0,
        }
    }

    fn observe(&mut self, value: f64) {
        if let Some(i) = self.bounds.iter().position(|b| value <= *b) {
            self.counts[i] += 1;
        }
        self.sum += value;
        self.count += 1;
    }
}

#[derive(Default)]
struct PerModel {
    requests: BTreeMap<u16, u64>,
    prompt_tokens: u64,
    completion_tokens: u64,
    ttft: Option<Histogram>,
    itl: Option<Histogram>,
    e2el: Option<Histogram>,
}

#[derive(Default)]
pub struct GatewayMetrics {
    /// One lock for all models: updated once per finished request, read once per scrape.
    models: Mutex<BTreeMap<String, PerModel>>,
}

/// Gauges read from the lanes at render time: (model, queued, in flight).
pub type LaneGauges = Vec<(String, u32, u32)>;

impl GatewayMetrics {
    pub fn record(&self, record: &RequestRecord, gaps_ms: &[f64]) {
        let mut models = self.models.lock().unwrap_or_else(|p| p.into_inner());
        // By the model that answered, never by what a client typed: labels stay bounded.
        let label = record.model_name.as_deref().unwrap_or("unknown");
        let m = models.entry(label.to_string()).or_default();
        *m.requests.entry(record.status).or_default() += 1;
        m.prompt_tokens += u64::from(record.prompt_tokens.unwrap_or(0));
        m.completion_tokens += u64::from(record.completion_tokens.unwrap_or(0));
        if let Some(ttft) = record.ttft_ms {
            m.ttft
                .get_or_insert_with(|| Histogram::new(TTFT_BUCKETS))
                .observe(ttft / 1000.0);
        }
        if let Some(e2el) = record.e2el_ms {
            m.e2el
                .get_or_insert_with(|| Histogram::new(E2EL_BUCKETS))
                .observe(e2el / 1000.0);
        }
        if !gaps_ms.is_empty() {
            let itl = m.itl.get_or_insert_with(|| Histogram::new(ITL_BUCKETS));
            for gap in gaps_ms {
                itl.observe(gap / 1000.0);
            }
        }
    }

    /// Prometheus text exposition (0.0.4).
    pub fn render(&self, lanes: &LaneGauges) -> String {
        let models = self.models.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = String::new();
        family(
            &mut out,
            "llmops_requests_total",
            "counter",
            "Requests through /v1 by model and HTTP status.",
        );
        for (model, m) in models.iter() {
            for (status, n) in &m.requests {
                let _ = writeln!(
                    out,
                    "llmops_requests_total{{model=\"{}\",status=\"{status}\"}} {n}",
                    escape(model)
                );
            }
        }
        for (name, help, pick) in [
            (
                "llmops_prompt_tokens_total",
                "Prompt tokens of requests through /v1.",
                (|m: &PerModel| m.prompt_tokens) as fn(&PerModel) -> u64,
            ),
            (
                "llmops_completion_tokens_total",
                "Completion tokens of requests through /v1.",
                |m: &PerModel| m.completion_tokens,
            ),
        ] {
            family(&mut out, name, "counter", help);
            for (model, m) in models.iter() {
                let _ = writeln!(out, "{name}{{model=\"{}\"}} {}", escape(model), pick(m));
            }
        }
        type Pick = fn(&PerModel) -> Option<&Histogram>;
        let histograms: [(&str, &str, Pick); 3] = [
            ("llmops_request_ttft_seconds", "Time to first token of streamed requests through /v1 (from receipt, queue included).", |m| m.ttft.as_ref()),
            ("llmops_request_itl_seconds", "Gaps between token chunks of streamed requests through /v1.", |m| m.itl.as_ref()),
            ("llmops_request_e2el_seconds", "End-to-end latency of requests through /v1.", |m| m.e2el.as_ref()),
        ];
        for (name, help, pick) in histograms {
            family(&mut out, name, "histogram", help);
            for (model, m) in models.iter() {
                if let Some(h) = pick(m) {
                    histogram(&mut out, name, &escape(model), h);
                }
            }
        }
        type Gauge = fn(&(String, u32, u32)) -> u32;
        let gauges: [(&str, &str, Gauge); 2] = [
            (
                "llmops_gateway_queue_depth",
                "Requests waiting for a free slot of the model.",
                |l| l.1,
            ),
            (
                "llmops_gateway_in_flight",
                "Requests being answered by the model.",
                |l| l.2,
            ),
        ];
        for (name, help, pick) in gauges {
            family(&mut out, name, "gauge", help);
            for lane in lanes {
                let _ = writeln!(
                    out,
                    "{name}{{model=\"{}\"}} {}",
                    escape(&lane.0),
                    pick(lane)
                );
            }
        }
        out
    }
}

fn family(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

fn histogram(out: &mut String, name: &str, model: &str, h: &Histogram) {
    let mut cumulative = 0;
    for (bound, count) in h.bounds.iter().zip(&h.counts) {
        cumulative += count;
        let _ = writeln!(
            out,
            "{name}_bucket{{model=\"{model}\",le=\"{bound}\"}} {cumulative}"
        );
    }
    let _ = writeln!(
        out,
        "{name}_bucket{{model=\"{model}\",le=\"+Inf\"}} {}",
        h.count
    );
    let _ = writeln!(out, "{name}_sum{{model=\"{model}\"}} {}", h.sum);
    let _ = writeln!(out, "{name}_count{{model=\"{model}\"}} {}", h.count);
}

pub fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
