//! An incremental Server-Sent Events parser (WHATWG "event stream interpretation").
//!
//! Feed it bytes as they arrive, in chunks of any size; it yields complete events. Lines end in
//! LF, CRLF or CR; `data:` lines of one event are joined with LF; lines starting with `:` are
//! comments; a UTF-8 character split across chunks is kept whole.

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SseEvent {
    /// The `event:` field, empty when absent (the spec's "message").
    pub event: String,
    pub data: String,
    pub id: Option<String>,
}

/// Longest line, and largest event, a parser keeps. A chat chunk is a few hundred bytes; a peer
/// that sends more is broken or hostile.
pub const MAX_SSE_LINE: usize = 1024 * 1024;

#[derive(Default)]
pub struct SseParser {
    /// A line or an event went past [`MAX_SSE_LINE`]: the stream is unusable.
    overflowed: bool,
    /// Bytes in `data` so far.
    data_bytes: usize,
    /// Bytes of the line being received (not yet terminated).
    line: Vec<u8>,
    /// A CR ended the previous chunk: a following LF belongs to it.
    after_cr: bool,
    event: String,
    data: Vec<String>,
    id: Option<String>,
}

impl SseParser {
    pub fn new() -> Self {
        Self::default()
    }

    /// Consumes a chunk and returns the events it completed.
    pub fn feed(&mut self, chunk: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &byte in chunk {
            if self.after_cr {
                self.after_cr = false;
                if byte == b'\n' {
                    continue;
                }
            }
            match byte {
                b'\n' => self.end_line(&mut events),
                b'\r' => {
                    self.after_cr = true;
                    self.end_line(&mut events);
                }
                _ if self.line.len() >= MAX_SSE_LINE => self.overflowed = true,
                _ => self.line.push(byte),
            }
        }
        events
    }

    /// Whether the peer sent a line or an event over [`MAX_SSE_LINE`]; what went past the limit
    /// was dropped, so the caller should give up on the stream.
    pub fn overflowed(&self) -> bool {
        self.overflowed
    }

    /// At end of stream the spec discards an event not terminated by a blank line; returns
    /// whether such an incomplete event was pending (the peer hung up mid-event).
    pub fn finish(&mut self) -> bool {
        let pending = !self.line.is_empty() || !self.data.is_empty();
        *self = SseParser::default();
        pending
    }

    fn end_line(&mut self, events: &mut Vec<SseEvent>) {
        let line = String::from_utf8_lossy(&self.line).into_owned();
        self.line.clear();
        if line.is_empty() {
            self.dispatch(events);
            return;
        }
        if line.starts_with(':') {
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_str(), ""),
        };
        match field {
            "data" if self.data_bytes + value.len() > MAX_SSE_LINE => self.overflowed = true,
            "data" => {
                self.data_bytes += value.len() + 1;
                self.data.push(value.to_string());
            }
            "event" => self.event = value.to_string(),
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            _ => {} // "retry" and unknown fields do not matter to a one-shot client.
        }
    }

    fn dispatch(&mut self, events: &mut Vec<SseEvent>) {
        let event = std::mem::take(&mut self.event);
        if self.data.is_empty() {
            return;
        }
        let data = std::mem::take(&mut self.data).join("\n");
        self.data_bytes = 0;
        events.push(SseEvent {
            event,
            data,
            id: self.id.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data_of(events: Vec<SseEvent>) -> Vec<String> {
        events.into_iter().map(|e| e.data).collect()
    }

    #[test]
    fn a_line_or_event_without_end_is_capped() {
        let mut parser = SseParser::new();
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..32 {
            assert!(parser.feed(&chunk).is_empty());
        }
        assert!(parser.overflowed());
        assert!(parser.line.len() <= MAX_SSE_LINE);

        let mut parser = SseParser::new();
        let line = format!("data: {}\n", "y".repeat(1000));
        for _ in 0..2000 {
            parser.feed(line.as_bytes());
        }
        assert!(parser.overflowed());
        assert!(parser.data_bytes <= MAX_SSE_LINE);
    }

    #[test]
    fn parses_events_split_at_every_byte() {
        let stream =
            b"data: {\"a\":1}\n\n: keep-alive\n\nevent: error\ndata: bad\n\ndata: [DONE]\n\n";
        let mut parser = SseParser::new();
        let mut events = Vec::new();
        for byte in stream.iter() {
            events.extend(parser.feed(std::slice::from_ref(byte)));
        }
        assert_eq!(events.len(), 3);
        assert_eq!(events[0].data, "{\"a\":1}");
        assert_eq!(
            (events[1].event.as_str(), events[1].data.as_str()),
            ("error", "bad")
        );
        assert_eq!(events[2].data, "[DONE]");
    }

    #[test]
    fn joins_multi_line_data_and_handles_all_line_endings() {
        let mut parser = SseParser::new();
        assert_eq!(
            data_of(parser.feed(b"data: one\r\ndata:two\rdata:  three\n\r\n")),
            ["one\ntwo\n three"]
        );
        // A CRLF split across two chunks is one line ending, not two.
        assert!(parser.feed(b"data: x\r").is_empty());
        assert_eq!(data_of(parser.feed(b"\n\n")), ["x"]);
    }

    #[test]
    fn keeps_a_utf8_character_split_across_chunks() {
        let text = "data: 你好\n\n".as_bytes();
        let mut parser = SseParser::new();
        assert!(parser.feed(&text[..8]).is_empty());
        assert_eq!(data_of(parser.feed(&text[8..])), ["你好"]);
    }

    #[test]
    fn ignores_comments_unknown_fields_and_empty_events() {
        let mut parser = SseParser::new();
        assert!(parser
            .feed(b": comment\nretry: 100\nfoo: bar\n\n\n\n")
            .is_empty());
        let events = parser.feed(b"id: 7\ndata\n\n");
        assert_eq!(
            events,
            [SseEvent {
                event: String::new(),
                data: String::new(),
                id: Some("7".into())
            }]
        );
    }

    #[test]
    fn an_unterminated_event_at_the_end_is_dropped() {
        let mut parser = SseParser::new();
        assert!(parser.feed(b"data: partial").is_empty());
        assert!(parser.finish());
        assert!(!parser.finish());
    }

    /// The fuzz target's property (crates/core/fuzz), on a deterministic stream of inputs built
    /// from the pieces that matter, so that CI checks it without nightly: the events never
    /// depend on where the network split the bytes.
    #[test]
    fn events_do_not_depend_on_how_the_bytes_are_split() {
        const PIECES: [&[u8]; 12] = [
            b"data:",
            b"data: ",
            b"event: x",
            b"id: 1",
            b":c",
            b"\n",
            b"\r",
            b"\r\n",
            b"{\"a\":1}",
            "é你".as_bytes(),
            b"\xff",
            b" ",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..2000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len)
                .flat_map(|_| {
                    PIECES[(next() % PIECES.len() as u64) as usize]
                        .iter()
                        .copied()
                })
                .collect();
            let expected = SseParser::new().feed(&bytes);
            let piece = (next() % 7 + 1) as usize;
            let mut parser = SseParser::new();
            let events: Vec<_> = bytes.chunks(piece).flat_map(|c| parser.feed(c)).collect();
            assert_eq!(
                events,
                expected,
                "input {:?} in pieces of {piece}",
                String::from_utf8_lossy(&bytes)
            );
        }
    }
}
