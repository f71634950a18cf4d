//! The GGUF header reader on arbitrary bytes: never panics, never allocates by a count it read
//! (libFuzzer's -rss_limit_mb catches that), and reading a prefix either succeeds the same way as
//! the whole input or asks for more bytes than the prefix has.
#![no_main]

use libfuzzer_sys::fuzz_target;
use llmops_core::hub::gguf::{parse_header, GgufError};

fuzz_target!(|input: &[u8]| {
    let whole = parse_header(input, "fuzz");
    if let Some(cut) = input.len().checked_sub(1 + input.len() / 3) {
        match parse_header(&input[..cut], "fuzz") {
            Err(GgufError::Truncated { needed, .. }) => assert!(needed > cut as u64),
            Ok(prefix) => assert_eq!(Ok(prefix), whole),
            Err(_) => {}
        }
    }
});
