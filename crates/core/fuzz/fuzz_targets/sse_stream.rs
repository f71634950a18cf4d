//! The chat's SSE parser and chunk interpreter on arbitrary bytes: never panics, and the events
//! do not depend on how the bytes were split into network reads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use llmops_core::chat::{interpret_chunk, SseParser};

fuzz_target!(|input: &[u8]| {
    let Some((&split_seed, bytes)) = input.split_first() else {
        return;
    };
    let mut whole = SseParser::new();
    let expected = whole.feed(bytes);
    whole.finish();

    // The same bytes in pieces of a size chosen by the input.
    let piece = usize::from(split_seed % 7) + 1;
    let mut split = SseParser::new();
    let mut events = Vec::new();
    for chunk in bytes.chunks(piece) {
        events.extend(split.feed(chunk));
    }
    split.finish();
    assert_eq!(events, expected);

    for event in &expected {
        let _ = interpret_chunk(&event.data);
    }
});
