//! The names clients use for models, and Ollama-style `keep_alive` values.

use std::time::Duration;

/// A model's stable name: its display name in lower case, with every run of characters other
/// than letters, digits, `.` and `_` turned into one `-` (`SmolLM2 135M Instruct (Q4_1)` →
/// `smollm2-135m-instruct-q4_1`). Empty names fall back to the id.
pub fn stable_name(display_name: &str, id: &str) -> String {
    let mut out = String::with_capacity(display_name.len());
    for c in display_name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '.' || c == '_' {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let trimmed = out.trim_end_matches('-');
    if trimmed.is_empty() {
        id.to_string()
    } else {
        trimmed.to_string()
    }
}

/// The names a request may use for a model, best first: the stable name, the configured
/// aliases, the display name and the id. Comparison ignores ASCII case.
pub fn matches(candidates: &[&str], requested: &str) -> bool {
    candidates.iter().any(|c| c.eq_ignore_ascii_case(requested))
}

/// An Ollama `keep_alive`: a number of seconds, or a duration such as `"30s"`, `"5m"`, `"1h"`,
/// `"1h30m"`. A negative value keeps the model loaded indefinitely (`Some(None)`); zero stops it
/// as soon as it is idle. `None` when absent or not understood.
pub fn keep_alive(value: &serde_json::Value) -> Option<Option<Duration>> {
    match value {
        serde_json::Value::Number(n) => {
            let secs = n.as_f64()?;
            Some((secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(1e9))))
        }
        serde_json::Value::String(s) => parse_duration(s.trim()),
        _ => None,
    }
}

fn parse_duration(text: &str) -> Option<Option<Duration>> {
    if let Some(rest) = text.strip_prefix('-') {
        return parse_duration(rest).map(|_| None);
    }
    if let Ok(secs) = text.parse::<f64>() {
        return Some(Some(Duration::from_secs_f64(secs.clamp(0.0, 1e9))));
    }
    let mut total = 0.0f64;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => return None,
        };
        total += number.parse::<f64>().ok()? * unit;
        number.clear();
    }
    if !number.is_empty() {
        return None;
    }
    Some(Some(Duration::from_secs_f64(total.min(1e9))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_names_are_lower_case_and_dashed() {
        let cases = [
            ("SmolLM2 135M Instruct (Q4_1)", "smollm2-135m-instruct-q4_1"),
            ("Qwen2.5 7B", "qwen2.5-7b"),
            ("  --  ", "the-id"),
            ("Llama / 3", "llama-3"),
        ];
        for (display, stable) in cases {
            assert_eq!(stable_name(display, "the-id"), stable, "{display}");
        }
    }

    #[test]
    fn keep_alive_reads_numbers_and_durations() {
        use serde_json::json;
        let cases = [
            (json!(30), Some(Some(Duration::from_secs(30)))),
            (json!("5m"), Some(Some(Duration::from_secs(300)))),
            (json!("1h30m"), Some(Some(Duration::from_secs(5400)))),
            (json!("2.5s"), Some(Some(Duration::from_millis(2500)))),
            (json!("0"), Some(Some(Duration::ZERO))),
            (json!(-1), Some(None)),
            (json!("-1m"), Some(None)),
            (json!("soon"), None),
            (json!("5"), Some(Some(Duration::from_secs(5)))),
            (json!(true), None),
        ];
        for (value, expected) in cases {
            assert_eq!(keep_alive(&value), expected, "{value}");
        }
    }
}
