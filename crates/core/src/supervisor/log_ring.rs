//! A bounded buffer of an instance's most recent output lines: a chatty engine can never make the
//! app grow without bound, and readers never block the writer for long.

use std::collections::VecDeque;
use std::sync::Mutex;

use serde::Serialize;
use tokio::sync::watch;
use ts_rs::TS;

use crate::time::now_ms;

/// Longer lines are cut; engines sometimes print whole prompts or tensors.
const MAX_LINE_BYTES: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogStream {
    Stdout,
    Stderr,
}

/// `GET /api/instances/{id}/logs?since=120&limit=500`.
#[derive(Debug, Clone, Default, serde::Deserialize, TS, schemars::JsonSchema)]
pub struct LogQuery {
    /// Only lines after this line number.
    #[serde(default)]
    #[ts(optional, type = "number")]
    pub since: Option<u64>,
    /// At most this many lines (500 when absent, 5000 at most).
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<usize>,
}

impl LogQuery {
    pub const DEFAULT_LIMIT: usize = 500;
    pub const MAX_LIMIT: usize = 5000;

    /// The limit asked for, within bounds.
    pub fn limit(&self) -> usize {
        self.limit
            .unwrap_or(Self::DEFAULT_LIMIT)
            .min(Self::MAX_LIMIT)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, schemars::JsonSchema)]
pub struct LogLine {
    /// Increases by one per line for the life of the instance; use it to ask for newer lines.
    #[ts(type = "number")]
    pub seq: u64,
    pub stream: LogStream,
    pub text: String,
    #[ts(type = "number")]
    pub at: i64,
}

/// Output lines of one instance, as sent to a live log follower.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS, schemars::JsonSchema)]
pub struct LogBatch {
    pub instance_id: String,
    pub lines: Vec<LogLine>,
}

pub struct LogRing {
    capacity: usize,
    inner: Mutex<Inner>,
    newest: watch::Sender<u64>,
}

struct Inner {
    lines: VecDeque<LogLine>,
    next_seq: u64,
}

impl LogRing {
    pub fn new(capacity: usize) -> Self {
        LogRing {
            capacity: capacity.max(1),
            inner: Mutex::new(Inner {
                lines: VecDeque::new(),
                next_seq: 0,
            }),
            newest: watch::channel(0).0,
        }
    }

    /// Keeps the line and returns it as kept (truncated, numbered, timed).
    pub fn push(&self, stream: LogStream, raw: &[u8]) -> LogLine {
        let text = truncate(String::from_utf8_lossy(raw).trim_end_matches(['\n', '\r']));
        let mut inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let seq = inner.next_seq;
        inner.next_seq += 1;
        if inner.lines.len() == self.capacity {
            inner.lines.pop_front();
        }
        let line = LogLine {
            seq,
            stream,
            text,
            at: now_ms(),
        };
        inner.lines.push_back(line.clone());
        drop(inner);
        self.newest.send_replace(seq + 1);
        line
    }

    /// Changes whenever lines are added (the value is the next seq): for live tailing.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.newest.subscribe()
    }

    /// Lines with `seq >= since` (all kept lines when `None`), at most the last `limit` of them.
    pub fn read(&self, since: Option<u64>, limit: usize) -> Vec<LogLine> {
        let inner = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let from = since.unwrap_or(0);
        let newer: Vec<&LogLine> = inner.lines.iter().filter(|l| l.seq >= from).collect();
        newer[newer.len().saturating_sub(limit)..]
            .iter()
            .map(|l| (*l).clone())
            .collect()
    }

    /// The last `n` lines as one text, for failure reasons.
    pub fn tail_text(&self, n: usize) -> String {
        self.read(None, n)
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .lines
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn truncate(text: &str) -> String {
    if text.len() <= MAX_LINE_BYTES {
        return text.to_string();
    }
    let mut end = MAX_LINE_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [{} bytes cut]", &text[..end], text.len() - end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_newest_lines() {
        let ring = LogRing::new(3);
        for i in 0..10 {
            ring.push(LogStream::Stdout, format!("line {i}\n").as_bytes());
        }
        assert_eq!(ring.len(), 3);
        let texts: Vec<String> = ring.read(None, 10).into_iter().map(|l| l.text).collect();
        assert_eq!(texts, ["line 7", "line 8", "line 9"]);
        assert_eq!(ring.read(Some(9), 10).len(), 1);
        assert_eq!(ring.read(None, 2)[0].seq, 8);
        assert_eq!(ring.tail_text(2), "line 8\nline 9");
    }

    #[test]
    fn long_and_invalid_lines_are_made_safe() {
        let ring = LogRing::new(2);
        ring.push(LogStream::Stderr, "é".repeat(5000).as_bytes());
        ring.push(LogStream::Stderr, &[0xff, b'o', b'k']);
        let lines = ring.read(None, 2);
        assert!(lines[0].text.len() < MAX_LINE_BYTES + 40 && lines[0].text.contains("bytes cut"));
        assert_eq!(lines[1].text, "\u{fffd}ok");
    }
}
