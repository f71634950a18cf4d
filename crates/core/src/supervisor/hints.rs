//! Common reasons an engine fails, recognised from its last output, each with a one-line hint.

/// (needles, code, hint): the first hint whose needle appears in the output (case-insensitive)
/// wins. The code lets a UI say the hint in its own language.
const KNOWN_CAUSES: &[(&[&str], &str, &str)] = &[
    (
        &["out of memory", "cudamalloc failed", "failed to allocate", "cannot allocate memory", "oom-kill"],
        "hint_out_of_memory",
        "Out of memory: use a smaller quantisation, a smaller context size, or fewer GPU layers.",
    ),
    (
        &["error while loading shared libraries", "cannot open shared object file"],
        "hint_missing_library",
        "A shared library is missing: the engine build does not match this machine; rebuild it (npm start) or install the library.",
    ),
    (
        &["unknown model architecture", "unsupported model architecture", "model architecture not supported"],
        "hint_unsupported_architecture",
        "This engine version does not support the model's architecture: update the engine or pick another model.",
    ),
    (
        &["address already in use", "couldn't bind", "failed to bind", "bind failed"],
        "hint_port_in_use",
        "The port is already in use by another program: stop it or choose another port.",
    ),
    (
        &["failed to load model", "error loading model", "invalid magic", "not a gguf file", "gguf_init_from_file"],
        "hint_model_unloadable",
        "The model file could not be loaded: it may be incomplete or not a GGUF file; download it again.",
    ),
    (
        &["illegal instruction", "sigill"],
        "hint_illegal_instruction",
        "The engine uses CPU instructions this machine lacks: rebuild it without native optimisations.",
    ),
];

/// The hint for an engine's output: its code and its English text.
pub fn hint_for(output: &str) -> Option<(&'static str, &'static str)> {
    let output = output.to_lowercase();
    KNOWN_CAUSES
        .iter()
        .find(|(needles, _, _)| needles.iter().any(|n| output.contains(n)))
        .map(|(_, code, hint)| (*code, *hint))
}

#[cfg(test)]
mod tests {
    use super::hint_for;

    #[test]
    fn recognises_common_failures() {
        let cases = [
            ("ggml_backend_cuda_buffer_type_alloc_buffer: allocating 9000 MiB on device 0: cudaMalloc failed: out of memory", "Out of memory"),
            ("llama-server: error while loading shared libraries: libggml.so: cannot open shared object file", "shared library"),
            ("llama_model_load: error loading model: error loading model architecture: unknown model architecture: 'foo'", "architecture"),
            ("couldn't bind HTTP server socket, hostname: 127.0.0.1, port: 8080", "port is already in use"),
            ("gguf_init_from_file_impl: invalid magic characters: 'xxxx'", "could not be loaded"),
        ];
        for (output, expected) in cases {
            let (_, hint) = hint_for(output).unwrap_or_else(|| panic!("no hint for {output}"));
            assert!(hint.contains(expected), "{output} → {hint}");
        }
        assert_eq!(hint_for("all good"), None);
    }
}
