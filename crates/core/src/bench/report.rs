//! One or more benchmarks as a Markdown report (to paste into an issue), CSV (one row per level)
//! or JSON (the records).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::types::{Benchmark, BenchmarkKind, Distribution, LevelResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum BenchmarkExportFormat {
    Markdown,
    Csv,
    Json,
}

/// Which benchmarks, in which format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct BenchmarkExportRequest {
    pub ids: Vec<String>,
    pub format: BenchmarkExportFormat,
}

/// The file, for the UI to save or copy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct BenchmarkExport {
    pub filename: String,
    pub content_type: String,
    pub content: String,
}

pub fn export(benchmarks: &[Benchmark], format: BenchmarkExportFormat) -> BenchmarkExport {
    let (extension, content_type, content) = match format {
        BenchmarkExportFormat::Markdown => ("md", "text/markdown", markdown(benchmarks)),
        BenchmarkExportFormat::Csv => ("csv", "text/csv", csv(benchmarks)),
        BenchmarkExportFormat::Json => (
            "json",
            "application/json",
            serde_json::to_string_pretty(&serde_json::json!({
                "format": "llmops.benchmarks.v1",
                "benchmarks": benchmarks,
            }))
            .expect("benchmarks serialise"),
        ),
    };
    let stem = match benchmarks {
        [one] => format!("benchmark-{}", &one.id[..one.id.len().min(8)]),
        _ => "benchmarks".to_string(),
    };
    BenchmarkExport {
        filename: format!("{stem}.{extension}"),
        content_type: content_type.to_string(),
        content,
    }
}

/// Table cells may not break the table: pipes and newlines are escaped.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn p50_p99(d: &Distribution) -> String {
    if d.count == 0 {
        return "–".into();
    }
    format!("{:.1} / {:.1}", d.p50, d.p99)
}

fn markdown(benchmarks: &[Benchmark]) -> String {
    let mut out = String::from("# Benchmarks\n\n");
    out += "Metrics as vLLM `bench serve` defines them (ms; p50 / p99). Made by llmops.\n\n";
    out += "| benchmark | load | done / failed | req/s | out tok/s | TTFT | TPOT | ITL | E2EL | goodput | engine tok/s (ours) |\n";
    out += "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for benchmark in benchmarks {
        for level in &benchmark.results {
            out += &markdown_row(benchmark, level);
        }
    }
    for benchmark in benchmarks {
        out += &format!("\n## {}\n\n", cell(&benchmark.label));
        out += &format!(
            "- state: {}; model: {}\n",
            benchmark.state.as_str(),
            cell(benchmark.model.as_deref().unwrap_or("–"))
        );
        if let BenchmarkKind::Load(spec) = &benchmark.spec {
            out += &format!(
                "- settings: `{}`\n",
                serde_json::to_string(&spec_without_dataset(spec)).unwrap_or_default()
            );
        }
        if let Some(hardware) = &benchmark.hardware {
            out += &format!(
                "- llama-bench on {} ({}; {}): `{}`\n",
                cell(&hardware.cpu),
                cell(&hardware.backends),
                cell(&hardware.model_type),
                cell(&hardware.command)
            );
            for test in &hardware.tests {
                out += &format!(
                    "  - {}: {:.1} ± {:.1} t/s\n",
                    test.name, test.tokens_per_second, test.stddev
                );
            }
        }
        if let Some(error) = &benchmark.error {
            out += &format!("- error: {}\n", cell(&error.message));
        }
        if !benchmark.tags.is_empty() {
            out += &format!("- tags: {}\n", cell(&benchmark.tags.join(", ")));
        }
        if !benchmark.notes.trim().is_empty() {
            out += &format!("\n{}\n", benchmark.notes.trim());
        }
    }
    out
}

fn markdown_row(benchmark: &Benchmark, level: &LevelResult) -> String {
    let engine = level.engine.as_ref().map_or("–".to_string(), |e| {
        format!(
            "{:.1} ({:.1}){}",
            e.engine_decode_per_second,
            e.client_decode_per_second,
            if e.disagrees { " ⚠" } else { "" }
        )
    });
    format!(
        "| {} | {} | {} / {} | {:.2} | {:.1} | {} | {} | {} | {} | {} | {} |\n",
        cell(&benchmark.label),
        level.load,
        level.completed,
        level.failed,
        level.request_throughput,
        level.output_throughput,
        p50_p99(&level.ttft_ms),
        p50_p99(&level.tpot_ms),
        p50_p99(&level.itl_ms),
        p50_p99(&level.e2el_ms),
        level.goodput.map_or("–".into(), |g| format!("{g:.2}")),
        engine
    )
}

/// A dataset can be megabytes: the report names it by its size.
fn spec_without_dataset(spec: &super::BenchmarkSpec) -> serde_json::Value {
    let mut value = serde_json::to_value(spec).unwrap_or_default();
    if let Some(jsonl) = value["workload"]["jsonl"].as_str() {
        let lines = jsonl.lines().filter(|l| !l.trim().is_empty()).count();
        value["workload"]["jsonl"] = serde_json::json!(format!("({lines} lines)"));
    }
    value
}

fn csv_field(text: &str) -> String {
    // A leading = + - @ would be a formula in a spreadsheet: quote it with a '.
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

const CSV_HEADER: &str = "benchmark_id,label,model,load,completed,failed,duration_s,request_throughput,output_throughput,total_token_throughput,goodput,ttft_mean_ms,ttft_p50_ms,ttft_p90_ms,ttft_p99_ms,tpot_mean_ms,tpot_p50_ms,tpot_p90_ms,tpot_p99_ms,itl_mean_ms,itl_p50_ms,itl_p90_ms,itl_p99_ms,e2el_mean_ms,e2el_p50_ms,e2el_p90_ms,e2el_p99_ms,engine_decode_per_second,client_decode_per_second";

fn csv(benchmarks: &[Benchmark]) -> String {
    let mut out = format!("{CSV_HEADER}\n");
    for benchmark in benchmarks {
        for level in &benchmark.results {
            let mut fields = vec![
                csv_field(&benchmark.id),
                csv_field(&benchmark.label),
                csv_field(benchmark.model.as_deref().unwrap_or("")),
                csv_field(&level.load),
                level.completed.to_string(),
                level.failed.to_string(),
                format!("{:.3}", level.duration_s),
                format!("{:.4}", level.request_throughput),
                format!("{:.2}", level.output_throughput),
                format!("{:.2}", level.total_token_throughput),
                level.goodput.map_or(String::new(), |g| format!("{g:.4}")),
            ];
            for d in [
                &level.ttft_ms,
                &level.tpot_ms,
                &level.itl_ms,
                &level.e2el_ms,
            ] {
                fields.extend([d.mean, d.p50, d.p90, d.p99].map(|v| format!("{v:.3}")));
            }
            let engine = level.engine.as_ref();
            fields.push(engine.map_or(String::new(), |e| {
                format!("{:.2}", e.engine_decode_per_second)
            }));
            fields.push(engine.map_or(String::new(), |e| {
                format!("{:.2}", e.client_decode_per_second)
            }));
            out += &fields.join(",");
            out.push('\n');
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_cannot_break_rows_or_become_formulas() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=cmd()"), "'=cmd()");
        assert_eq!(cell("a|b\nc"), "a\\|b c");
        assert_eq!(CSV_HEADER.split(',').count(), 11 + 16 + 2);
    }
}
