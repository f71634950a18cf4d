//! `llmops engines …`: the engine runtimes of the running app, from a terminal (the Engines page's
//! operations: list, releases, install with progress, default, rollback, pin, remove, source).

use std::time::Duration;

use serde_json::{json, Value};

use crate::client::{text, ApiClient};
use crate::terminal::{download_line, find_model, megabytes, Progress};

const POLL: Duration = Duration::from_millis(300);

/// The installed runtimes, the default (`*`), who uses each, and the fallback.
pub fn runtimes_table(overview: &Value) -> String {
    let mut out = String::new();
    let hardware = &overview["hardware"];
    let features: Vec<String> = hardware["cpu_features"]
        .as_array()
        .into_iter()
        .flatten()
        .map(text)
        .collect();
    out += &format!(
        "this computer: {} {}, CPU {}, NVIDIA {}, Vulkan {}\n",
        text(&hardware["os"]),
        text(&hardware["arch"]),
        if features.is_empty() {
            "-".into()
        } else {
            features.join(" ")
        },
        match hardware["nvidia_cuda"].as_str() {
            Some(cuda) => format!("CUDA {cuda}"),
            None => "none".into(),
        },
        if hardware["vulkan"] == true {
            "yes"
        } else {
            "no"
        },
    );
    let entries = overview["runtimes"].as_array().cloned().unwrap_or_default();
    if entries.is_empty() {
        out +=
            "no engine runtime is installed (`llmops engines install` gets the suggested build)\n";
    } else {
        out += &format!(
            "  {:<28} {:<11} {:>9}  {:<7} {}\n",
            "RUNTIME", "STATE", "SIZE", "RUNNING", "PINNED MODELS"
        );
        for entry in &entries {
            let runtime = &entry["runtime"];
            let pinned: Vec<String> = entry["pinned_models"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|m| text(&m["name"]))
                .collect();
            out += &format!(
                "{} {:<28} {:<11} {:>9}  {:<7} {}\n",
                if entry["is_default"] == true {
                    "*"
                } else {
                    " "
                },
                text(&runtime["id"]),
                text(&runtime["state"]),
                megabytes(runtime["size_bytes"].as_f64().unwrap_or(0.0)),
                entry["running_instances"].as_u64().unwrap_or(0),
                if pinned.is_empty() {
                    "-".into()
                } else {
                    pinned.join(", ")
                },
            );
            if let Some(message) = runtime["error"]["message"].as_str() {
                out += &format!("    {message}\n");
            }
        }
    }
    match overview["fallback"]["path"].as_str() {
        Some(path) => {
            out += &format!(
                "without a runtime, llama.cpp models run {path} ({})\n",
                text(&overview["fallback"]["source"])
            )
        }
        None if entries.is_empty() => out += "nothing else can run llama.cpp models yet\n",
        None => {}
    }
    out
}

/// The releases with builds for this computer, newest first, and the suggested build.
pub fn releases_table(listed: &Value) -> String {
    let mut out = format!(
        "suggested build: {} ({})\n",
        text(&listed["recommended"]["variant"]),
        text(&listed["recommended"]["reason"])
    );
    for release in listed["releases"].as_array().into_iter().flatten().take(15) {
        let builds: Vec<String> = release["builds"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|b| {
                format!(
                    "{} {}",
                    text(&b["variant"]),
                    megabytes(b["size_bytes"].as_f64().unwrap_or(0.0))
                )
            })
            .collect();
        out += &format!(
            "{:<10} {}{}\n",
            text(&release["version"]),
            builds.join(", "),
            if release["prerelease"] == true {
                " (pre-release)"
            } else {
                ""
            }
        );
    }
    out
}

/// Installs a build and follows it (download progress, then unpacking) until it is installed or
/// failed. Ctrl+C stops watching; the install goes on in the app.
pub async fn install(client: &ApiClient, request: Value) -> Result<Value, String> {
    let started = client.post("/engines/runtimes", Some(request)).await?;
    let id = text(&started["id"]);
    let download_id = text(&started["download_id"]);
    let mut progress = Progress::new();
    loop {
        let overview = client.get("/engines/runtimes").await?;
        let Some(entry) = overview["runtimes"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|e| e["runtime"]["id"] == id.as_str())
            .cloned()
        else {
            progress.finish();
            return Err(format!("{id} was removed in the app"));
        };
        match entry["runtime"]["state"].as_str().unwrap_or_default() {
            "installed" => {
                progress.finish();
                return Ok(entry);
            }
            "failed" => {
                progress.finish();
                let why = entry["runtime"]["error"]["message"]
                    .as_str()
                    .unwrap_or("no reason given");
                return Err(format!("{id} could not be installed: {why}"));
            }
            "installing" => progress.show(&format!("{id}: unpacking and checking")),
            _ => {
                let downloads = client.get("/hub/downloads").await?;
                if let Some(download) = downloads
                    .as_array()
                    .into_iter()
                    .flatten()
                    .find(|d| d["id"] == download_id.as_str())
                {
                    progress.show(&download_line(&id, &text(&download["state"]), download));
                }
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = tokio::signal::ctrl_c() => {
                progress.finish();
                return Err("stopped watching; the install goes on in llmops (see its Engines page)".into());
            }
        }
    }
}

/// Pins a model (by name, id or a unique part of its name) to a runtime, or to the default.
pub async fn pin(client: &ApiClient, model: &str, runtime: Option<&str>) -> Result<Value, String> {
    let found = find_model(client, model).await?;
    client
        .put(
            "/engines/pins",
            json!({ "model_id": found["id"], "runtime_id": runtime }),
        )
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_marks_the_default_and_says_what_runs_without_a_runtime() {
        let overview = json!({
            "hardware": {"os": "linux", "arch": "x86_64", "cpu_features": ["avx2"], "nvidia_cuda": null, "vulkan": false},
            "runtimes": [{
                "runtime": {"id": "llama.cpp-b1-cpu", "state": "installed", "size_bytes": 25_000_000},
                "is_default": true, "running_instances": 1,
                "pinned_models": [{"id": "m", "name": "Tiny"}],
            }],
            "fallback": {"path": "/opt/llama-server", "source": "PATH"},
        });
        let table = runtimes_table(&overview);
        assert!(
            table.contains("CPU avx2, NVIDIA none, Vulkan no"),
            "{table}"
        );
        assert!(table.contains("* llama.cpp-b1-cpu"), "{table}");
        assert!(
            table.contains("25.0 MB") && table.contains("Tiny"),
            "{table}"
        );
        assert!(table.contains("run /opt/llama-server (PATH)"), "{table}");
        let empty = runtimes_table(&json!({"hardware": {}, "runtimes": [], "fallback": null}));
        assert!(empty.contains("nothing else can run"), "{empty}");
    }
}
