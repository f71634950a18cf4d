//! From the requests of one level to its figures, as vLLM's `bench serve` computes them
//! (`calculate_metrics`): throughput over the level's duration, percentiles by linear
//! interpolation (numpy's default), goodput against every SLO given.

use std::collections::BTreeMap;

use super::request::Outcome;
use super::types::{Distribution, EngineAgreement, ErrorCount, LevelResult, RequestSample, Slo};

/// Our decode speed and the engine's may differ by this much before it is flagged.
pub const DISAGREEMENT_PERCENT: f64 = 10.0;
/// Per-request samples kept per level.
pub const MAX_SAMPLES: usize = 2000;
/// Distinct error messages kept per level.
const MAX_ERRORS: usize = 5;

/// The load a level ran at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Level {
    Concurrency(u32),
    Rate {
        rate: f64,
        max_concurrency: Option<u32>,
    },
}

impl Level {
    pub fn label(&self) -> String {
        match self {
            Level::Concurrency(n) => format!("concurrency {n}"),
            Level::Rate { rate, .. } => format!("{rate} req/s"),
        }
    }
}

/// Percentile `q` (0–100) of sorted values, interpolated linearly between ranks.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => 0.0,
        1 => sorted[0],
        n => {
            let rank = q / 100.0 * (n - 1) as f64;
            let low = rank.floor() as usize;
            let high = rank.ceil() as usize;
            sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
        }
    }
}

pub fn distribution(values: impl IntoIterator<Item = f64>) -> Distribution {
    let mut sorted: Vec<f64> = values.into_iter().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return Distribution::default();
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let mean = sorted.iter().sum::<f64>() / n;
    let variance = sorted.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
    Distribution {
        count: u32::try_from(sorted.len()).unwrap_or(u32::MAX),
        mean,
        std: variance.sqrt(),
        min: sorted[0],
        p50: percentile(&sorted, 50.0),
        p90: percentile(&sorted, 90.0),
        p99: percentile(&sorted, 99.0),
        max: sorted[sorted.len() - 1],
    }
}

/// A request meets the SLOs when each one given holds (vLLM: a request with one output token
/// has TPOT 0).
fn is_good(outcome: &Outcome, slo: &Slo) -> bool {
    let m = &outcome.measured;
    let within = |limit: Option<f64>, value: Option<f64>| {
        limit.is_none_or(|limit| value.is_some_and(|v| v <= limit))
    };
    within(slo.ttft_ms, m.ttft_ms)
        && within(slo.tpot_ms, Some(m.tpot_ms.unwrap_or(0.0)))
        && within(slo.e2el_ms, m.e2el_ms)
}

fn any_slo(slo: &Slo) -> bool {
    slo.ttft_ms.is_some() || slo.tpot_ms.is_some() || slo.e2el_ms.is_some()
}

/// Inter-token gaps kept per level for the ITL figures: 16 MB of them. A level with more (say
/// 100,000 answers of 1,000 tokens) reports ITL over its first requests' gaps, and says so.
pub const MAX_ITL_VALUES: usize = 2_000_000;

/// The token events of a level's completed requests, kept bounded as they arrive: how many came
/// in each second (for the peak) and the first [`MAX_ITL_VALUES`] gaps. Each request's own gaps
/// are dropped once counted, so a long level does not hold every gap of every answer.
#[derive(Debug, Default)]
pub struct TokenEvents {
    per_second: BTreeMap<u64, u32>,
    gaps: Vec<f64>,
    truncated: bool,
}

impl TokenEvents {
    /// Counts a request's token events (at its send time plus TTFT, then each gap) and keeps
    /// its gaps while there is room; then frees them.
    pub fn add(&mut self, outcome: &mut Outcome) {
        let gaps = std::mem::take(&mut outcome.measured.gaps_ms);
        let Some(ttft) = outcome.measured.ttft_ms.filter(|_| outcome.ok()) else {
            return;
        };
        let mut at = outcome.sent_ms + ttft;
        *self.per_second.entry((at / 1000.0) as u64).or_default() += 1;
        for gap in &gaps {
            at += gap;
            *self.per_second.entry((at / 1000.0) as u64).or_default() += 1;
        }
        let room = MAX_ITL_VALUES - self.gaps.len();
        self.truncated |= gaps.len() > room;
        self.gaps.extend_from_slice(&gaps[..gaps.len().min(room)]);
    }

    /// The most token events in any one second (vLLM's `max_output_tokens_per_s` counts the
    /// same way).
    fn peak(&self) -> f64 {
        f64::from(self.per_second.values().copied().max().unwrap_or(0))
    }
}

fn engine_agreement(completed: &[&Outcome]) -> Option<EngineAgreement> {
    let pairs: Vec<(f64, f64)> = completed
        .iter()
        .filter_map(|o| {
            let tpot = o.measured.tpot_ms.filter(|t| *t > 0.0)?;
            Some((1000.0 / tpot, o.measured.engine_decode_per_second?))
        })
        .collect();
    if pairs.is_empty() {
        return None;
    }
    let n = pairs.len() as f64;
    let client = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let engine = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let prompt: Vec<f64> = completed
        .iter()
        .filter_map(|o| o.measured.engine_prompt_per_second)
        .collect();
    let difference_percent = (client - engine) / engine * 100.0;
    Some(EngineAgreement {
        client_decode_per_second: client,
        engine_decode_per_second: engine,
        engine_prompt_per_second: (!prompt.is_empty())
            .then(|| prompt.iter().sum::<f64>() / prompt.len() as f64),
        difference_percent,
        disagrees: difference_percent.abs() > DISAGREEMENT_PERCENT,
    })
}

fn error_counts(outcomes: &[Outcome]) -> Vec<ErrorCount> {
    let mut counts: Vec<ErrorCount> = Vec::new();
    for message in outcomes.iter().filter_map(|o| o.error.as_deref()) {
        if let Some(count) = counts.iter_mut().find(|c| c.message == message) {
            count.count += 1;
        } else if counts.len() < MAX_ERRORS {
            counts.push(ErrorCount {
                message: message.to_string(),
                count: 1,
            });
        }
    }
    counts
}

fn sample(outcome: &Outcome) -> RequestSample {
    let m = &outcome.measured;
    RequestSample {
        sent_ms: outcome.sent_ms,
        ttft_ms: m.ttft_ms,
        e2el_ms: m.e2el_ms,
        tpot_ms: m.tpot_ms,
        input_tokens: m.prompt_tokens,
        output_tokens: m.completion_tokens,
        ok: outcome.ok(),
    }
}

/// The figures of one level. `duration_s` is from the level's first send to its last answer.
pub fn level_result(
    level: Level,
    outcomes: &[Outcome],
    events: &TokenEvents,
    duration_s: f64,
    max_in_flight: u32,
    slo: &Slo,
) -> LevelResult {
    let completed: Vec<&Outcome> = outcomes.iter().filter(|o| o.ok()).collect();
    let tokens = |f: fn(&Outcome) -> Option<u32>| -> u64 {
        completed.iter().map(|o| u64::from(f(o).unwrap_or(0))).sum()
    };
    let input_tokens = tokens(|o| o.measured.prompt_tokens);
    let output_tokens = tokens(|o| o.measured.completion_tokens);
    let per_second = |n: f64| {
        if duration_s > 0.0 {
            n / duration_s
        } else {
            0.0
        }
    };
    let good = completed.iter().filter(|o| is_good(o, slo)).count();
    let (concurrency, rate) = match level {
        Level::Concurrency(n) => (Some(n), None),
        Level::Rate { rate, .. } => (None, Some(rate)),
    };
    LevelResult {
        load: level.label(),
        concurrency,
        rate,
        completed: completed.len() as u32,
        failed: (outcomes.len() - completed.len()) as u32,
        duration_s,
        request_throughput: per_second(completed.len() as f64),
        output_throughput: per_second(output_tokens as f64),
        total_token_throughput: per_second((input_tokens + output_tokens) as f64),
        goodput: any_slo(slo).then(|| per_second(good as f64)),
        input_tokens,
        output_tokens,
        tokens_counted: completed.iter().any(|o| o.measured.tokens_counted),
        max_in_flight,
        peak_output_throughput: events.peak(),
        ttft_ms: distribution(completed.iter().filter_map(|o| o.measured.ttft_ms)),
        tpot_ms: distribution(completed.iter().filter_map(|o| o.measured.tpot_ms)),
        itl_ms: distribution(events.gaps.iter().copied()),
        itl_truncated: events.truncated,
        e2el_ms: distribution(completed.iter().filter_map(|o| o.measured.e2el_ms)),
        engine: engine_agreement(&completed),
        errors: error_counts(outcomes),
        samples: outcomes.iter().take(MAX_SAMPLES).map(sample).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gateway::Measured;

    fn outcome(sent: f64, ttft: f64, gaps: &[f64], tokens: u32) -> Outcome {
        let e2el = ttft + gaps.iter().sum::<f64>();
        Outcome {
            sent_ms: sent,
            ended_ms: sent + e2el,
            measured: Measured {
                ttft_ms: Some(ttft),
                e2el_ms: Some(e2el),
                tpot_ms: (tokens > 1).then(|| (e2el - ttft) / f64::from(tokens - 1)),
                gaps_ms: gaps.to_vec(),
                prompt_tokens: Some(10),
                completion_tokens: Some(tokens),
                engine_decode_per_second: Some(100.0),
                ..Default::default()
            },
            error: None,
        }
    }

    #[test]
    fn a_level_keeps_a_bounded_number_of_gaps() {
        let mut events = TokenEvents::default();
        let mut big = outcome(0.0, 1.0, &vec![0.5; MAX_ITL_VALUES - 10], 2);
        events.add(&mut big);
        let mut more = outcome(0.0, 1.0, &[0.5; 20], 21);
        events.add(&mut more);
        assert_eq!(events.gaps.len(), MAX_ITL_VALUES);
        assert!(events.truncated);
    }

    #[test]
    fn percentiles_interpolate_like_numpy() {
        let sorted = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(percentile(&sorted, 50.0), 2.5);
        assert!((percentile(&sorted, 99.0) - 3.97).abs() < 1e-9);
        assert_eq!(percentile(&sorted, 0.0), 1.0);
        assert_eq!(percentile(&[7.0], 90.0), 7.0);
        let d = distribution([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]);
        assert_eq!((d.mean, d.std, d.min, d.max), (5.0, 2.0, 2.0, 9.0));
    }

    #[test]
    fn a_level_adds_up_as_vllm_defines_it() {
        // Two requests of 5 tokens, 10 ms apart, first token at 200 ms; one failure.
        let mut failed = outcome(0.0, 0.0, &[], 0);
        failed.error = Some("HTTP 503: busy".into());
        let outcomes = [
            outcome(0.0, 200.0, &[10.0; 4], 5),
            outcome(0.0, 300.0, &[10.0; 4], 5),
            failed,
        ];
        let slo = Slo {
            ttft_ms: Some(250.0),
            ..Default::default()
        };
        let mut outcomes = outcomes;
        let mut events = TokenEvents::default();
        for outcome in &mut outcomes {
            events.add(outcome);
        }
        assert!(
            outcomes.iter().all(|o| o.measured.gaps_ms.is_empty()),
            "freed"
        );
        let result = level_result(Level::Concurrency(2), &outcomes, &events, 0.5, 2, &slo);
        assert_eq!((result.completed, result.failed), (2, 1));
        assert_eq!(result.request_throughput, 4.0);
        assert_eq!(result.output_throughput, 20.0);
        assert_eq!(result.total_token_throughput, 60.0);
        assert_eq!(result.goodput, Some(2.0), "one of two within TTFT 250 ms");
        assert_eq!(result.ttft_ms.mean, 250.0);
        assert_eq!(result.tpot_ms.p50, 10.0);
        assert_eq!(result.itl_ms.count, 8, "tokens − 1 gaps per request");
        assert_eq!(result.e2el_ms.max, 340.0);
        let engine = result.engine.unwrap();
        assert_eq!(engine.client_decode_per_second, 100.0);
        assert!(!engine.disagrees);
        assert_eq!(result.errors[0].count, 1);
        assert_eq!(result.samples.len(), 3);
        assert_eq!(result.peak_output_throughput, 10.0);
        assert!(!result.itl_truncated);
        assert_eq!(result.load, "concurrency 2");
    }
}
