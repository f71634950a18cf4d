//! The hub service's remote half: settings (endpoint, token), search, repository listings,
//! fit before download (the GGUF header over HTTP Range), and the download queue.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::downloads::{Download, DownloadContext, HubSource, NewDownload};
use super::error::HubError;
use super::fit::{estimate, FitEstimate, FitRequest, FitResources};
use super::gguf::{parse_header, GgufError, MAX_HEADER_BYTES};
use super::hf::{
    read_bounded, validate_repo_id, HfClient, HubRepo, HubSearchPage, DEFAULT_ENDPOINT,
};
use super::index::{hf_cache_dir, hf_home};
use super::service::{GgufSummary, Hub};

const SETTINGS_KEY: &str = "hub.settings";
const REMOTE_FIRST_READ_BYTES: u64 = 2 << 20;
/// The secret store's name for a token entered in the app.
const TOKEN_SECRET: &str = "hub.hf_token";
pub const MAX_PARALLEL_DOWNLOADS: u32 = 8;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(default)]
pub struct HubSettings {
    /// A Hugging Face mirror (e.g. `https://hf-mirror.com`); empty = `HF_ENDPOINT`, else
    /// huggingface.co.
    #[ts(optional)]
    pub endpoint: Option<String>,
    /// Send the Hugging Face token to an endpoint other than huggingface.co (a mirror you trust).
    pub send_token_to_mirror: bool,
    /// Downloads that transfer at once (1–8; takes effect at the next app start).
    pub max_parallel_downloads: u32,
    /// ModelScope's address; empty = `MODELSCOPE_DOMAIN`, else www.modelscope.cn.
    #[ts(optional)]
    pub modelscope_endpoint: Option<String>,
}

impl Default for HubSettings {
    fn default() -> Self {
        HubSettings {
            endpoint: None,
            send_token_to_mirror: false,
            max_parallel_downloads: 2,
            modelscope_endpoint: None,
        }
    }
}

/// The settings and what they resolve to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct HubSettingsView {
    pub settings: HubSettings,
    pub endpoint: String,
    /// `setting`, `HF_ENDPOINT` or `default`.
    pub endpoint_source: String,
    /// Where the token comes from (`app`, `HF_TOKEN`, `HUGGING_FACE_HUB_TOKEN`, the token
    /// file), never the token itself.
    pub token_source: Option<String>,
    /// Whether the token is sent to this endpoint.
    pub token_sent: bool,
    /// Where downloads go (the Hugging Face cache).
    pub cache_dir: Option<String>,
    pub modelscope_endpoint: String,
    /// Where ModelScope downloads go (ModelScope's cache).
    pub modelscope_cache_dir: Option<String>,
}

/// A model for Ollama to pull (`qwen2.5:7b`, `hf.co/org/repo:Q4_K_M`).
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct OllamaPull {
    pub name: String,
}

/// A token to keep in the OS keyring (`null` removes it).
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct HubToken {
    pub token: Option<String>,
}

#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct HubSearchQuery {
    /// Hugging Face (default) or ModelScope.
    #[serde(default)]
    #[ts(optional)]
    pub source: Option<HubSource>,
    #[serde(default)]
    #[ts(optional)]
    pub q: Option<String>,
    /// The `next_cursor` of the previous page.
    #[serde(default)]
    #[ts(optional)]
    pub cursor: Option<String>,
    #[serde(default)]
    #[ts(optional)]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct HubRepoQuery {
    /// Hugging Face (default) or ModelScope.
    #[serde(default)]
    #[ts(optional)]
    pub source: Option<HubSource>,
    pub repo: String,
    #[serde(default)]
    #[ts(optional)]
    pub revision: Option<String>,
}

/// A hub file to fit before downloading it.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct HubFitQuery {
    /// Hugging Face (default) or ModelScope.
    #[serde(default)]
    #[ts(optional)]
    pub source: Option<HubSource>,
    pub repo: String,
    #[serde(default)]
    #[ts(optional)]
    pub revision: Option<String>,
    /// The file (a split set's first shard).
    pub file: String,
    #[serde(default)]
    #[ts(optional)]
    pub fit: Option<FitRequest>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct HubFitReport {
    pub repo: String,
    pub commit: String,
    pub file: String,
    pub gguf: GgufSummary,
    /// Bytes of the header read over HTTP Range (not the file).
    #[ts(type = "number")]
    pub header_bytes_read: u64,
    pub resources: FitResources,
    pub estimate: FitEstimate,
}

impl Hub {
    pub async fn settings(&self) -> Result<HubSettings, HubError> {
        Ok(match self.store().setting(SETTINGS_KEY).await? {
            Some(json) => serde_json::from_str(&json).unwrap_or_default(),
            None => HubSettings::default(),
        })
    }

    pub async fn set_settings(
        &self,
        mut settings: HubSettings,
    ) -> Result<HubSettingsView, HubError> {
        settings.modelscope_endpoint = settings
            .modelscope_endpoint
            .map(|e| e.trim().trim_end_matches('/').to_string())
            .filter(|e| !e.is_empty());
        if let Some(endpoint) = &settings.modelscope_endpoint {
            HfClient::new(endpoint, None)?;
        }
        settings.endpoint = settings
            .endpoint
            .map(|e| e.trim().trim_end_matches('/').to_string())
            .filter(|e| !e.is_empty());
        if let Some(endpoint) = &settings.endpoint {
            HfClient::new(endpoint, None)?;
        }
        if !(1..=MAX_PARALLEL_DOWNLOADS).contains(&settings.max_parallel_downloads) {
            return Err(HubError::InvalidInput(format!(
                "parallel downloads must be between 1 and {MAX_PARALLEL_DOWNLOADS}"
            )));
        }
        let json = serde_json::to_string(&settings).expect("settings serialise");
        self.store().set_setting(SETTINGS_KEY, &json).await?;
        self.settings_view().await
    }

    pub async fn set_token(&self, token: HubToken) -> Result<HubSettingsView, HubError> {
        let secrets = self.secrets();
        match token
            .token
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
        {
            Some(token) => {
                if token.len() > 512 || token.chars().any(|c| c.is_whitespace() || c.is_control()) {
                    return Err(HubError::InvalidInput(
                        "a Hugging Face token is one word (hf_…); paste it again".into(),
                    ));
                }
                secrets
                    .set(TOKEN_SECRET, &token)
                    .await
                    .map_err(|e| HubError::Io(e.to_string()))?
            }
            None => secrets
                .delete(TOKEN_SECRET)
                .await
                .map_err(|e| HubError::Io(e.to_string()))?,
        }
        self.settings_view().await
    }

    pub async fn settings_view(&self) -> Result<HubSettingsView, HubError> {
        let settings = self.settings().await?;
        let (endpoint, endpoint_source) = effective_endpoint(&settings);
        let token = self.token().await;
        let token_sent = token.is_some() && sends_token(&settings, &endpoint);
        Ok(HubSettingsView {
            endpoint,
            endpoint_source: endpoint_source.into(),
            token_source: token.map(|(source, _)| source),
            token_sent,
            cache_dir: self.cache_dir().ok().map(|p| p.display().to_string()),
            modelscope_endpoint: modelscope_endpoint(&settings),
            modelscope_cache_dir: self
                .modelscope_cache_dir()
                .ok()
                .map(|p| p.display().to_string()),
            settings,
        })
    }

    /// The token and where it came from: the app's own (keyring), `HF_TOKEN`,
    /// `HUGGING_FACE_HUB_TOKEN`, then `$HF_HOME/token`.
    async fn token(&self) -> Option<(String, String)> {
        if let Ok(Some(token)) = self.secrets().get(TOKEN_SECRET).await {
            return Some(("app".into(), token));
        }
        for name in ["HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"] {
            if let Some(token) = std::env::var(name).ok().filter(|t| !t.trim().is_empty()) {
                return Some((name.into(), token.trim().to_string()));
            }
        }
        let file = std::env::var_os("HF_TOKEN_PATH")
            .map(std::path::PathBuf::from)
            .or_else(|| hf_home(self.tools_home()).map(|home| home.join("token")))?;
        let token = std::fs::read_to_string(&file).ok()?;
        let token = token.trim();
        (!token.is_empty()).then(|| (file.display().to_string(), token.to_string()))
    }

    pub(crate) async fn client(&self) -> Result<HfClient, HubError> {
        let settings = self.settings().await?;
        let (endpoint, _) = effective_endpoint(&settings);
        let token = match self.token().await {
            Some((_, token)) if sends_token(&settings, &endpoint) => Some(token),
            _ => None,
        };
        HfClient::new(&endpoint, token)
    }

    pub(crate) fn cache_dir(&self) -> Result<std::path::PathBuf, HubError> {
        hf_cache_dir(self.tools_home()).ok_or_else(|| {
            HubError::InvalidInput(
                "there is no Hugging Face cache folder: set HF_HUB_CACHE or HF_HOME".into(),
            )
        })
    }

    /// ModelScope's cache: `MODELSCOPE_CACHE`, else `~/.cache/modelscope/hub`.
    pub(crate) fn modelscope_cache_dir(&self) -> Result<std::path::PathBuf, HubError> {
        std::env::var_os("MODELSCOPE_CACHE")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| self.tools_home().map(|h| h.join(".cache/modelscope/hub")))
            .ok_or_else(|| {
                HubError::InvalidInput(
                    "there is no ModelScope cache folder: set MODELSCOPE_CACHE".into(),
                )
            })
    }

    /// Where a local Ollama keeps its models (`OLLAMA_MODELS`, else `~/.ollama/models`).
    fn ollama_models_dir(&self) -> std::path::PathBuf {
        std::env::var_os("OLLAMA_MODELS")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| self.tools_home().map(|h| h.join(".ollama/models")))
            .unwrap_or_else(|| std::path::PathBuf::from("/"))
    }

    /// The Ollama daemon: reachable or why not, its models, what is loaded.
    pub async fn ollama_status(&self) -> Result<super::ollama::OllamaStatus, HubError> {
        let context = self.download_context(HubSource::Ollama).await?;
        Ok(super::ollama::status(context.client.http(), &context.client.endpoint).await)
    }

    /// Asks Ollama to pull a model; followed in the downloads list.
    pub async fn pull_ollama(&self, pull: OllamaPull) -> Result<Download, HubError> {
        let context = self.download_context(HubSource::Ollama).await?;
        self.downloads()
            .start_ollama_pull(pull.name.trim(), context)
            .await
    }

    /// The client and cache of a source (ModelScope's token is `MODELSCOPE_API_TOKEN`).
    async fn download_context(&self, source: HubSource) -> Result<DownloadContext, HubError> {
        Ok(match source {
            HubSource::HuggingFace => DownloadContext {
                client: self.client().await?,
                cache: self.cache_dir()?,
                source,
            },
            HubSource::Ollama => DownloadContext {
                client: HfClient::new(&super::ollama::base_from_env(), None)?,
                cache: self.ollama_models_dir(),
                source,
            },
            HubSource::EngineRelease => return Err(engine_builds_elsewhere()),
            HubSource::ModelScope => DownloadContext {
                client: HfClient::new(
                    &modelscope_endpoint(&self.settings().await?),
                    std::env::var("MODELSCOPE_API_TOKEN")
                        .ok()
                        .filter(|t| !t.trim().is_empty()),
                )?,
                cache: self.modelscope_cache_dir()?,
                source,
            },
        })
    }

    pub async fn search(&self, query: HubSearchQuery) -> Result<HubSearchPage, HubError> {
        let text = query.q.as_deref().unwrap_or("");
        let limit = query.limit.unwrap_or(30);
        match query.source.unwrap_or_default() {
            HubSource::HuggingFace => {
                self.client()
                    .await?
                    .search(text, limit, query.cursor.as_deref())
                    .await
            }
            HubSource::Ollama => Err(HubError::InvalidInput(
                "Ollama has no search; pull a model by its name (e.g. qwen2.5:7b)".into(),
            )),
            HubSource::EngineRelease => Err(engine_builds_elsewhere()),
            HubSource::ModelScope => {
                let context = self.download_context(HubSource::ModelScope).await?;
                let page = query
                    .cursor
                    .as_deref()
                    .and_then(|c| c.parse().ok())
                    .unwrap_or(1);
                super::ms::search(
                    context.client.http(),
                    &context.client.endpoint,
                    context.client.token(),
                    text,
                    page,
                    limit,
                )
                .await
            }
        }
    }

    /// A repository's listing on its source (revision: `main` on Hugging Face, `master` on
    /// ModelScope, unless given).
    async fn listing(
        &self,
        context: &DownloadContext,
        repo: &str,
        revision: Option<&str>,
    ) -> Result<HubRepo, HubError> {
        match context.source {
            HubSource::HuggingFace => {
                context
                    .client
                    .repo(repo.trim(), revision.unwrap_or("main"))
                    .await
            }
            HubSource::Ollama => Err(HubError::InvalidInput(
                "an Ollama model is pulled by name, not listed by files".into(),
            )),
            HubSource::EngineRelease => Err(engine_builds_elsewhere()),
            HubSource::ModelScope => {
                super::ms::repo(
                    context.client.http(),
                    &context.client.endpoint,
                    context.client.token(),
                    repo.trim(),
                    revision.unwrap_or("master"),
                )
                .await
            }
        }
    }

    pub async fn repo(&self, query: HubRepoQuery) -> Result<HubRepo, HubError> {
        let context = self
            .download_context(query.source.unwrap_or_default())
            .await?;
        self.listing(&context, &query.repo, query.revision.as_deref())
            .await
    }

    /// Reads a hub file's GGUF header over HTTP Range (growing reads, at most
    /// `MAX_HEADER_BYTES`) and fits it, before anything is downloaded.
    pub async fn fit_remote(
        &self,
        query: HubFitQuery,
        resources: FitResources,
    ) -> Result<HubFitReport, HubError> {
        validate_repo_id(query.repo.trim())?;
        let context = self
            .download_context(query.source.unwrap_or_default())
            .await?;
        let client = &context.client;
        let repo = self
            .listing(&context, &query.repo, query.revision.as_deref())
            .await?;
        let group = repo
            .quants
            .iter()
            .find(|g| g.files.contains(&query.file))
            .ok_or_else(|| HubError::EntryNotFound {
                what: query.file.clone(),
                detail: format!("{} has no GGUF file by that name", repo.id),
            })?;
        let first = group.files[0].clone();
        let url = match context.source {
            HubSource::HuggingFace => client.resolve_url(&repo.id, &repo.commit, &first),
            HubSource::ModelScope | HubSource::Ollama | HubSource::EngineRelease => {
                super::ms::file_url(&client.endpoint, &repo.id, &repo.commit, &first)
            }
        };
        // Each read is a round trip: start with more than a local read (tokenizer arrays make
        // headers of 1–10 MiB).
        let mut want = REMOTE_FIRST_READ_BYTES;
        let (info, read) = loop {
            let bytes = range_read(client, &url, want).await?;
            match parse_header(&bytes, &first) {
                Err(GgufError::Truncated { needed, .. }) if (bytes.len() as u64) == want => {
                    if needed > MAX_HEADER_BYTES {
                        return Err(GgufError::TooLarge {
                            path: first,
                            limit: MAX_HEADER_BYTES,
                        }
                        .into());
                    }
                    want = needed.max(want * 2).min(MAX_HEADER_BYTES);
                }
                other => break (other?, bytes.len() as u64),
            }
        };
        let weights = group
            .size
            .saturating_sub(info.header_bytes * group.files.len() as u64);
        let others: Vec<(String, u64)> = repo
            .quants
            .iter()
            .filter(|g| !g.projector && g.files[0] != first)
            .map(|g| (g.files[0].clone(), g.size))
            .collect();
        let request = query.fit.unwrap_or_default();
        Ok(HubFitReport {
            repo: repo.id.clone(),
            commit: repo.commit.clone(),
            file: first,
            gguf: GgufSummary::from(&info),
            header_bytes_read: read,
            estimate: estimate(&info, weights, &request, &resources, &others),
            resources,
        })
    }

    pub async fn start_download(&self, mut new: NewDownload) -> Result<Download, HubError> {
        let source = new.source.unwrap_or_default();
        if source == HubSource::Ollama {
            return self.pull_ollama(OllamaPull { name: new.repo }).await;
        }
        if source == HubSource::EngineRelease {
            return Err(engine_builds_elsewhere());
        }
        let context = self.download_context(source).await?;
        let revision = new.revision.clone().unwrap_or_else(|| {
            match source {
                HubSource::HuggingFace => "main",
                HubSource::ModelScope | HubSource::Ollama | HubSource::EngineRelease => "master",
            }
            .to_string()
        });
        let repo = self.listing(&context, &new.repo, Some(&revision)).await?;
        new.revision = Some(revision);
        self.downloads().start(new, repo, context).await
    }

    pub fn list_downloads(&self) -> Vec<Download> {
        self.downloads().list()
    }

    pub async fn pause_download(&self, id: &str) -> Result<Download, HubError> {
        self.downloads().pause(id).await
    }

    pub async fn resume_download(&self, id: &str) -> Result<Download, HubError> {
        let download = self.downloads().get(id)?;
        let context = match download.source {
            HubSource::EngineRelease => self.engine_release_context(&download.endpoint)?,
            source => self.download_context(source).await?,
        };
        self.downloads().resume(id, context).await
    }

    /// Where an engine build's archives come from (the release's download folder, no token:
    /// a hub token never goes to a release server) and go.
    pub fn engine_release_context(&self, folder_url: &str) -> Result<DownloadContext, HubError> {
        Ok(DownloadContext {
            client: HfClient::new(folder_url, None)?,
            cache: self.runtime_downloads_dir(),
            source: HubSource::EngineRelease,
        })
    }

    pub async fn cancel_download(&self, id: &str) -> Result<Download, HubError> {
        let cache = match self.downloads().get(id)?.source {
            HubSource::HuggingFace => self.cache_dir()?,
            HubSource::ModelScope => self.modelscope_cache_dir()?,
            HubSource::Ollama => self.ollama_models_dir(),
            HubSource::EngineRelease => self.runtime_downloads_dir(),
        };
        self.downloads().cancel(id, &cache).await
    }

    pub async fn remove_download(&self, id: &str) -> Result<(), HubError> {
        self.downloads().remove(id).await
    }

    /// Resumes downloads a previous run left unfinished (at open).
    pub async fn resume_interrupted_downloads(&self) {
        // A context holds an HTTP client (about 100 ms to build): none when nothing resumes.
        let sources: Vec<HubSource> = self
            .downloads()
            .list()
            .iter()
            .filter(|d| d.is_active() && d.source != HubSource::EngineRelease)
            .map(|d| d.source)
            .fold(Vec::new(), |mut seen, source| {
                if !seen.contains(&source) {
                    seen.push(source);
                }
                seen
            });
        let mut contexts = Vec::new();
        for source in sources {
            match self.download_context(source).await {
                Ok(context) => contexts.push(context),
                Err(error) => tracing::warn!(%error, ?source, "unfinished downloads cannot resume"),
            }
        }
        // A download resumes only against the endpoint it started from.
        self.downloads().resume_interrupted(|download| {
            if download.source == HubSource::EngineRelease {
                return self.engine_release_context(&download.endpoint).ok();
            }
            contexts
                .iter()
                .find(|c| c.source == download.source && c.client.endpoint == download.endpoint)
                .cloned()
        });
    }
}

fn engine_builds_elsewhere() -> HubError {
    HubError::InvalidInput(
        "engine builds are installed from the Engines page (or `POST /api/engines/install`), not from the hub".into(),
    )
}

fn effective_endpoint(settings: &HubSettings) -> (String, &'static str) {
    if let Some(endpoint) = &settings.endpoint {
        return (endpoint.clone(), "setting");
    }
    match std::env::var("HF_ENDPOINT")
        .ok()
        .filter(|e| !e.trim().is_empty())
    {
        Some(endpoint) => (
            endpoint.trim().trim_end_matches('/').to_string(),
            "HF_ENDPOINT",
        ),
        None => (DEFAULT_ENDPOINT.to_string(), "default"),
    }
}

fn modelscope_endpoint(settings: &HubSettings) -> String {
    settings
        .modelscope_endpoint
        .clone()
        .unwrap_or_else(super::ms::endpoint_from_env)
}

/// The token goes to huggingface.co, and to another endpoint only when the user allows it.
fn sends_token(settings: &HubSettings, endpoint: &str) -> bool {
    endpoint == DEFAULT_ENDPOINT || settings.send_token_to_mirror
}

/// The first `length` bytes of a hub file (fewer when the file is shorter).
async fn range_read(client: &HfClient, url: &str, length: u64) -> Result<Vec<u8>, HubError> {
    let response = client
        .http()
        .get(url)
        .headers(client.auth_headers())
        .header(reqwest::header::RANGE, format!("bytes=0-{}", length - 1))
        .header(reqwest::header::ACCEPT_ENCODING, "identity")
        .timeout(std::time::Duration::from_secs(120))
        .send()
        .await
        .map_err(|e| HubError::Unreachable {
            endpoint: client.endpoint.clone(),
            detail: e.without_url().to_string(),
        })?;
    let status = response.status().as_u16();
    if !(status == 200 || status == 206) {
        let headers = response.headers().clone();
        let body = read_bounded(response, 64 << 10).await.unwrap_or_default();
        return Err(super::hf::hub_error(
            status,
            &headers,
            &body,
            "",
            &client.endpoint,
            url,
        ));
    }
    // A server that ignores Range sends the whole file: read only what we asked for.
    use futures_util::StreamExt;
    let mut stream = response.bytes_stream();
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| HubError::Unreachable {
            endpoint: client.endpoint.clone(),
            detail: e.without_url().to_string(),
        })?;
        let room = length as usize - bytes.len();
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if bytes.len() as u64 >= length {
            break;
        }
    }
    Ok(bytes)
}
