//! Re-exports engines' own Prometheus metrics (llama-server `--metrics`: `llamacpp:*`) under
//! `llmops_engine_*` names with the model's labels, so one scrape of llmops covers them.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::metrics::escape;

/// Largest engine exposition read per scrape.
pub const MAX_ENGINE_METRICS: usize = 1024 * 1024;

#[derive(Default)]
pub struct Families {
    families: BTreeMap<String, Family>,
}

#[derive(Default)]
struct Family {
    help: Option<String>,
    kind: Option<String>,
    samples: Vec<String>,
}

/// `llamacpp:prompt_tokens_total` → `llmops_engine_llamacpp_prompt_tokens_total`.
fn rename(name: &str) -> Option<String> {
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    valid.then(|| format!("llmops_engine_{}", name.replace(':', "_")))
}

/// The index of the `}` that closes a label set, skipping quoted values.
fn closing_brace(inner: &str) -> Option<usize> {
    let mut quoted = false;
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '}' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// ` 42` or ` 42 1700000000000`: a number, then perhaps a timestamp.
fn is_value_and_timestamp(rest: &str) -> bool {
    let mut parts = rest.split_whitespace();
    let value_ok = parts.next().is_some_and(|v| v.parse::<f64>().is_ok());
    let timestamp_ok = parts.next().is_none_or(|t| t.parse::<i64>().is_ok());
    value_ok && timestamp_ok && parts.next().is_none()
}

impl Families {
    /// Adds one engine's exposition; lines that are not understood are left out.
    pub fn add(&mut self, text: &str, model: &str, instance_id: &str) {
        let ours = format!(
            "model=\"{}\",instance_id=\"{}\"",
            escape(model),
            escape(instance_id)
        );
        for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                if let Some((name, help)) = rest.split_once(' ') {
                    if let Some(name) = rename(name) {
                        self.families.entry(name).or_default().help = Some(help.to_string());
                    }
                }
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                if let Some((name, kind)) = rest.split_once(' ') {
                    if let Some(name) = rename(name) {
                        self.families.entry(name).or_default().kind = Some(kind.to_string());
                    }
                }
            } else if !line.starts_with('#') {
                self.add_sample(line, &ours);
            }
        }
    }

    fn add_sample(&mut self, line: &str, ours: &str) {
        let name_end = line.find(['{', ' ']).unwrap_or(line.len());
        let Some(name) = rename(&line[..name_end]) else {
            return;
        };
        let rest = &line[name_end..];
        let (labels, value) = match rest.strip_prefix('{') {
            Some(inner) => match closing_brace(inner) {
                Some(end) => (Some(inner[..end].trim()), &inner[end + 1..]),
                None => return,
            },
            None => (None, rest),
        };
        if !is_value_and_timestamp(value) {
            return;
        }
        let sample = match labels.filter(|l| !l.is_empty()) {
            Some(labels) => format!("{name}{{{ours},{labels}}}{value}"),
            None => format!("{name}{{{ours}}}{value}"),
        };
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|suffix| {
                let base = name.strip_suffix(suffix)?;
                self.families.contains_key(base).then(|| base.to_string())
            })
            .unwrap_or(name);
        self.families
            .entry(family)
            .or_default()
            .samples
            .push(sample);
    }

    pub fn render(&self) -> String {
        let mut out = String::new();
        for (name, family) in &self.families {
            if family.samples.is_empty() {
                continue;
            }
            let help = family.help.as_deref().unwrap_or("Relayed from the engine.");
            let kind = family.kind.as_deref().unwrap_or("untyped");
            // Prometheus names counters `_total` (llama.cpp's `n_tokens_max` is not).
            let shown = match kind {
                "counter" if !name.ends_with("_total") => format!("{name}_total"),
                _ => name.clone(),
            };
            let _ = writeln!(out, "# HELP {shown} {help}\n# TYPE {shown} {kind}");
            for sample in &family.samples {
                let rest = sample.strip_prefix(name.as_str()).unwrap_or(sample);
                let _ = writeln!(out, "{shown}{rest}");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_series_get_our_prefix_and_the_model_labels() {
        let mut families = Families::default();
        let text = "# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.\n\
                    # TYPE llamacpp:prompt_tokens_total counter\n\
                    llamacpp:prompt_tokens_total 42\n\
                    # TYPE llamacpp:requests_processing gauge\n\
                    llamacpp:requests_processing{slot=\"0\"} 1\n\
                    bad name 3\n";
        families.add(text, "tiny \"q\"", "i-1");
        families.add("llamacpp:prompt_tokens_total 7\n", "other", "i-2");
        families.add(
            "# TYPE llamacpp:n_tokens_max counter\nllamacpp:n_tokens_max 9\n",
            "other",
            "i-2",
        );
        let out = families.render();
        assert!(
            out.contains("# TYPE llmops_engine_llamacpp_prompt_tokens_total counter"),
            "{out}"
        );
        assert!(out.contains("llmops_engine_llamacpp_prompt_tokens_total{model=\"tiny \\\"q\\\"\",instance_id=\"i-1\"} 42"), "{out}");
        assert!(
            out.contains(
                "llmops_engine_llamacpp_prompt_tokens_total{model=\"other\",instance_id=\"i-2\"} 7"
            ),
            "{out}"
        );
        assert!(out.contains("llmops_engine_llamacpp_requests_processing{model=\"tiny \\\"q\\\"\",instance_id=\"i-1\",slot=\"0\"} 1"), "{out}");
        assert_eq!(
            out.matches("# HELP llmops_engine_llamacpp_prompt_tokens_total")
                .count(),
            1
        );
        assert!(!out.contains("bad"));
        assert!(
            out.contains("# TYPE llmops_engine_llamacpp_n_tokens_max_total counter"),
            "{out}"
        );
        assert!(
            out.contains(
                "llmops_engine_llamacpp_n_tokens_max_total{model=\"other\",instance_id=\"i-2\"} 9"
            ),
            "{out}"
        );
    }
}
