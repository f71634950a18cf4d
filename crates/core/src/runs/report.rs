//! One run, or several compared, as Markdown, CSV, JSON or a self-contained HTML page: the
//! configuration (only what differs, when comparing), rollups, request figures, benchmarks and,
//! in HTML, the resource readings overlaid.

use std::collections::BTreeMap;

use super::types::{Rollup, Run, RunDetail};
use crate::bench::html::{self, Chart, Series};
use crate::bench::{
    cell, csv_field, environment_facts, BenchmarkExport, BenchmarkExportFormat, ResourcePoint,
};

pub fn export(details: &[RunDetail], format: BenchmarkExportFormat) -> BenchmarkExport {
    let (extension, content_type, content) = match format {
        BenchmarkExportFormat::Markdown => ("md", "text/markdown", markdown(details)),
        BenchmarkExportFormat::Csv => ("csv", "text/csv", csv(details)),
        BenchmarkExportFormat::Json => (
            "json",
            "application/json",
            serde_json::to_string_pretty(&serde_json::json!({
                "format": "llmops.runs.v1",
                "runs": details,
            }))
            .expect("runs serialise"),
        ),
        BenchmarkExportFormat::Html => ("html", "text/html", html_page(details)),
    };
    let stem = match details {
        [one] => format!("run-{}", &one.run.id[..one.run.id.len().min(8)]),
        _ => "runs-compared".to_string(),
    };
    BenchmarkExport {
        filename: format!("{stem}.{extension}"),
        content_type: content_type.to_string(),
        content,
    }
}

/// A short name for a run in a table: model and start time.
pub fn run_name(run: &Run) -> String {
    format!(
        "{} · {}",
        run.model_name,
        crate::time::utc_text(run.started_at)
    )
}

fn duration(run: &Run) -> String {
    match run.ended_at {
        Some(end) => format!("{:.0} s", (end - run.started_at) as f64 / 1000.0),
        None => "running".into(),
    }
}

/// Every configuration fact of a run as `name → value`: engine, command line, settings, model
/// file and machine.
pub fn config_facts(run: &Run) -> BTreeMap<String, String> {
    let mut facts: BTreeMap<String, String> = environment_facts(&run.environment)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    if let Some(serde_json::Value::Object(settings)) = &run.settings {
        for (key, value) in settings {
            let text = match value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            facts.insert(format!("settings.{key}"), text);
        }
    }
    facts
}

/// Facts whose values are not the same in every run (all facts for one run).
pub fn config_diff(runs: &[&Run]) -> Vec<(String, Vec<String>)> {
    let all: Vec<BTreeMap<String, String>> = runs.iter().map(|r| config_facts(r)).collect();
    let mut keys: Vec<&String> = all.iter().flat_map(|f| f.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .map(|key| {
            let values: Vec<String> = all
                .iter()
                .map(|f| f.get(key).cloned().unwrap_or_default())
                .collect();
            (key.clone(), values)
        })
        .filter(|(_, values)| runs.len() == 1 || values.iter().any(|v| v != &values[0]))
        .collect()
}

fn rollup_text(rollup: &Rollup, scale: f64, unit: &str) -> String {
    match (rollup.mean, rollup.max) {
        (Some(mean), Some(max)) => format!("{:.1} / {:.1} {unit}", mean / scale, max / scale),
        _ => "–".into(),
    }
}

const MIB: f64 = 1024.0 * 1024.0;

/// (header, value) of the summary table.
fn summary(run: &Run) -> Vec<(&'static str, String)> {
    let r = &run.rollup;
    let requests = run.requests.as_ref();
    let opt = |v: Option<f64>| v.map_or("–".into(), |v| format!("{v:.1}"));
    vec![
        ("run", run_name(run)),
        ("state", run.state.clone()),
        ("duration", duration(run)),
        ("exit", run.exit_reason.clone().unwrap_or_default()),
        (
            "CPU % (mean / max)",
            rollup_text(&r.instance_cpu_percent, 1.0, "%"),
        ),
        (
            "RSS (mean / max)",
            rollup_text(&r.instance_rss_bytes, MIB, "MiB"),
        ),
        (
            "VRAM (mean / max)",
            rollup_text(&r.instance_vram_bytes, MIB, "MiB"),
        ),
        (
            "GPU util (mean / max)",
            rollup_text(&r.gpu_utilization_percent, 1.0, "%"),
        ),
        (
            "GPU power (mean / max)",
            rollup_text(&r.gpu_power_watts, 1.0, "W"),
        ),
        (
            "GPU energy",
            r.gpu_energy_wh.map_or("–".into(), |e| format!("{e:.2} Wh")),
        ),
        (
            "requests (ok / failed)",
            requests.map_or("–".into(), |q| {
                format!("{} ({} / {})", q.requests, q.succeeded, q.failed)
            }),
        ),
        (
            "tokens in / out",
            requests.map_or("–".into(), |q| {
                format!("{} / {}", q.prompt_tokens, q.completion_tokens)
            }),
        ),
        (
            "TTFT p50 / p95 ms",
            requests.map_or("–".into(), |q| {
                format!("{} / {}", opt(q.ttft_p50_ms), opt(q.ttft_p95_ms))
            }),
        ),
        (
            "E2EL p50 / p95 ms",
            requests.map_or("–".into(), |q| {
                format!("{} / {}", opt(q.e2el_p50_ms), opt(q.e2el_p95_ms))
            }),
        ),
        ("tags", run.tags.join(", ")),
    ]
}

fn benchmark_lines(detail: &RunDetail) -> Vec<String> {
    detail
        .benchmarks
        .iter()
        .flat_map(|b| {
            b.results.iter().map(move |l| {
                format!(
                    "{} · {}: {:.1} out tok/s, TTFT p50 {:.1} ms, TPOT p50 {:.1} ms",
                    b.label, l.load, l.output_throughput, l.ttft_ms.p50, l.tpot_ms.p50
                )
            })
        })
        .collect()
}

fn markdown(details: &[RunDetail]) -> String {
    let runs: Vec<&Run> = details.iter().map(|d| &d.run).collect();
    let mut out = String::from(if runs.len() == 1 {
        "# Run\n\n"
    } else {
        "# Runs compared\n\n"
    });
    let rows: Vec<Vec<(&str, String)>> = runs.iter().map(|r| summary(r)).collect();
    out += &format!(
        "| | {} |\n",
        runs.iter()
            .map(|r| cell(&run_name(r)))
            .collect::<Vec<_>>()
            .join(" | ")
    );
    out += &format!("| --- |{}\n", " --- |".repeat(runs.len()));
    for i in 1..rows[0].len() {
        out += &format!(
            "| {} | {} |\n",
            rows[0][i].0,
            rows.iter()
                .map(|r| cell(&r[i].1))
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    out += if runs.len() == 1 {
        "\n## Configuration\n\n"
    } else {
        "\n## What differs\n\n"
    };
    let diff = config_diff(&runs);
    if diff.is_empty() {
        out += "The runs' configurations are the same.\n";
    } else {
        out += &format!(
            "| | {} |\n| --- |{}\n",
            runs.iter()
                .map(|r| cell(&run_name(r)))
                .collect::<Vec<_>>()
                .join(" | "),
            " --- |".repeat(runs.len())
        );
        for (key, values) in diff {
            out += &format!(
                "| {} | {} |\n",
                cell(&key),
                values
                    .iter()
                    .map(|v| format!("`{}`", cell(v).replace('`', "'")))
                    .collect::<Vec<_>>()
                    .join(" | ")
            );
        }
    }
    for detail in details {
        let lines = benchmark_lines(detail);
        if !lines.is_empty() || !detail.run.notes.trim().is_empty() {
            out += &format!("\n## {}\n\n", cell(&run_name(&detail.run)));
            for line in lines {
                out += &format!("- {}\n", cell(&line));
            }
            if !detail.run.notes.trim().is_empty() {
                out += &format!("\n{}\n", detail.run.notes.trim());
            }
        }
    }
    out
}

const CSV_HEADER: &str = "run_id,model,engine,state,started_at,ended_at,exit_reason,engine_version,argv,model_sha256,cpu_mean_percent,cpu_max_percent,rss_mean_bytes,rss_max_bytes,vram_mean_bytes,vram_max_bytes,gpu_util_mean_percent,gpu_power_mean_watts,gpu_energy_wh,requests,requests_ok,requests_failed,prompt_tokens,completion_tokens,ttft_p50_ms,e2el_p50_ms,tags";

fn csv(details: &[RunDetail]) -> String {
    let mut out = format!("{CSV_HEADER}\n");
    let num = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    for RunDetail { run, .. } in details {
        let r = &run.rollup;
        let q = run.requests.clone().unwrap_or_default();
        let fields = [
            csv_field(&run.id),
            csv_field(&run.model_name),
            csv_field(&run.engine),
            csv_field(&run.state),
            run.started_at.to_string(),
            run.ended_at.map_or(String::new(), |e| e.to_string()),
            csv_field(run.exit_reason.as_deref().unwrap_or("")),
            csv_field(run.environment.engine_version.as_deref().unwrap_or("")),
            csv_field(&run.environment.argv.join(" ")),
            csv_field(run.environment.model_sha256.as_deref().unwrap_or("")),
            num(r.instance_cpu_percent.mean),
            num(r.instance_cpu_percent.max),
            num(r.instance_rss_bytes.mean),
            num(r.instance_rss_bytes.max),
            num(r.instance_vram_bytes.mean),
            num(r.instance_vram_bytes.max),
            num(r.gpu_utilization_percent.mean),
            num(r.gpu_power_watts.mean),
            num(r.gpu_energy_wh),
            q.requests.to_string(),
            q.succeeded.to_string(),
            q.failed.to_string(),
            q.prompt_tokens.to_string(),
            q.completion_tokens.to_string(),
            num(q.ttft_p50_ms),
            num(q.e2el_p50_ms),
            csv_field(&run.tags.join(";")),
        ];
        out += &fields.join(",");
        out.push('\n');
    }
    out
}

/// One reading over time, one series per run (seconds from each run's start).
fn resource_chart(
    details: &[RunDetail],
    title: &str,
    unit: &str,
    value: fn(&ResourcePoint) -> Option<f64>,
) -> Option<String> {
    let series: Vec<Series> = details
        .iter()
        .map(|d| Series {
            name: run_name(&d.run),
            points: d
                .resources
                .iter()
                .filter_map(|p| value(p).map(|v| (p.at_ms / 1000.0, v)))
                .collect(),
            line: true,
        })
        .filter(|s| !s.points.is_empty())
        .collect();
    (!series.is_empty()).then(|| {
        html::chart(&Chart {
            title: title.into(),
            x_label: "seconds from the run's start".into(),
            y_label: unit.into(),
            series,
        })
    })
}

fn html_page(details: &[RunDetail]) -> String {
    let runs: Vec<&Run> = details.iter().map(|d| &d.run).collect();
    let mut body = String::from("<h2>Summary</h2>\n");
    let names: Vec<String> = runs.iter().map(|r| run_name(r)).collect();
    let mut headers = vec![""];
    headers.extend(names.iter().map(String::as_str));
    let rows: Vec<Vec<(&str, String)>> = runs.iter().map(|r| summary(r)).collect();
    let table_rows: Vec<Vec<String>> = (1..rows[0].len())
        .map(|i| {
            std::iter::once(rows[0][i].0.to_string())
                .chain(rows.iter().map(|r| r[i].1.clone()))
                .collect()
        })
        .collect();
    body += &html::table(&headers, &table_rows);
    body += if runs.len() == 1 {
        "<h2>Configuration</h2>\n"
    } else {
        "<h2>What differs</h2>\n"
    };
    let diff: Vec<Vec<String>> = config_diff(&runs)
        .into_iter()
        .map(|(key, values)| std::iter::once(key).chain(values).collect())
        .collect();
    body += &html::table(&headers, &diff);
    body += "<h2>Resources</h2>\n";
    let charts = [
        resource_chart(details, "Engine CPU", "% of one core", |p| {
            p.instance_cpu_percent.map(f64::from)
        }),
        resource_chart(details, "Engine memory (RSS)", "MiB", |p| {
            p.instance_rss_bytes.map(|b| b as f64 / MIB)
        }),
        resource_chart(details, "Engine VRAM", "MiB", |p| {
            p.instance_vram_bytes.map(|b| b as f64 / MIB)
        }),
        resource_chart(details, "GPU utilisation", "%", |p| {
            p.gpu_utilization_percent.map(f64::from)
        }),
        resource_chart(details, "GPU power", "W", |p| p.gpu_power_watts),
    ];
    let mut any = false;
    for chart in charts.into_iter().flatten() {
        body += &chart;
        any = true;
    }
    if !any {
        body += "<p>No readings were taken.</p>\n";
    }
    for detail in details {
        let lines = benchmark_lines(detail);
        if !lines.is_empty() {
            body += &format!(
                "<h2>Benchmarks of {}</h2>\n<ul>",
                html::escape(&run_name(&detail.run))
            );
            for line in lines {
                body += &format!("<li>{}</li>", html::escape(&line));
            }
            body += "</ul>\n";
        }
        if !detail.run.notes.trim().is_empty() {
            body += &format!(
                "<h3>Notes on {}</h3><p>{}</p>\n",
                html::escape(&run_name(&detail.run)),
                html::escape(detail.run.notes.trim())
            );
        }
    }
    html::page(
        if runs.len() == 1 {
            "Run"
        } else {
            "Runs compared"
        },
        &body,
    )
}
