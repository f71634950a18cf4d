//! A running Ollama daemon (`OLLAMA_HOST`, default 127.0.0.1:11434): its models (`/api/tags`),
//! what is loaded (`/api/ps`), pulls with progress (`/api/pull`, NDJSON), and its
//! OpenAI-compatible `/v1` as a chat endpoint. Shapes: ollama `docs/api.md` and `server/routes.go`
//! (see `shared/research/model-hub-contracts.md` §3). Its files on disk are indexed read-only by
//! `index.rs`; this talks to the daemon.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::error::HubError;
use super::hf::read_bounded;

pub const DEFAULT_HOST: &str = "http://127.0.0.1:11434";
const MAX_ANSWER: usize = 8 << 20;
/// The longest NDJSON line of a pull read (a status line is ~200 bytes).
pub const MAX_PULL_LINE: usize = 64 << 10;

/// `OLLAMA_HOST` as Ollama reads it: `host`, `host:port`, or a whole address; `0.0.0.0` (a
/// listen address) is reached at 127.0.0.1.
pub fn base_from_env() -> String {
    let Some(raw) = std::env::var("OLLAMA_HOST")
        .ok()
        .map(|h| h.trim().trim_end_matches('/').to_string())
        .filter(|h| !h.is_empty())
    else {
        return DEFAULT_HOST.to_string();
    };
    // As Ollama's envconfig.Host: with a scheme, that scheme's default port; without, http and
    // port 11434.
    let explicit_scheme = raw.contains("://");
    let with_scheme = if explicit_scheme {
        raw
    } else {
        format!("http://{raw}")
    };
    let Ok(mut url) = reqwest::Url::parse(&with_scheme) else {
        return DEFAULT_HOST.to_string();
    };
    if url.host_str() == Some("0.0.0.0") {
        let _ = url.set_host(Some("127.0.0.1"));
    }
    if !explicit_scheme && url.port().is_none() {
        let _ = url.set_port(Some(11434));
    }
    url.to_string().trim_end_matches('/').to_string()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct OllamaModel {
    pub name: String,
    #[ts(type = "number")]
    pub size: u64,
    pub digest: String,
    pub modified_at: Option<String>,
    pub family: Option<String>,
    pub parameter_size: Option<String>,
    pub quantization_level: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct OllamaLoaded {
    pub name: String,
    #[ts(type = "number")]
    pub size: u64,
    #[ts(type = "number")]
    pub size_vram: u64,
    pub expires_at: Option<String>,
}

/// The daemon as llmops sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct OllamaStatus {
    pub base_url: String,
    pub reachable: bool,
    pub version: Option<String>,
    pub models: Vec<OllamaModel>,
    pub loaded: Vec<OllamaLoaded>,
    /// Why it could not be reached (not installed, not running, another address).
    pub problem: Option<String>,
}

#[derive(Deserialize)]
struct Tags {
    #[serde(default)]
    models: Vec<RawModel>,
}

#[derive(Deserialize)]
struct RawModel {
    /// Newer Ollama sends the same name as `model` too (an alias would reject the pair).
    name: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    digest: String,
    #[serde(default)]
    modified_at: Option<String>,
    #[serde(default)]
    details: Option<RawDetails>,
}

#[derive(Deserialize, Default)]
struct RawDetails {
    #[serde(default)]
    family: Option<String>,
    #[serde(default)]
    parameter_size: Option<String>,
    #[serde(default)]
    quantization_level: Option<String>,
}

#[derive(Deserialize)]
struct Ps {
    #[serde(default)]
    models: Vec<RawLoaded>,
}

#[derive(Deserialize)]
struct RawLoaded {
    name: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    size_vram: u64,
    #[serde(default)]
    expires_at: Option<String>,
}

#[derive(Deserialize)]
struct Version {
    version: String,
}

/// One line of `/api/pull`'s NDJSON answer.
#[derive(Debug, Deserialize)]
pub struct PullLine {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub total: Option<u64>,
    #[serde(default)]
    pub completed: Option<u64>,
    #[serde(default)]
    pub error: Option<String>,
}

async fn get<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    base: &str,
    path: &str,
) -> Result<T, String> {
    let response = http
        .get(format!("{base}{path}"))
        .timeout(std::time::Duration::from_secs(10))
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    let status = response.status();
    let body = read_bounded(response, MAX_ANSWER).await?;
    if !status.is_success() {
        return Err(format!("{path} answered {status}"));
    }
    serde_json::from_slice(&body).map_err(|e| format!("{path}: {e}"))
}

/// What the daemon at `base` has and runs; unreachable is an answer, not an error.
pub async fn status(http: &reqwest::Client, base: &str) -> OllamaStatus {
    let version = match get::<Version>(http, base, "/api/version").await {
        Ok(v) => v.version,
        Err(problem) => {
            return OllamaStatus {
                base_url: base.into(),
                reachable: false,
                version: None,
                models: Vec::new(),
                loaded: Vec::new(),
                problem: Some(format!(
                    "no Ollama answers at {base} ({problem}); start it (`ollama serve`) or set OLLAMA_HOST"
                )),
            }
        }
    };
    let tags = get::<Tags>(http, base, "/api/tags").await;
    let ps = get::<Ps>(http, base, "/api/ps").await;
    let problem = tags.as_ref().err().or(ps.as_ref().err()).cloned();
    OllamaStatus {
        base_url: base.into(),
        reachable: true,
        version: Some(version),
        models: tags
            .map(|t| {
                t.models
                    .into_iter()
                    .map(|m| {
                        let details = m.details.unwrap_or_default();
                        OllamaModel {
                            name: m.name,
                            size: m.size,
                            digest: m.digest,
                            modified_at: m.modified_at,
                            family: details.family,
                            parameter_size: details.parameter_size,
                            quantization_level: details.quantization_level,
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
        loaded: ps
            .map(|p| {
                p.models
                    .into_iter()
                    .map(|m| OllamaLoaded {
                        name: m.name,
                        size: m.size,
                        size_vram: m.size_vram,
                        expires_at: m.expires_at,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        problem,
    }
}

/// An Ollama model name: `name[:tag]`, optionally `namespace/` or `host/namespace/`; no spaces,
/// no `..`.
pub fn validate_name(name: &str) -> Result<(), HubError> {
    let ok = !name.is_empty()
        && name.len() <= 256
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c));
    if ok {
        Ok(())
    } else {
        Err(HubError::InvalidInput(format!(
            "{name:?} is not an Ollama model name; use e.g. qwen2.5:7b or hf.co/org/repo:Q4_K_M"
        )))
    }
}

/// The bytes pulled so far and in all, over the layers a pull reported.
#[derive(Default)]
pub struct PullProgress {
    layers: std::collections::BTreeMap<String, (u64, u64)>,
}

impl PullProgress {
    /// Takes one NDJSON line; an `error` line is the pull's failure.
    pub fn take(&mut self, line: &PullLine) -> Result<(), String> {
        if let Some(error) = &line.error {
            return Err(error.clone());
        }
        if let (Some(digest), Some(total)) = (&line.digest, line.total) {
            let entry = self.layers.entry(digest.clone()).or_default();
            entry.1 = total;
            entry.0 = line.completed.unwrap_or(entry.0).min(total);
        }
        Ok(())
    }
    pub fn done(&self) -> u64 {
        self.layers.values().map(|(done, _)| done).sum()
    }
    pub fn total(&self) -> u64 {
        self.layers.values().map(|(_, total)| total).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pull_progress_sums_layers() {
        let mut progress = PullProgress::default();
        let line = |digest: &str, total: u64, completed: u64| PullLine {
            status: "downloading".into(),
            digest: Some(digest.into()),
            total: Some(total),
            completed: Some(completed),
            error: None,
        };
        progress.take(&line("a", 100, 40)).unwrap();
        progress.take(&line("b", 10, 10)).unwrap();
        progress.take(&line("a", 100, 90)).unwrap();
        assert_eq!((progress.done(), progress.total()), (100, 110));
        let failed = PullLine {
            status: String::new(),
            digest: None,
            total: None,
            completed: None,
            error: Some("pull model manifest: file does not exist".into()),
        };
        assert!(progress.take(&failed).is_err());
    }

    #[test]
    fn names() {
        assert!(validate_name("qwen2.5:7b").is_ok());
        assert!(validate_name("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M").is_ok());
        for bad in ["", "a b", "../x", "x;rm"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }
}
