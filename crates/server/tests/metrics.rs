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
