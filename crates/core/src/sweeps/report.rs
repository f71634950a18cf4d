//! A sweep as a report: the hardware, the model, the method, the table of configurations, the
//! scatter of throughput against latency with its Pareto front, and the best configuration.
//! Markdown, CSV, JSON, or one self-contained HTML page.

use super::score::latency_metric;
use super::types::{ConfigOutcome, Sweep, SweepConfig, SweepMetric};
use crate::bench::html::{self, Chart, Series};
use crate::bench::{
    cell, csv_field, environment_facts, BenchEnvironment, BenchmarkExport, BenchmarkExportFormat,
};

pub fn export(
    sweep: &Sweep,
    environment: Option<&BenchEnvironment>,
    format: BenchmarkExportFormat,
) -> BenchmarkExport {
    let (extension, content_type, content) = match format {
        BenchmarkExportFormat::Markdown => ("md", "text/markdown", markdown(sweep, environment)),
        BenchmarkExportFormat::Csv => ("csv", "text/csv", csv(sweep)),
        BenchmarkExportFormat::Json => (
            "json",
            "application/json",
            serde_json::to_string_pretty(&serde_json::json!({
                "format": "llmops.sweep.v1",
                "sweep": sweep,
                "environment": environment,
            }))
            .expect("sweeps serialise"),
        ),
        BenchmarkExportFormat::Html => ("html", "text/html", html_page(sweep, environment)),
    };
    BenchmarkExport {
        filename: format!("sweep-{}.{extension}", &sweep.id[..sweep.id.len().min(8)]),
        content_type: content_type.to_string(),
        content,
    }
}

pub fn metric_name(metric: SweepMetric) -> &'static str {
    match metric {
        SweepMetric::OutputThroughput => "output tok/s",
        SweepMetric::RequestThroughput => "requests/s",
        SweepMetric::Goodput => "goodput (req/s)",
        SweepMetric::TtftP50 => "TTFT p50 (ms)",
        SweepMetric::TtftP99 => "TTFT p99 (ms)",
        SweepMetric::TpotP50 => "TPOT p50 (ms)",
        SweepMetric::TpotP99 => "TPOT p99 (ms)",
        SweepMetric::E2elP50 => "E2EL p50 (ms)",
        SweepMetric::E2elP99 => "E2EL p99 (ms)",
    }
}

fn values_text(config: &SweepConfig) -> String {
    config
        .values
        .iter()
        .map(|(k, v)| {
            format!(
                "{k}={}",
                v.as_str().map_or_else(|| v.to_string(), str::to_string)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn outcome(config: &SweepConfig) -> &'static str {
    match config.outcome {
        ConfigOutcome::Pending => "pending",
        ConfigOutcome::Running => "running",
        ConfigOutcome::Completed => "completed",
        ConfigOutcome::Failed => "failed",
        ConfigOutcome::Skipped => "skipped",
        ConfigOutcome::Cancelled => "cancelled",
    }
}

/// The method in words: what was varied, how, and what was optimised.
fn method(sweep: &Sweep) -> Vec<(&'static str, String)> {
    let spec = &sweep.spec;
    let objective = &spec.objective;
    let constraints: Vec<String> = objective
        .constraints
        .iter()
        .map(|c| {
            let mut text = metric_name(c.metric).to_string();
            if let Some(max) = c.at_most {
                text += &format!(" ≤ {max}");
            }
            if let Some(min) = c.at_least {
                text += &format!(" ≥ {min}");
            }
            text
        })
        .collect();
    let benchmark = serde_json::to_value(&spec.benchmark).unwrap_or_default();
    vec![
        ("model", sweep.model_name.clone()),
        ("engine", sweep.engine.clone()),
        (
            "varied",
            spec.axes
                .iter()
                .map(|a| {
                    format!(
                        "{} ∈ {}",
                        serde_json::to_value(a.parameter)
                            .unwrap_or_default()
                            .as_str()
                            .unwrap_or(""),
                        serde_json::Value::Array(a.values.clone())
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        (
            "sampling",
            format!(
                "{:?}, seed {}, budget {} configurations{}",
                spec.sampling,
                spec.seed,
                spec.max_configs,
                spec.max_duration_s
                    .map_or(String::new(), |s| format!(" or {s} s"))
            ),
        ),
        (
            "objective",
            format!(
                "{} ({})",
                metric_name(objective.metric),
                if objective.metric.higher_is_better() {
                    "higher is better"
                } else {
                    "lower is better"
                }
            ),
        ),
        ("constraints", constraints.join(", ")),
        ("benchmark", benchmark.to_string()),
        ("state", sweep.state.as_str().to_string()),
    ]
}

const HEADERS: [&str; 10] = [
    "#",
    "values",
    "outcome",
    "level",
    "out tok/s",
    "TTFT p50 / p99",
    "TPOT p50",
    "E2EL p99",
    "objective",
    "why / fit",
];

fn rows(sweep: &Sweep) -> Vec<Vec<String>> {
    sweep
        .configs
        .iter()
        .map(|c| {
            let mark = if sweep.best == Some(c.index) {
                "★ "
            } else if c.pareto {
                "◆ "
            } else {
                ""
            };
            let level = c.level.as_ref();
            let num = |v: Option<f64>| v.map_or("–".to_string(), |v| format!("{v:.1}"));
            vec![
                format!("{mark}{}", c.index + 1),
                values_text(c),
                format!(
                    "{}{}",
                    outcome(c),
                    if c.level.is_some() && !c.meets_constraints {
                        " (misses constraints)"
                    } else {
                        ""
                    }
                ),
                level.map_or("–".into(), |l| l.load.clone()),
                num(level.map(|l| l.output_throughput)),
                level.map_or("–".into(), |l| {
                    format!("{:.1} / {:.1}", l.ttft_p50_ms, l.ttft_p99_ms)
                }),
                num(level.map(|l| l.tpot_p50_ms)),
                num(level.map(|l| l.e2el_p99_ms)),
                num(c.objective),
                c.reason
                    .clone()
                    .or_else(|| c.fit.clone())
                    .unwrap_or_default(),
            ]
        })
        .collect()
}

fn best_text(sweep: &Sweep) -> String {
    match sweep.best.and_then(|i| sweep.configs.get(i as usize)) {
        Some(best) => format!(
            "Configuration {} ({}): {} = {}",
            best.index + 1,
            values_text(best),
            metric_name(sweep.spec.objective.metric),
            best.objective.map_or("–".into(), |v| format!("{v:.2}"))
        ),
        None => "No configuration completed within the constraints.".into(),
    }
}

fn markdown(sweep: &Sweep, environment: Option<&BenchEnvironment>) -> String {
    let mut out = format!(
        "# Sweep: {}\n\n**Best:** {}\n\n## Method\n\n",
        cell(&sweep.label),
        cell(&best_text(sweep))
    );
    for (key, value) in method(sweep) {
        out += &format!("- {key}: {}\n", cell(&value));
    }
    out += "\n## Configurations\n\n★ best, ◆ on the Pareto front (output throughput against latency).\n\n";
    out += &format!(
        "| {} |\n|{}\n",
        HEADERS.join(" | "),
        " --- |".repeat(HEADERS.len())
    );
    for row in rows(sweep) {
        out += &format!(
            "| {} |\n",
            row.iter().map(|c| cell(c)).collect::<Vec<_>>().join(" | ")
        );
    }
    if let Some(env) = environment {
        out += "\n## Hardware and engine\n\n";
        for (key, value) in environment_facts(env)
            .into_iter()
            .filter(|(_, v)| !v.is_empty())
        {
            out += &format!("- {key}: `{}`\n", cell(&value).replace('`', "'"));
        }
    }
    out
}

fn csv(sweep: &Sweep) -> String {
    let mut out = String::from("index,values,outcome,meets_constraints,pareto,best,load,output_throughput,request_throughput,ttft_p50_ms,ttft_p99_ms,tpot_p50_ms,tpot_p99_ms,e2el_p50_ms,e2el_p99_ms,objective,run_id,benchmark_id,reason\n");
    for c in &sweep.configs {
        let level = c.level.as_ref();
        let num = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
        let fields = [
            (c.index + 1).to_string(),
            csv_field(&values_text(c)),
            outcome(c).to_string(),
            c.meets_constraints.to_string(),
            c.pareto.to_string(),
            (sweep.best == Some(c.index)).to_string(),
            csv_field(level.map_or("", |l| l.load.as_str())),
            num(level.map(|l| l.output_throughput)),
            num(level.map(|l| l.request_throughput)),
            num(level.map(|l| l.ttft_p50_ms)),
            num(level.map(|l| l.ttft_p99_ms)),
            num(level.map(|l| l.tpot_p50_ms)),
            num(level.map(|l| l.tpot_p99_ms)),
            num(level.map(|l| l.e2el_p50_ms)),
            num(level.map(|l| l.e2el_p99_ms)),
            num(c.objective),
            csv_field(c.run_id.as_deref().unwrap_or("")),
            csv_field(c.benchmark_id.as_deref().unwrap_or("")),
            // One row per configuration: a multi-line reason (an engine's last lines) is joined.
            csv_field(
                &c.reason
                    .as_deref()
                    .unwrap_or("")
                    .lines()
                    .collect::<Vec<_>>()
                    .join(" / "),
            ),
        ];
        out += &fields.join(",");
        out.push('\n');
    }
    out
}

/// Throughput against latency: every measured configuration, the Pareto front joined by a line.
pub fn scatter(sweep: &Sweep) -> Chart {
    let latency = latency_metric(&sweep.spec.objective);
    let point = |c: &SweepConfig| {
        let level = c.level.as_ref()?;
        Some((latency.of(level)?, level.output_throughput))
    };
    let measured: Vec<&SweepConfig> = sweep
        .configs
        .iter()
        .filter(|c| c.outcome == ConfigOutcome::Completed)
        .collect();
    let mut front: Vec<(f64, f64)> = measured
        .iter()
        .filter(|c| c.pareto)
        .filter_map(|c| point(c))
        .collect();
    front.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut series = vec![
        Series {
            name: "configurations".into(),
            points: measured.iter().filter_map(|c| point(c)).collect(),
            line: false,
        },
        Series {
            name: "Pareto front".into(),
            points: front,
            line: true,
        },
    ];
    if let Some(best) = sweep
        .best
        .and_then(|i| sweep.configs.get(i as usize))
        .and_then(point)
    {
        series.push(Series {
            name: "best".into(),
            points: vec![best],
            line: false,
        });
    }
    Chart {
        title: format!("Output throughput against {}", metric_name(latency)),
        x_label: metric_name(latency).into(),
        y_label: "output tok/s".into(),
        series,
    }
}

fn html_page(sweep: &Sweep, environment: Option<&BenchEnvironment>) -> String {
    let mut body = format!(
        "<p><strong>Best:</strong> {}</p>\n<h2>Method</h2>\n",
        html::escape(&best_text(sweep))
    );
    body += &html::facts(&method(sweep));
    body += "<h2>Configurations</h2>\n<p>★ best, ◆ on the Pareto front (output throughput against latency).</p>\n";
    body += &html::table(&HEADERS, &rows(sweep));
    body += &html::chart(&scatter(sweep));
    if let Some(env) = environment {
        body += "<h2>Hardware and engine</h2>\n";
        body += &html::facts(&environment_facts(env));
    }
    html::page(&format!("Sweep: {}", sweep.label), &body)
}
