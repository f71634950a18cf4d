//! `/metrics` of `llmops serve` with two (fake) GPUs is valid Prometheus exposition, checked by
//! `promtool check metrics` (Debian package `prometheus`); history and alert endpoints answer.

mod common;

use common::{call, Server};
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn metrics_pass_promtool_and_monitoring_endpoints_answer() {
    let nvml_dir = tempfile::tempdir().unwrap();
    let lib = common::build_fake_nvml(nvml_dir.path());
    let server = Server::start_with(&[("LLMOPS_NVML_LIB", lib.as_os_str())]);
    let http = reqwest::Client::new();
    server.ready(&http).await;

    let text = http
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for family in [
        "llmops_cpu_usage_ratio",
        "llmops_memory_used_bytes",
        "llmops_gpu_driver_up 1",
        "llmops_gpu_info{gpu=\"1\"",
        "llmops_gpu_temperature_celsius{gpu=\"0\",uuid=\"GPU-fa4e0000-0000-0000-0000-000000000000\"} 45",
        "llmops_gpu_power_limit_watts",
        "llmops_gpu_clocks_throttled",
        "model=\"other\"",
    ] {
        assert!(text.contains(family), "missing {family} in:\n{text}");
    }
    common::check_with_promtool(&text);
    check_grafana_dashboard(&text);

    let api = |path: &str| format!("{}/api{}", server.base, path);
    let (status, snapshot) = call(&http, Method::GET, api("/system/status"), None).await;
    assert_eq!(status, 200);
    assert_eq!(snapshot["gpu"]["gpus"].as_array().unwrap().len(), 2);
    let (status, history) = call(
        &http,
        Method::GET,
        api("/system/history?range=15m&series=cpu.usage_percent"),
        None,
    )
    .await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(history["range"], "15m");
    assert!(history["series"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["key"] == "cpu.usage_percent"));
    let (status, err) = call(&http, Method::GET, api("/system/history?range=2y"), None).await;
    assert_eq!((status, err["code"].as_str()), (400, Some("bad_request")));

    let (status, rules) = call(&http, Method::GET, api("/alerts/rules"), None).await;
    assert_eq!(status, 200);
    assert_eq!(rules["gpu_temperature_celsius"]["raise_at"], 85.0);
    let mut bad = rules.clone();
    bad["host_memory_percent"] = json!({"enabled": true, "raise_at": 80.0, "clear_at": 90.0});
    let (status, err) = call(&http, Method::PUT, api("/alerts/rules"), Some(bad)).await;
    assert_eq!(
        (status, err["code"].as_str()),
        (400, Some("alert_rules_invalid"))
    );
    let mut cooler = rules.clone();
    cooler["gpu_temperature_celsius"] =
        json!({"enabled": true, "raise_at": 50.0, "clear_at": 40.0});
    let (status, saved) = call(&http, Method::PUT, api("/alerts/rules"), Some(cooler)).await;
    assert_eq!(
        (
            status,
            saved["gpu_temperature_celsius"]["raise_at"].as_f64()
        ),
        (200, Some(50.0))
    );
    // GPU 1 runs at 55 °C: with the lowered threshold the next sample raises an alert.
    let mut raised = false;
    for _ in 0..50 {
        let (_, alerts) = call(&http, Method::GET, api("/alerts"), None).await;
        if alerts["active"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["kind"] == "gpu_temperature")
        {
            raised = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(raised, "a GPU temperature alert is raised");
}

/// Metric families a scrape without a running model (or before the Xid thread has registered)
/// does not have, with why; every other family a dashboard query names must be in the scrape.
const NOT_IN_AN_IDLE_SCRAPE: &[(&str, &str)] = &[
    ("llmops_instance_", "per instance: needs a running model"),
    ("llmops_disk_", "per model folder: the test server has none"),
    (
        "llmops_gpu_xid_errors_total",
        "set once the Xid thread has registered its events",
    ),
];

/// `docs/grafana/llmops-dashboard.json` is a well-formed dashboard: unique panel ids, each panel
/// placed and on the dashboard's data source; every query uses only the dashboard's variables,
/// parses (`promtool check rules`), names only families the exporter writes (read from its
/// source, `crates/core/src/prometheus.rs`), and those of an idle server are in `exposition`.
fn check_grafana_dashboard(exposition: &str) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let dashboard: serde_json::Value =
        serde_json::from_str(&read("docs/grafana/llmops-dashboard.json")).unwrap();
    assert_eq!(dashboard["uid"], "llmops-overview");
    let variables: Vec<&str> = dashboard["templating"]["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(variables, ["datasource", "host"]);
    let exporter = read("crates/core/src/prometheus.rs");
    let known = metric_names(&exporter);
    let panels = dashboard["panels"].as_array().unwrap();
    let mut ids = std::collections::HashSet::new();
    let mut queries = Vec::new();
    for panel in panels {
        let title = panel["title"].as_str().unwrap();
        assert!(
            ids.insert(panel["id"].as_u64().unwrap()),
            "{title}: duplicate id"
        );
        assert!(panel["gridPos"]["w"].as_u64().unwrap() > 0, "{title}");
        assert_eq!(panel["datasource"]["uid"], "${datasource}", "{title}");
        let targets = panel["targets"].as_array().unwrap();
        assert!(!targets.is_empty(), "{title}: no query");
        for target in targets {
            assert!(target["refId"].is_string(), "{title}");
            queries.push((title, target["expr"].as_str().unwrap().to_string()));
        }
    }
    let mut rules = String::from("groups:\n  - name: dashboard\n    rules:\n");
    for (n, (title, expr)) in queries.iter().enumerate() {
        let concrete = expr
            .replace("$__rate_interval", "5m")
            .replace("$host", ".*");
        assert!(
            !concrete.contains('$'),
            "{title}: unknown variable in {expr}"
        );
        let names = metric_names(expr);
        assert!(!names.is_empty(), "{title}: {expr} names no metric");
        for name in names {
            assert!(
                known.contains(&name),
                "{title}: the exporter writes no {name}"
            );
            let idle_gap = NOT_IN_AN_IDLE_SCRAPE
                .iter()
                .any(|(prefix, _)| name.starts_with(prefix));
            assert!(
                idle_gap || exposition.contains(&format!("\n{name}")),
                "{title}: {name} is not in the scrape"
            );
        }
        rules.push_str(&format!(
            "      - record: dashboard:query_{n}\n        expr: {}\n",
            serde_json::to_string(&concrete).unwrap()
        ));
    }
    common::check_rules_with_promtool(&rules);
}

/// `llmops_…` and `DCGM_FI_…` names in a text.
fn metric_names(text: &str) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    for prefix in ["llmops_", "DCGM_FI_"] {
        for (at, _) in text.match_indices(prefix) {
            let before = text[..at].chars().next_back();
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
                continue;
            }
            let name: String = text[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            names.insert(name);
        }
    }
    names
}
