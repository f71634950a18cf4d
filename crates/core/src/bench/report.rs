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
    /// One self-contained page with tables and charts.
    Html,
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

impl BenchmarkExport {
    /// Saves the file in `dir`, or in the user's Downloads folder (else home) when `None`
    /// (`name (2).ext` beside an existing one); answers its path, or why it could not.
    pub fn save(&self, dir: Option<&std::path::Path>) -> Result<String, String> {
        let dir = match dir {
            Some(dir) => dir.to_path_buf(),
            None => dirs::download_dir()
                .or_else(dirs::home_dir)
                .ok_or("there is no Downloads or home folder to save in")?,
        };
        crate::chat::save_export_file(&dir, &self.filename, self.content.as_bytes())
            .map(|path| path.display().to_string())
            .map_err(|e| format!("the export could not be saved in {}: {e}", dir.display()))
    }
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
        BenchmarkExportFormat::Html => ("html", "text/html", html(benchmarks)),
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
pub(crate) fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

pub(crate) fn p50_p99(d: &Distribution) -> String {
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

/// What a benchmark or run measured on, as fact rows.
pub(crate) fn environment_facts(env: &super::BenchEnvironment) -> Vec<(&'static str, String)> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    vec![
        ("engine", opt(&env.engine)),
        ("engine binary", opt(&env.engine_binary)),
        ("engine version", opt(&env.engine_version)),
        ("command line", env.argv.join(" ")),
        (
            "context size",
            env.context_size.map_or(String::new(), |c| c.to_string()),
        ),
        ("model file", opt(&env.model_path)),
        (
            "model bytes",
            env.model_bytes.map_or(String::new(), |b| b.to_string()),
        ),
        ("model sha256", opt(&env.model_sha256)),
        ("host", opt(&env.hostname)),
        (
            "CPU",
            match (&env.cpu, env.logical_cores) {
                (Some(cpu), Some(cores)) => format!("{cpu} ({cores} logical cores)"),
                (cpu, _) => opt(cpu),
            },
        ),
        (
            "memory",
            env.memory_bytes.map_or(String::new(), |b| {
                format!("{:.1} GiB", b as f64 / (1u64 << 30) as f64)
            }),
        ),
        ("GPUs", env.gpus.join(", ")),
        ("GPU driver", opt(&env.gpu_driver)),
        ("llmops", env.llmops_version.clone()),
    ]
}

/// The level's load as a number for a chart's x axis (concurrency, or the rate).
fn level_x(level: &LevelResult, index: usize) -> f64 {
    level
        .concurrency
        .map(f64::from)
        .or(level.rate)
        .unwrap_or(index as f64 + 1.0)
}

fn html(benchmarks: &[Benchmark]) -> String {
    use super::html::{chart, facts, page, table, Chart, Series};
    let mut body = String::new();
    let headers = [
        "benchmark",
        "load",
        "done / failed",
        "req/s",
        "out tok/s",
        "TTFT p50 / p99",
        "TPOT p50 / p99",
        "ITL p50 / p99",
        "E2EL p50 / p99",
        "goodput",
    ];
    let rows: Vec<Vec<String>> = benchmarks
        .iter()
        .flat_map(|b| b.results.iter().map(move |l| (b, l)))
        .map(|(b, l)| {
            vec![
                b.label.clone(),
                l.load.clone(),
                format!("{} / {}", l.completed, l.failed),
                format!("{:.2}", l.request_throughput),
                format!("{:.1}", l.output_throughput),
                p50_p99(&l.ttft_ms),
                p50_p99(&l.tpot_ms),
                p50_p99(&l.itl_ms),
                p50_p99(&l.e2el_ms),
                l.goodput.map_or("–".into(), |g| format!("{g:.2}")),
            ]
        })
        .collect();
    body += "<h2>Results</h2>\n";
    body += &table(&headers, &rows);
    let per_level = |title: &str, y_label: &str, value: fn(&LevelResult) -> f64| Chart {
        title: title.into(),
        x_label: "load (concurrency or requests/s)".into(),
        y_label: y_label.into(),
        series: benchmarks
            .iter()
            .filter(|b| !b.results.is_empty())
            .map(|b| Series {
                name: b.label.clone(),
                points: b
                    .results
                    .iter()
                    .enumerate()
                    .map(|(i, l)| (level_x(l, i), value(l)))
                    .collect(),
                line: true,
            })
            .collect(),
    };
    if benchmarks.iter().any(|b| !b.results.is_empty()) {
        body += &chart(&per_level("Output tokens per second", "tok/s", |l| {
            l.output_throughput
        }));
        body += &chart(&per_level("TTFT p99", "ms", |l| l.ttft_ms.p99));
        body += &chart(&per_level("TPOT p50", "ms", |l| l.tpot_ms.p50));
    }
    for benchmark in benchmarks {
        body += &format!("<h2>{}</h2>\n", super::html::escape(&benchmark.label));
        let mut rows = vec![
            ("state", benchmark.state.as_str().to_string()),
            ("model", benchmark.model.clone().unwrap_or_default()),
        ];
        if let BenchmarkKind::Load(spec) = &benchmark.spec {
            rows.push((
                "method",
                serde_json::to_string(&spec_without_dataset(spec)).unwrap_or_default(),
            ));
        }
        if let Some(hardware) = &benchmark.hardware {
            for test in &hardware.tests {
                rows.push((
                    "llama-bench",
                    format!(
                        "{}: {:.1} ± {:.1} t/s",
                        test.name, test.tokens_per_second, test.stddev
                    ),
                ));
            }
        }
        if let Some(error) = &benchmark.error {
            rows.push(("error", error.message.clone()));
        }
        rows.push(("tags", benchmark.tags.join(", ")));
        rows.push(("notes", benchmark.notes.clone()));
        rows.extend(environment_facts(&benchmark.environment));
        body += &facts(&rows);
    }
    page("Benchmarks", &body)
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

pub(crate) fn csv_field(text: &str) -> String {
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
