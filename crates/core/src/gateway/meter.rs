//! Measures a response from a copy of its bytes as they pass, never changing them.
//!
//! Streamed answers (SSE) are timed per chunk as vLLM's benchmark does, counting the chunks that
//! carry output (text, reasoning or a tool call): TTFT at the first, ITL between later ones, E2EL
//! at the last, TPOT = (E2EL − TTFT) / (completion tokens − 1). vLLM counts every chunk whose
//! `choices` is not empty; llama.cpp adds a role-only chunk before the first token and an empty
//! one with the finish reason, which would add two near-zero gaps per answer (ITL count tokens
//! + 1, not tokens − 1). AIPerf leaves out content-less chunks the same way. Token counts come from `usage`, else llama.cpp's
//! `timings`, else the number of token chunks (marked as counted).

use std::time::Instant;

use serde::de::IgnoredAny;
use serde::Deserialize;

use crate::chat::SseParser;

/// A non-streamed JSON answer larger than this is passed on but not read for its `usage`.
const MAX_JSON_READ: usize = 2 * 1024 * 1024;
/// Gaps kept per request for the ITL percentiles (a longer answer keeps its first ones).
const MAX_GAPS: usize = 1 << 20;
/// How much of each body is kept when the model's `log_bodies` is on.
pub const MAX_LOGGED_BODY: usize = 64 * 1024;

#[derive(Deserialize)]
struct ChunkView {
    #[serde(default)]
    choices: Option<Vec<ChoiceView>>,
    #[serde(default)]
    usage: Option<UsageView>,
    #[serde(default)]
    timings: Option<TimingsView>,
    #[serde(default)]
    error: Option<IgnoredAny>,
}

/// What a choice carries: chat deltas (`delta`), legacy completions (`text`).
#[derive(Deserialize)]
struct ChoiceView {
    #[serde(default)]
    delta: Option<DeltaView>,
    #[serde(default)]
    text: Option<String>,
}

#[derive(Deserialize)]
struct DeltaView {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    reasoning_content: Option<String>,
    #[serde(default)]
    tool_calls: Option<IgnoredAny>,
}

impl ChoiceView {
    /// Whether it carries output (a role-only or finish-only chunk does not).
    fn has_output(&self) -> bool {
        let text = |t: &Option<String>| t.as_deref().is_some_and(|t| !t.is_empty());
        text(&self.text)
            || self.delta.as_ref().is_some_and(|d| {
                text(&d.content) || text(&d.reasoning_content) || d.tool_calls.is_some()
            })
    }
}

#[derive(Deserialize)]
struct UsageView {
    prompt_tokens: Option<u32>,
    completion_tokens: Option<u32>,
    prompt_tokens_details: Option<CachedView>,
}

#[derive(Deserialize)]
struct CachedView {
    cached_tokens: Option<u32>,
}

#[derive(Deserialize)]
struct TimingsView {
    cache_n: Option<u32>,
    prompt_n: Option<u32>,
    predicted_n: Option<u32>,
    prompt_per_second: Option<f64>,
    predicted_per_second: Option<f64>,
}

/// What a finished (or cut) response measured.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Measured {
    pub ttft_ms: Option<f64>,
    pub e2el_ms: Option<f64>,
    pub tpot_ms: Option<f64>,
    pub itl_p50_ms: Option<f64>,
    pub itl_p95_ms: Option<f64>,
    pub itl_max_ms: Option<f64>,
    /// Every gap (ms), for the ITL histogram.
    pub gaps_ms: Vec<f64>,
    pub prompt_tokens: Option<u32>,
    pub completion_tokens: Option<u32>,
    pub cached_tokens: Option<u32>,
    pub tokens_counted: bool,
    /// llama.cpp's own speeds from its `timings`, when it sent them.
    pub engine_prompt_per_second: Option<f64>,
    pub engine_decode_per_second: Option<f64>,
    /// The stream carried an `error` event.
    pub stream_error: bool,
    pub body: Option<String>,
}

pub struct Meter {
    received: Instant,
    streamed: bool,
    parser: SseParser,
    first_token: Option<Instant>,
    last_token: Option<Instant>,
    last_byte: Option<Instant>,
    gaps_ms: Vec<f64>,
    token_chunks: u32,
    prompt_tokens: Option<u32>,
    completion_tokens: Option<u32>,
    cached_tokens: Option<u32>,
    timings_predicted: Option<u32>,
    timings_prompt: Option<u32>,
    engine_prompt_per_second: Option<f64>,
    engine_decode_per_second: Option<f64>,
    stream_error: bool,
    /// The stream's `data: [DONE]` went by: the client has the whole answer.
    saw_done: bool,
    /// A non-streamed answer, kept to read its `usage` at the end.
    json: Vec<u8>,
    json_too_large: bool,
    /// The body as logged (only with `log_bodies`).
    logged: Option<Vec<u8>>,
}

impl Meter {
    pub fn new(received: Instant, streamed: bool, log_body: bool) -> Meter {
        Meter {
            received,
            streamed,
            parser: SseParser::new(),
            first_token: None,
            last_token: None,
            last_byte: None,
            gaps_ms: Vec::new(),
            token_chunks: 0,
            prompt_tokens: None,
            completion_tokens: None,
            cached_tokens: None,
            timings_predicted: None,
            timings_prompt: None,
            engine_prompt_per_second: None,
            engine_decode_per_second: None,
            stream_error: false,
            saw_done: false,
            json: Vec::new(),
            json_too_large: false,
            logged: log_body.then(Vec::new),
        }
    }

    /// Looks at the next piece of the body, received at `now`.
    pub fn observe(&mut self, bytes: &[u8], now: Instant) {
        self.last_byte = Some(now);
        if let Some(logged) = &mut self.logged {
            let room = MAX_LOGGED_BODY.saturating_sub(logged.len());
            logged.extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
        if self.streamed {
            for event in self.parser.feed(bytes) {
                self.on_event(&event.data, now);
            }
        } else if !self.json_too_large {
            if self.json.len() + bytes.len() > MAX_JSON_READ {
                self.json_too_large = true;
                self.json = Vec::new();
            } else {
                self.json.extend_from_slice(bytes);
            }
        }
    }

    /// Whether the stream's last event (`data: [DONE]`) went by.
    pub fn saw_done(&self) -> bool {
        self.saw_done
    }

    fn on_event(&mut self, data: &str, now: Instant) {
        if data == "[DONE]" {
            self.saw_done = true;
            return;
        }
        let Ok(chunk) = serde_json::from_str::<ChunkView>(data) else {
            return;
        };
        if chunk
            .choices
            .as_ref()
            .is_some_and(|c| c.iter().any(ChoiceView::has_output))
        {
            self.token_chunks += 1;
            match self.last_token {
                None => self.first_token = Some(now),
                Some(previous) if self.gaps_ms.len() < MAX_GAPS => {
                    self.gaps_ms.push(ms(now - previous))
                }
                Some(_) => {}
            }
            self.last_token = Some(now);
        }
        self.read_counts(chunk.usage, chunk.timings);
        self.stream_error |= chunk.error.is_some();
    }

    fn read_counts(&mut self, usage: Option<UsageView>, timings: Option<TimingsView>) {
        if let Some(usage) = usage {
            self.prompt_tokens = usage.prompt_tokens.or(self.prompt_tokens);
            self.completion_tokens = usage.completion_tokens.or(self.completion_tokens);
            if let Some(cached) = usage.prompt_tokens_details.and_then(|d| d.cached_tokens) {
                self.cached_tokens = Some(cached);
            }
        }
        if let Some(timings) = timings {
            self.cached_tokens = timings.cache_n.or(self.cached_tokens);
            self.timings_prompt = timings.prompt_n.or(self.timings_prompt);
            self.timings_predicted = timings.predicted_n.or(self.timings_predicted);
            let speed = |v: Option<f64>| v.filter(|v| v.is_finite() && *v > 0.0);
            self.engine_prompt_per_second =
                speed(timings.prompt_per_second).or(self.engine_prompt_per_second);
            self.engine_decode_per_second =
                speed(timings.predicted_per_second).or(self.engine_decode_per_second);
        }
    }

    /// The measurements so far (at the end of the body, or when it was cut).
    pub fn finish(mut self) -> Measured {
        if !self.streamed && !self.json.is_empty() {
            if let Ok(answer) = serde_json::from_slice::<ChunkView>(&self.json) {
                self.read_counts(answer.usage, answer.timings);
                self.stream_error |= answer.error.is_some();
            }
        }
        let since = |at: Option<Instant>| at.map(|at| ms(at - self.received));
        let (ttft_ms, e2el_ms) = if self.streamed {
            (
                since(self.first_token),
                since(self.last_token.or(self.last_byte)),
            )
        } else {
            (None, since(self.last_byte))
        };
        let (completion_tokens, tokens_counted) =
            match self.completion_tokens.or(self.timings_predicted) {
                Some(n) => (Some(n), false),
                None if self.streamed && self.token_chunks > 0 => (Some(self.token_chunks), true),
                None => (None, false),
            };
        let tpot_ms = match (ttft_ms, e2el_ms, completion_tokens) {
            (Some(first), Some(end), Some(n)) if n > 1 => Some((end - first) / f64::from(n - 1)),
            _ => None,
        };
        let mut sorted = self.gaps_ms.clone();
        sorted.sort_by(f64::total_cmp);
        Measured {
            ttft_ms,
            e2el_ms,
            tpot_ms,
            itl_p50_ms: percentile(&sorted, 0.50),
            itl_p95_ms: percentile(&sorted, 0.95),
            itl_max_ms: sorted.last().copied(),
            gaps_ms: self.gaps_ms,
            prompt_tokens: self.prompt_tokens.or(self.timings_prompt),
            completion_tokens,
            cached_tokens: self.cached_tokens,
            tokens_counted,
            engine_prompt_per_second: self.engine_prompt_per_second,
            engine_decode_per_second: self.engine_decode_per_second,
            stream_error: self.stream_error,
            body: self
                .logged
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
        }
    }
}

fn ms(d: std::time::Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn a_stream_is_timed_per_token_chunk_with_usage_from_the_last_chunk() {
        let start = Instant::now();
        let at = |ms: u64| start + Duration::from_millis(ms);
        let mut meter = Meter::new(start, true, false);
        // A role-only chunk is not output.
        meter.observe(
            b"data: {\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":null}}]}\n\n",
            at(100),
        );
        // An event split across reads is timed when it completes.
        meter.observe(
            b"data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n",
            at(110),
        );
        meter.observe(b"\n", at(120));
        meter.observe(
            b"data: {\"choices\":[{\"delta\":{\"content\":\"b\"}}]}\n\n",
            at(150),
        );
        meter.observe(
            b"data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"c\"}}]}\n\n",
            at(190),
        );
        // Nor is the empty chunk with the finish reason.
        meter.observe(
            b"data: {\"choices\":[{\"finish_reason\":\"length\",\"delta\":{}}]}\n\n",
            at(195),
        );
        meter.observe(
            b"data: {\"choices\":[],\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":3},\"timings\":{\"cache_n\":4,\"prompt_n\":3,\"predicted_n\":3}}\n\ndata: [DONE]\n\n",
            at(200),
        );
        assert!(meter.saw_done());
        let m = meter.finish();
        assert_eq!(m.ttft_ms, Some(120.0));
        assert_eq!(m.e2el_ms, Some(190.0));
        assert_eq!(m.tpot_ms, Some(35.0));
        assert_eq!(m.gaps_ms, [30.0, 40.0], "tokens − 1 gaps");
        assert_eq!(m.itl_p50_ms, Some(30.0));
        assert_eq!(m.itl_max_ms, Some(40.0));
        assert_eq!((m.prompt_tokens, m.completion_tokens), (Some(7), Some(3)));
        assert_eq!(m.cached_tokens, Some(4));
        assert!(!m.tokens_counted);
    }

    #[test]
    fn without_usage_tokens_are_counted_and_a_json_answer_is_read_at_the_end() {
        let start = Instant::now();
        let mut meter = Meter::new(start, true, false);
        for i in 0..3u64 {
            meter.observe(
                b"data: {\"choices\":[{\"text\":\"x\"}]}\n\n",
                start + Duration::from_millis(10 * (i + 1)),
            );
        }
        let m = meter.finish();
        assert_eq!((m.completion_tokens, m.tokens_counted), (Some(3), true));

        let mut meter = Meter::new(start, false, true);
        meter.observe(
            br#"{"choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":5,"#,
            start,
        );
        meter.observe(
            br#""completion_tokens":2,"prompt_tokens_details":{"cached_tokens":1}}}"#,
            start + Duration::from_millis(40),
        );
        let m = meter.finish();
        assert_eq!((m.ttft_ms, m.e2el_ms), (None, Some(40.0)));
        assert_eq!(
            (m.prompt_tokens, m.completion_tokens, m.cached_tokens),
            (Some(5), Some(2), Some(1))
        );
        assert!(m.body.unwrap().ends_with("}}}"));
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        let values: Vec<f64> = (1..=20).map(f64::from).collect();
        assert_eq!(percentile(&values, 0.5), Some(10.0));
        assert_eq!(percentile(&values, 0.95), Some(19.0));
        assert_eq!(percentile(&[], 0.5), None);
    }
}
