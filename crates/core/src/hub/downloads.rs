//! The download queue: files of a hub repository, pinned to a commit, into the standard
//! Hugging Face cache. Each file goes to `blobs/<sha256>.partial` and is resumed with HTTP
//! Range after a dropped connection, a pause or an app restart; a server that answers 200 to
//! a Range request restarts it cleanly. Nothing is linked into `snapshots/` before its sha256
//! matches. Free space is checked before the start and while writing; a full disk pauses.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use super::cache::{write_ref, CachePaths};
use super::error::HubError;
use super::hf::{hub_error, validate_repo_id, HfClient, HubRepo};
use crate::access::hex;
use crate::error::{CodedError, ErrorBody};
use crate::events::{Event, EventBus};
use crate::store::Store;
use crate::time::now_ms;

/// Free space left untouched: never fill a disk to the last byte.
pub const DISK_MARGIN_BYTES: u64 = 512 << 20;
/// Free space is checked again after this many bytes written.
const SPACE_CHECK_EVERY: u64 = 64 << 20;
/// Retries of one file after network errors, 2 s, 4 s … 60 s apart.
const MAX_ATTEMPTS: u32 = 10;
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Progress events at most this often per download.
const PROGRESS_EVERY: Duration = Duration::from_millis(500);
/// The most downloads kept in the list (finished ones beyond it are forgotten, oldest first).
const MAX_KEPT: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DownloadState {
    /// Waiting for a free download slot.
    Queued,
    Downloading,
    /// Stopped by the user or by a full disk; the bytes so far are kept.
    Paused,
    /// Retrying after a network error (see `error`).
    Retrying,
    Completed,
    Failed,
    Cancelled,
}

impl DownloadState {
    fn as_str(self) -> &'static str {
        match self {
            DownloadState::Queued => "queued",
            DownloadState::Downloading => "downloading",
            DownloadState::Paused => "paused",
            DownloadState::Retrying => "retrying",
            DownloadState::Completed => "completed",
            DownloadState::Failed => "failed",
            DownloadState::Cancelled => "cancelled",
        }
    }
    /// Whether a task is (or should be) working on it.
    fn is_active(self) -> bool {
        matches!(
            self,
            DownloadState::Queued | DownloadState::Downloading | DownloadState::Retrying
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct DownloadFile {
    pub path: String,
    #[ts(type = "number")]
    pub size: u64,
    pub sha256: String,
    #[ts(type = "number")]
    pub done_bytes: u64,
    /// Verified and linked into the cache.
    pub complete: bool,
}

/// Which hub a repository is on.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum HubSource {
    /// Hugging Face, or the mirror the settings name (files go to the Hugging Face cache).
    #[default]
    HuggingFace,
    /// ModelScope (files go to ModelScope's cache).
    ModelScope,
    /// A running Ollama, which pulls into its own store.
    Ollama,
    /// An engine build's archives from a release page (GitHub's, or a mirror): plain files in
    /// the runtimes' download folder, unpacked by `runtimes` once verified.
    EngineRelease,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Download {
    pub id: String,
    #[serde(default)]
    pub source: HubSource,
    pub repo: String,
    /// What the user asked for (`main`).
    pub revision: String,
    /// The commit it is pinned to.
    pub commit: String,
    pub endpoint: String,
    pub files: Vec<DownloadFile>,
    pub state: DownloadState,
    #[ts(type = "number")]
    pub total_bytes: u64,
    #[ts(type = "number")]
    pub done_bytes: u64,
    /// Bytes per second over the last few seconds (while downloading).
    pub rate_bytes_per_second: Option<f64>,
    pub eta_seconds: Option<f64>,
    /// Why it failed, paused on its own, or is retrying.
    pub error: Option<ErrorBody>,
    /// The model file to run (the first GGUF's snapshot path) once complete.
    pub local_path: Option<String>,
    #[ts(type = "number")]
    pub created_at: i64,
}

impl Download {
    /// A new, empty download of `repo` from the context's hub, waiting for a slot.
    fn queued(context: &DownloadContext, repo: &str) -> Download {
        Download {
            id: uuid::Uuid::new_v4().to_string(),
            source: context.source,
            repo: repo.to_string(),
            revision: String::new(),
            commit: String::new(),
            endpoint: context.client.endpoint.clone(),
            files: Vec::new(),
            state: DownloadState::Queued,
            total_bytes: 0,
            done_bytes: 0,
            rate_bytes_per_second: None,
            eta_seconds: None,
            error: None,
            local_path: None,
            created_at: now_ms(),
        }
    }

    /// Whether a task works on it (or should, after a restart).
    pub fn is_active(&self) -> bool {
        self.state.is_active()
    }
}

/// What to download: files of a repository (a split set's other shards come along).
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct NewDownload {
    #[serde(default)]
    #[ts(optional)]
    pub source: Option<HubSource>,
    pub repo: String,
    #[serde(default)]
    #[ts(optional)]
    pub revision: Option<String>,
    pub files: Vec<String>,
}

/// One live download: its record and the means to stop its task.
struct Live {
    download: Download,
    cancel: CancellationToken,
    /// Bytes on disk across its files, updated by the task as it writes.
    done: Arc<AtomicU64>,
}

/// How a file's fetch ended badly.
enum FetchError {
    Cancelled,
    /// A network error or a server error worth retrying.
    Retry(String),
    /// The disk is full: pause, keeping the bytes so far.
    DiskFull(HubError),
    Fatal(HubError),
}

#[derive(Clone)]
pub struct Downloads {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    bus: EventBus,
    /// The live records by id. Held only to read or update a record, never across an await.
    live: Mutex<HashMap<String, Live>>,
    /// Downloads that may transfer at once.
    slots: Arc<Semaphore>,
    stall_after: Duration,
    retry_base: Duration,
    /// A simulated disk quota for tests: writes fail as on a full disk once this many bytes
    /// were written (`LLMOPS_HUB_TEST_WRITE_LIMIT`).
    write_limit: Option<u64>,
    written: AtomicU64,
}

/// What a download task needs besides its record.
#[derive(Clone)]
pub struct DownloadContext {
    /// The hub's address and the credential for it (a ModelScope token for ModelScope).
    pub client: HfClient,
    /// Where files go: the Hugging Face cache, or ModelScope's.
    pub cache: PathBuf,
    pub source: HubSource,
}

/// Where a file of a download goes (its `.partial`, its place, its lock).
fn destination(
    source: HubSource,
    cache: &Path,
    repo: &str,
    commit: &str,
    file: &DownloadFile,
) -> Result<CachePaths, HubError> {
    match source {
        HubSource::HuggingFace => CachePaths::new(cache, repo, commit, &file.path, &file.sha256),
        HubSource::ModelScope => CachePaths::modelscope(cache, repo, &file.path, &file.sha256),
        HubSource::Ollama => Err(HubError::InvalidInput(
            "Ollama keeps the files it pulls itself".into(),
        )),
        HubSource::EngineRelease => CachePaths::plain(cache, &file.path, &file.sha256),
    }
}

/// Where a file of a download is fetched from.
fn file_url(context: &DownloadContext, download: &Download, file: &DownloadFile) -> String {
    match download.source {
        HubSource::HuggingFace => {
            context
                .client
                .resolve_url(&download.repo, &download.commit, &file.path)
        }
        HubSource::ModelScope => super::ms::file_url(
            &context.client.endpoint,
            &download.repo,
            &download.commit,
            &file.path,
        ),
        HubSource::Ollama => format!("{}/api/pull", context.client.endpoint),
        // The endpoint is the release's download folder; the file is one of its archives.
        HubSource::EngineRelease => format!("{}/{}", context.client.endpoint, file.path),
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

impl Downloads {
    pub async fn open(store: Store, bus: EventBus, parallel: usize) -> Result<Downloads, HubError> {
        let downloads = Downloads {
            shared: Arc::new(Shared {
                store,
                bus,
                live: Mutex::new(HashMap::new()),
                slots: Arc::new(Semaphore::new(parallel.max(1))),
                stall_after: Duration::from_secs(env_number("LLMOPS_HUB_STALL_SECS").unwrap_or(30)),
                retry_base: Duration::from_millis(
                    env_number("LLMOPS_HUB_RETRY_BASE_MS").unwrap_or(2000),
                ),
                write_limit: env_number("LLMOPS_HUB_TEST_WRITE_LIMIT"),
                written: AtomicU64::new(0),
            }),
        };
        for download in load_all(&downloads.shared.store).await? {
            let done = Arc::new(AtomicU64::new(download.done_bytes));
            downloads
                .shared
                .live
                .lock()
                .expect("downloads lock")
                .insert(
                    download.id.clone(),
                    Live {
                        download,
                        cancel: CancellationToken::new(),
                        done,
                    },
                );
        }
        Ok(downloads)
    }

    /// Starts again what a previous run left queued or downloading.
    pub fn resume_interrupted(&self, context: impl Fn(&Download) -> Option<DownloadContext>) {
        let interrupted: Vec<Download> = self
            .list()
            .into_iter()
            .filter(|d| d.state.is_active())
            .collect();
        for download in interrupted {
            if let Some(context) = context(&download) {
                tracing::info!(id = %download.id, repo = %download.repo, "resuming a download");
                self.spawn(download.id.clone(), context);
            }
        }
    }

    /// Sets how many downloads transfer at once (only ever raised while running: permits
    /// already handed out cannot be taken back, so a lower limit applies at the next start).
    pub fn set_parallel(&self, parallel: usize) {
        let current = self.shared.slots.available_permits();
        if parallel > current {
            self.shared.slots.add_permits(parallel - current);
        }
    }

    pub fn list(&self) -> Vec<Download> {
        let live = self.shared.live.lock().expect("downloads lock");
        let mut list: Vec<Download> = live.values().map(snapshot).collect();
        list.sort_by_key(|d| std::cmp::Reverse(d.created_at));
        list
    }

    pub fn get(&self, id: &str) -> Result<Download, HubError> {
        let live = self.shared.live.lock().expect("downloads lock");
        live.get(id)
            .map(snapshot)
            .ok_or_else(|| HubError::DownloadNotFound(id.into()))
    }

    /// Queues `new` from `repo` (listed and pinned already) and starts it when a slot is free.
    pub async fn start(
        &self,
        new: NewDownload,
        repo: HubRepo,
        context: DownloadContext,
    ) -> Result<Download, HubError> {
        validate_repo_id(&new.repo)?;
        let files = chosen_files(&new.files, &repo)?;
        let total: u64 = files.iter().map(|f| f.size).sum();
        let cache = context.cache.clone();
        let missing: u64 = files
            .iter()
            .map(|f| bytes_to_fetch(context.source, &cache, &repo, f))
            .sum();
        check_space(&cache, missing)?;
        let download = Download {
            revision: new.revision.unwrap_or_else(|| repo.commit.clone()),
            commit: repo.commit.clone(),
            files,
            total_bytes: total,
            ..Download::queued(&context, &repo.id)
        };
        self.register(download, context).await
    }

    /// Persists a new download, lists it and starts its task.
    async fn register(
        &self,
        download: Download,
        context: DownloadContext,
    ) -> Result<Download, HubError> {
        save(&self.shared.store, &download).await?;
        self.shared.live.lock().expect("downloads lock").insert(
            download.id.clone(),
            Live {
                download: download.clone(),
                cancel: CancellationToken::new(),
                done: Arc::new(AtomicU64::new(0)),
            },
        );
        self.forget_old().await;
        self.spawn(download.id.clone(), context);
        Ok(download)
    }

    /// Queues the archives of an engine build (listed with their sha256 by the release), from
    /// the release's download folder (the context's endpoint) into the context's folder.
    pub async fn start_engine_release(
        &self,
        label: &str,
        version: &str,
        files: Vec<DownloadFile>,
        context: DownloadContext,
    ) -> Result<Download, HubError> {
        let total: u64 = files.iter().map(|f| f.size).sum();
        check_space(&context.cache, total)?;
        for file in &files {
            destination(
                HubSource::EngineRelease,
                &context.cache,
                label,
                version,
                file,
            )?;
        }
        let download = Download {
            revision: version.to_string(),
            commit: version.to_string(),
            files,
            total_bytes: total,
            ..Download::queued(&context, label)
        };
        self.register(download, context).await
    }

    /// Asks a running Ollama to pull `name`, followed like a download.
    pub async fn start_ollama_pull(
        &self,
        name: &str,
        context: DownloadContext,
    ) -> Result<Download, HubError> {
        super::ollama::validate_name(name)?;
        // Ollama pulls by name: no files, no commit; its layers' sizes arrive with the progress.
        let download = Download::queued(&context, name);
        self.register(download, context).await
    }

    /// Stops a download, keeping its bytes.
    pub async fn pause(&self, id: &str) -> Result<Download, HubError> {
        self.stop(id, DownloadState::Paused, None).await
    }

    /// Stops a download and deletes its unfinished files (finished, verified files stay in the
    /// cache, where other tools may use them).
    pub async fn cancel(&self, id: &str, cache: &Path) -> Result<Download, HubError> {
        let download = self.stop(id, DownloadState::Cancelled, None).await?;
        for file in &download.files {
            if let Ok(paths) = destination(
                download.source,
                cache,
                &download.repo,
                &download.commit,
                file,
            ) {
                let _ = std::fs::remove_file(paths.partial);
            }
        }
        Ok(download)
    }

    /// Starts a paused, failed or cancelled download again from where its files are.
    pub async fn resume(&self, id: &str, context: DownloadContext) -> Result<Download, HubError> {
        let missing = {
            let live = self.shared.live.lock().expect("downloads lock");
            let download = &live
                .get(id)
                .ok_or_else(|| HubError::DownloadNotFound(id.into()))?
                .download;
            if download.state.is_active() || download.state == DownloadState::Completed {
                return Ok(snapshot(live.get(id).expect("present")));
            }
            download
                .total_bytes
                .saturating_sub(partial_bytes(&context.cache, download))
        };
        check_space(&context.cache, missing)?;
        self.set_state(id, DownloadState::Queued, None).await;
        self.spawn(id.to_string(), context);
        self.get(id)
    }

    /// Forgets a download that is not running (its files stay).
    pub async fn remove(&self, id: &str) -> Result<(), HubError> {
        {
            let mut live = self.shared.live.lock().expect("downloads lock");
            match live.get(id) {
                None => return Err(HubError::DownloadNotFound(id.into())),
                Some(entry) if entry.download.state.is_active() => {
                    return Err(HubError::InvalidInput(
                        "the download is running; pause or cancel it first".into(),
                    ))
                }
                Some(_) => {
                    live.remove(id);
                }
            }
        }
        sqlx::query("DELETE FROM hub_downloads WHERE id = ?")
            .bind(id)
            .execute(self.shared.store.pool())
            .await
            .map_err(crate::store::StoreError::from)?;
        Ok(())
    }

    async fn stop(
        &self,
        id: &str,
        state: DownloadState,
        error: Option<ErrorBody>,
    ) -> Result<Download, HubError> {
        {
            let live = self.shared.live.lock().expect("downloads lock");
            let entry = live
                .get(id)
                .ok_or_else(|| HubError::DownloadNotFound(id.into()))?;
            if entry.download.state == DownloadState::Completed {
                return Ok(snapshot(entry));
            }
            entry.cancel.cancel();
        }
        self.set_state(id, state, error).await;
        self.get(id)
    }

    /// Records a new state, persists it and tells the UI.
    async fn set_state(&self, id: &str, state: DownloadState, error: Option<ErrorBody>) {
        let record = {
            let mut live = self.shared.live.lock().expect("downloads lock");
            let Some(entry) = live.get_mut(id) else {
                return;
            };
            entry.download.state = state;
            entry.download.error = error;
            if state.is_active() && entry.cancel.is_cancelled() {
                entry.cancel = CancellationToken::new();
            }
            snapshot(entry)
        };
        if let Err(error) = save(&self.shared.store, &record).await {
            tracing::error!(%error, id, "could not save a download's state");
        }
        self.shared.bus.publish(Event::DownloadUpdate(record));
    }

    async fn forget_old(&self) {
        let old: Vec<String> = {
            let list = self.list();
            list.iter()
                .skip(MAX_KEPT)
                .filter(|d| !d.state.is_active())
                .map(|d| d.id.clone())
                .collect()
        };
        for id in old {
            let _ = self.remove(&id).await;
        }
    }

    fn spawn(&self, id: String, context: DownloadContext) {
        let downloads = self.clone();
        tokio::spawn(async move { downloads.run(id, context).await });
    }

    /// One download's task: wait for a slot, fetch each file with retries, finish.
    async fn run(&self, id: String, context: DownloadContext) {
        let Some((cancel, done)) = ({
            let live = self.shared.live.lock().expect("downloads lock");
            live.get(&id).map(|e| (e.cancel.clone(), e.done.clone()))
        }) else {
            return;
        };
        let permit = tokio::select! {
            permit = self.shared.slots.clone().acquire_owned() => permit.expect("never closed"),
            _ = cancel.cancelled() => return,
        };
        self.set_state(&id, DownloadState::Downloading, None).await;
        let progress = self.spawn_progress(id.clone(), cancel.clone(), done.clone());
        let outcome = self.fetch_all(&id, &context, &cancel, &done).await;
        progress.abort();
        drop(permit);
        match outcome {
            Ok(local_path) => {
                {
                    let mut live = self.shared.live.lock().expect("downloads lock");
                    if let Some(entry) = live.get_mut(&id) {
                        entry.download.local_path = local_path;
                        for file in &mut entry.download.files {
                            file.complete = true;
                        }
                    }
                }
                self.set_state(&id, DownloadState::Completed, None).await;
            }
            Err(FetchError::Cancelled) => {}
            Err(FetchError::DiskFull(error)) => {
                self.set_state(&id, DownloadState::Paused, Some(error.body()))
                    .await
            }
            Err(FetchError::Fatal(error)) => {
                self.set_state(&id, DownloadState::Failed, Some(error.body()))
                    .await
            }
            Err(FetchError::Retry(detail)) => {
                let error = HubError::Unreachable {
                    endpoint: context.client.endpoint.clone(),
                    detail: format!(
                        "{detail} (gave up after {MAX_ATTEMPTS} tries; resume to try again)"
                    ),
                };
                self.set_state(&id, DownloadState::Failed, Some(error.body()))
                    .await
            }
        }
    }

    /// Publishes progress (bytes, rate, ETA) every half second while the download runs.
    fn spawn_progress(
        &self,
        id: String,
        cancel: CancellationToken,
        done: Arc<AtomicU64>,
    ) -> tokio::task::JoinHandle<()> {
        let downloads = self.clone();
        tokio::spawn(async move {
            let mut samples: std::collections::VecDeque<(Instant, u64)> = Default::default();
            let mut ticker = tokio::time::interval(PROGRESS_EVERY);
            loop {
                tokio::select! {
                    _ = ticker.tick() => {}
                    _ = cancel.cancelled() => return,
                }
                let now = Instant::now();
                let bytes = done.load(Ordering::Relaxed);
                samples.push_back((now, bytes));
                while samples.len() > 10 {
                    samples.pop_front();
                }
                let (first_at, first_bytes) = samples[0];
                let elapsed = now.duration_since(first_at).as_secs_f64();
                let rate =
                    (elapsed > 0.0).then(|| (bytes - first_bytes.min(bytes)) as f64 / elapsed);
                let record = {
                    let mut live = downloads.shared.live.lock().expect("downloads lock");
                    let Some(entry) = live.get_mut(&id) else {
                        return;
                    };
                    entry.download.rate_bytes_per_second = rate;
                    entry.download.eta_seconds = rate
                        .filter(|r| *r > 0.0)
                        .map(|r| entry.download.total_bytes.saturating_sub(bytes) as f64 / r);
                    snapshot(entry)
                };
                downloads.shared.bus.publish(Event::DownloadUpdate(record));
            }
        })
    }

    async fn fetch_all(
        &self,
        id: &str,
        context: &DownloadContext,
        cancel: &CancellationToken,
        done: &Arc<AtomicU64>,
    ) -> Result<Option<String>, FetchError> {
        let download = self.get(id).map_err(FetchError::Fatal)?;
        if download.source == HubSource::Ollama {
            let mut attempt = 0;
            loop {
                match self.pull_ollama(id, &download, context, cancel, done).await {
                    Ok(()) => return Ok(None),
                    Err(FetchError::Retry(detail)) => {
                        attempt += 1;
                        self.back_off(id, context, cancel, attempt, detail).await?;
                    }
                    Err(other) => return Err(other),
                }
            }
        }
        let mut finished_bytes = 0u64;
        let mut first_path = None;
        for file in &download.files {
            let paths = destination(
                download.source,
                &context.cache,
                &download.repo,
                &download.commit,
                file,
            )
            .map_err(FetchError::Fatal)?;
            let mut attempt = 0;
            loop {
                let job = FileJob {
                    context,
                    download: &download,
                    file,
                    paths: &paths,
                    base: finished_bytes,
                    done,
                };
                match self.fetch_file(job, cancel).await {
                    Ok(()) => break,
                    Err(FetchError::Retry(detail)) => {
                        attempt += 1;
                        tracing::warn!(id, file = %file.path, attempt, %detail, "download interrupted");
                        self.back_off(id, context, cancel, attempt, detail).await?;
                    }
                    Err(other) => return Err(other),
                }
            }
            finished_bytes += file.size;
            done.store(finished_bytes, Ordering::Relaxed);
            if first_path.is_none() && file.path.to_ascii_lowercase().ends_with(".gguf") {
                first_path = Some(paths.pointer.display().to_string());
            }
        }
        if download.source == HubSource::HuggingFace {
            if let Err(error) = write_ref(
                &context.cache,
                &download.repo,
                &download.revision,
                &download.commit,
            ) {
                tracing::warn!(%error, "could not write the branch's ref");
            }
        }
        Ok(first_path)
    }

    /// Waits before try `attempt + 1` (2 s, 4 s … 60 s), showing why; gives up after
    /// `MAX_ATTEMPTS` tries.
    async fn back_off(
        &self,
        id: &str,
        context: &DownloadContext,
        cancel: &CancellationToken,
        attempt: u32,
        detail: String,
    ) -> Result<(), FetchError> {
        if attempt >= MAX_ATTEMPTS {
            return Err(FetchError::Retry(detail));
        }
        let wait = (self.shared.retry_base * 2u32.pow(attempt - 1)).min(MAX_BACKOFF);
        let error = HubError::Unreachable {
            endpoint: context.client.endpoint.clone(),
            detail: format!(
                "{detail}; try {} of {MAX_ATTEMPTS} in {} s",
                attempt + 1,
                wait.as_secs()
            ),
        };
        self.set_state(id, DownloadState::Retrying, Some(error.body()))
            .await;
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = cancel.cancelled() => return Err(FetchError::Cancelled),
        }
        self.set_state(id, DownloadState::Downloading, None).await;
        Ok(())
    }

    /// Pulls a model into a running Ollama (`POST /api/pull`), following its NDJSON progress.
    /// Ollama keeps what it has on its side: a paused or interrupted pull continues there.
    async fn pull_ollama(
        &self,
        id: &str,
        download: &Download,
        context: &DownloadContext,
        cancel: &CancellationToken,
        done: &Arc<AtomicU64>,
    ) -> Result<(), FetchError> {
        use super::ollama::{PullLine, PullProgress, MAX_PULL_LINE};
        let body =
            serde_json::json!({ "model": download.repo, "name": download.repo, "stream": true });
        let request = context
            .client
            .http()
            .post(format!("{}/api/pull", context.client.endpoint))
            .json(&body);
        let response = tokio::select! {
            response = request.send() => response.map_err(|e| FetchError::Retry(e.without_url().to_string()))?,
            _ = cancel.cancelled() => return Err(FetchError::Cancelled),
        };
        let status = response.status().as_u16();
        if status != 200 {
            let text = super::hf::read_bounded(response, 64 << 10)
                .await
                .unwrap_or_default();
            let detail = String::from_utf8_lossy(&text).chars().take(300).collect();
            return Err(if status >= 500 {
                FetchError::Retry(format!("Ollama answered {status}: {detail}"))
            } else {
                FetchError::Fatal(HubError::HubStatus {
                    what: download.repo.clone(),
                    status,
                    detail,
                })
            });
        }
        let mut stream = response.bytes_stream();
        let mut buffer: Vec<u8> = Vec::new();
        let mut progress = PullProgress::default();
        loop {
            let next = tokio::select! {
                next = tokio::time::timeout(self.shared.stall_after, stream.next()) => next,
                _ = cancel.cancelled() => return Err(FetchError::Cancelled),
            };
            let chunk = match next {
                Err(_) => {
                    return Err(FetchError::Retry(format!(
                        "Ollama sent nothing for {} s",
                        self.shared.stall_after.as_secs()
                    )))
                }
                Ok(None) => {
                    return Err(FetchError::Retry(
                        "the pull ended before Ollama said success".into(),
                    ))
                }
                Ok(Some(Err(error))) => {
                    return Err(FetchError::Retry(error.without_url().to_string()))
                }
                Ok(Some(Ok(chunk))) => chunk,
            };
            buffer.extend_from_slice(&chunk);
            while let Some(end) = buffer.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = buffer.drain(..=end).collect();
                let Ok(parsed) = serde_json::from_slice::<PullLine>(&line) else {
                    continue;
                };
                if let Err(error) = progress.take(&parsed) {
                    return Err(FetchError::Fatal(HubError::HubStatus {
                        what: download.repo.clone(),
                        status: 200,
                        detail: error,
                    }));
                }
                done.store(progress.done(), Ordering::Relaxed);
                if let Some(entry) = self.shared.live.lock().expect("downloads lock").get_mut(id) {
                    entry.download.total_bytes = progress.total();
                }
                if parsed.status == "success" {
                    return Ok(());
                }
            }
            if buffer.len() > MAX_PULL_LINE {
                return Err(FetchError::Fatal(HubError::BadAnswer {
                    what: download.repo.clone(),
                    detail: format!("a progress line longer than {MAX_PULL_LINE} bytes"),
                }));
            }
        }
    }

    /// Fetches one file into its `.partial`, verifies it, moves it into place and links it.
    async fn fetch_file(
        &self,
        job: FileJob<'_>,
        cancel: &CancellationToken,
    ) -> Result<(), FetchError> {
        let paths = job.paths;
        let io = |what: &str, error: std::io::Error| {
            if crate::platform::is_disk_full(&error) {
                FetchError::DiskFull(space_error(&paths.blob, 0))
            } else {
                FetchError::Fatal(HubError::Io(format!(
                    "{what} {}: {error}",
                    paths.partial.display()
                )))
            }
        };
        if std::fs::metadata(&paths.blob).is_ok_and(|m| m.len() == job.file.size) {
            paths.link_snapshot().map_err(FetchError::Fatal)?;
            return Ok(());
        }
        std::fs::create_dir_all(paths.blob.parent().expect("in blobs"))
            .map_err(|e| io("creating the folder of", e))?;
        let _lock = FileLock::take(&paths.lock).map_err(FetchError::Retry)?;
        let (mut hasher, mut offset) = hash_partial(&paths.partial, job.file.size)
            .await
            .map_err(|e| io("reading", e))?;
        job.done.store(job.base + offset, Ordering::Relaxed);
        let url = file_url(job.context, job.download, job.file);
        let mut request = job
            .context
            .client
            .http()
            .get(&url)
            .headers(job.context.client.auth_headers())
            .header(reqwest::header::ACCEPT_ENCODING, "identity");
        if offset > 0 {
            request = request.header(reqwest::header::RANGE, format!("bytes={offset}-"));
        }
        let response = tokio::select! {
            response = request.send() => response.map_err(|e| FetchError::Retry(e.without_url().to_string()))?,
            _ = cancel.cancelled() => return Err(FetchError::Cancelled),
        };
        let status = response.status().as_u16();
        let restart = match status {
            206 => !content_range_starts_at(response.headers(), offset),
            200 => offset > 0, // the server ignored the Range: start over
            416 => {
                let _ = std::fs::remove_file(&paths.partial);
                return Err(FetchError::Retry(
                    "the server refused the resume range; starting over".into(),
                ));
            }
            408 | 429 | 500..=599 => {
                return Err(FetchError::Retry(format!("the hub answered {status}")))
            }
            _ => {
                let headers = response.headers().clone();
                let body = super::hf::read_bounded(response, 64 << 10)
                    .await
                    .unwrap_or_default();
                return Err(FetchError::Fatal(hub_error(
                    status,
                    &headers,
                    &body,
                    &job.download.repo,
                    &job.context.client.endpoint,
                    &job.file.path,
                )));
            }
        };
        if restart {
            hasher = Sha256::new();
            offset = 0;
        }
        // Writing and hashing run on a blocking thread, a few MiB at a time, while this task
        // keeps receiving: the network, the disk and the hash overlap.
        let mut writer = BlockWriter::start(paths.partial.clone(), restart, hasher);
        let mut stream = response.bytes_stream();
        let mut since_check = 0u64;
        let stopped = loop {
            let next = tokio::select! {
                next = tokio::time::timeout(self.shared.stall_after, stream.next()) => next,
                _ = cancel.cancelled() => break Err(FetchError::Cancelled),
            };
            let chunk = match next {
                Err(_) => {
                    break Err(FetchError::Retry(format!(
                        "no data for {} s (stalled)",
                        self.shared.stall_after.as_secs()
                    )))
                }
                Ok(None) => break Ok(()),
                Ok(Some(Err(error))) => {
                    break Err(FetchError::Retry(error.without_url().to_string()))
                }
                Ok(Some(Ok(chunk))) => chunk,
            };
            if offset + chunk.len() as u64 > job.file.size {
                let _ = writer.finish().await;
                let _ = std::fs::remove_file(&paths.partial);
                return Err(FetchError::Fatal(HubError::BadAnswer {
                    what: job.file.path.clone(),
                    detail: format!(
                        "the server sent more than the listed {} bytes",
                        job.file.size
                    ),
                }));
            }
            if self.simulated_quota(chunk.len() as u64).is_err() {
                break Err(FetchError::DiskFull(space_error(&paths.blob, 0)));
            }
            if writer.push(&chunk).await.is_err() {
                break Ok(()); // the writer stopped: its error comes from finish()
            }
            offset += chunk.len() as u64;
            since_check += chunk.len() as u64;
            job.done.store(job.base + offset, Ordering::Relaxed);
            if since_check >= SPACE_CHECK_EVERY {
                since_check = 0;
                let free = free_bytes(&paths.blob).unwrap_or(u64::MAX);
                if free < DISK_MARGIN_BYTES {
                    break Err(FetchError::DiskFull(space_error(
                        &paths.blob,
                        job.file.size - offset,
                    )));
                }
            }
        };
        // Whatever stopped the transfer, what was received is written and synced first, so the
        // `.partial` is a valid prefix to resume from.
        let written = writer.finish().await;
        stopped?;
        let hasher = written.map_err(|e| io("writing", e))?;
        if offset < job.file.size {
            return Err(FetchError::Retry(format!(
                "the connection ended after {offset} of {} bytes",
                job.file.size
            )));
        }
        let digest = hex(&hasher.finalize());
        if !digest.eq_ignore_ascii_case(&job.file.sha256) {
            let _ = std::fs::remove_file(&paths.partial);
            return Err(FetchError::Fatal(HubError::BadAnswer {
                what: job.file.path.clone(),
                detail: format!(
                    "its sha256 is {digest}, not the {} the hub listed; the file was deleted. Try again, or report it to the repository",
                    job.file.sha256
                ),
            }));
        }
        std::fs::rename(&paths.partial, &paths.blob).map_err(|e| io("moving", e))?;
        paths.link_snapshot().map_err(FetchError::Fatal)
    }

    fn simulated_quota(&self, bytes: u64) -> Result<(), ()> {
        let Some(limit) = self.shared.write_limit else {
            return Ok(());
        };
        let before = self.shared.written.fetch_add(bytes, Ordering::Relaxed);
        if before + bytes > limit {
            Err(())
        } else {
            Ok(())
        }
    }
}

/// Bytes gathered before a write: large enough that the blocking thread is not called per
/// network chunk (16 KiB), small enough to keep memory low.
const WRITE_BLOCK: usize = 4 << 20;

/// A `.partial` file written and hashed on a blocking thread, fed blocks through a bounded
/// channel (at most 4 blocks in flight: 16 MiB).
struct BlockWriter {
    sender: Option<tokio::sync::mpsc::Sender<Vec<u8>>>,
    task: tokio::task::JoinHandle<std::io::Result<Sha256>>,
    buffer: Vec<u8>,
}

impl BlockWriter {
    /// Appends to `path` (emptied first when `restart`), continuing `hasher`.
    fn start(path: PathBuf, restart: bool, mut hasher: Sha256) -> BlockWriter {
        use std::io::Write;
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
        let task = tokio::task::spawn_blocking(move || {
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)?;
            if restart {
                file.set_len(0)?;
            }
            while let Some(block) = receiver.blocking_recv() {
                file.write_all(&block)?;
                hasher.update(&block);
            }
            file.sync_all()?;
            Ok(hasher)
        });
        BlockWriter {
            sender: Some(sender),
            task,
            buffer: Vec::with_capacity(WRITE_BLOCK),
        }
    }

    /// Queues bytes; `Err` when the writing thread has stopped (its error comes from `finish`).
    async fn push(&mut self, bytes: &[u8]) -> Result<(), ()> {
        self.buffer.extend_from_slice(bytes);
        if self.buffer.len() < WRITE_BLOCK {
            return Ok(());
        }
        let block = std::mem::replace(&mut self.buffer, Vec::with_capacity(WRITE_BLOCK));
        match &self.sender {
            Some(sender) => sender.send(block).await.map_err(|_| ()),
            None => Err(()),
        }
    }

    /// Writes what is left, syncs, and gives back the hash of everything in the file.
    async fn finish(mut self) -> std::io::Result<Sha256> {
        if let Some(sender) = self.sender.take() {
            if !self.buffer.is_empty() {
                let _ = sender.send(std::mem::take(&mut self.buffer)).await;
            }
        }
        self.task
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())))
    }
}

struct FileJob<'a> {
    context: &'a DownloadContext,
    download: &'a Download,
    file: &'a DownloadFile,
    paths: &'a CachePaths,
    /// Bytes of the download's earlier files.
    base: u64,
    done: &'a Arc<AtomicU64>,
}

/// An exclusive lock on `.locks/…/<sha>.lock` (flock on Unix, LockFileEx on Windows, as
/// huggingface_hub's filelock), so that two programs never write the same blob. Released on drop.
struct FileLock {
    /// Held open for the lock; closing it releases the lock.
    _file: std::fs::File,
}

impl FileLock {
    fn take(path: &Path) -> Result<FileLock, String> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        file.try_lock()
            .map_err(|_| "another program is downloading this file right now".to_string())?;
        Ok(FileLock { _file: file })
    }
}

/// The sha256 state and length of what a `.partial` already holds (a partial longer than the
/// file is started over).
async fn hash_partial(partial: &Path, size: u64) -> std::io::Result<(Sha256, u64)> {
    let partial = partial.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut hasher = Sha256::new();
        let mut file = match std::fs::File::open(&partial) {
            Ok(file) => file,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok((hasher, 0)),
            Err(error) => return Err(error),
        };
        if file.metadata()?.len() > size {
            drop(file);
            std::fs::remove_file(&partial)?;
            return Ok((Sha256::new(), 0));
        }
        let mut buffer = vec![0u8; 1 << 20];
        let mut length = 0u64;
        loop {
            let read = file.read(&mut buffer)?;
            if read == 0 {
                break;
            }
            hasher.update(&buffer[..read]);
            length += read as u64;
        }
        Ok((hasher, length))
    })
    .await
    .expect("hashing does not panic")
}

fn content_range_starts_at(headers: &reqwest::header::HeaderMap, offset: u64) -> bool {
    headers
        .get(reqwest::header::CONTENT_RANGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bytes "))
        .and_then(|v| v.split('-').next())
        .and_then(|start| start.parse::<u64>().ok())
        == Some(offset)
}

/// Free bytes of the filesystem that holds `path` (or its nearest existing parent).
pub fn free_bytes(path: &Path) -> Option<u64> {
    let mut probe = path;
    loop {
        if probe.exists() {
            return crate::platform::disk_space(probe).map(|space| space.available_bytes);
        }
        probe = probe.parent()?;
    }
}

fn space_error(path: &Path, needed: u64) -> HubError {
    HubError::DiskFull {
        folder: path.parent().unwrap_or(path).display().to_string(),
        needed: needed + DISK_MARGIN_BYTES,
        free: free_bytes(path).unwrap_or(0),
    }
}

/// Refuses a start that would leave less than the margin free.
pub fn check_space(cache: &Path, needed: u64) -> Result<(), HubError> {
    let free = free_bytes(cache).unwrap_or(u64::MAX);
    if needed.saturating_add(DISK_MARGIN_BYTES) > free {
        return Err(HubError::DiskFull {
            folder: cache.display().to_string(),
            needed: needed.saturating_add(DISK_MARGIN_BYTES),
            free,
        });
    }
    Ok(())
}

/// The repository files the user picked, with every shard of a picked split set; each needs a
/// sha256 (GGUF files are LFS files).
fn chosen_files(wanted: &[String], repo: &HubRepo) -> Result<Vec<DownloadFile>, HubError> {
    if wanted.is_empty() {
        return Err(HubError::InvalidInput(
            "choose at least one file to download".into(),
        ));
    }
    let mut paths: Vec<String> = Vec::new();
    for path in wanted {
        let group = repo.quants.iter().find(|g| g.files.contains(path));
        let members = group
            .map(|g| g.files.clone())
            .unwrap_or_else(|| vec![path.clone()]);
        for member in members {
            if !paths.contains(&member) {
                paths.push(member);
            }
        }
    }
    paths
        .into_iter()
        .map(|path| {
            let listed = repo.files.iter().find(|f| f.path == path).ok_or_else(|| HubError::EntryNotFound {
                what: path.clone(),
                detail: format!("{} has no such file at commit {}", repo.id, repo.commit),
            })?;
            let sha256 = listed.sha256.clone().ok_or_else(|| {
                HubError::InvalidInput(format!(
                    "{path} is not stored with a sha256 (not an LFS file), so its download could not be verified; llmops downloads model files (GGUF)"
                ))
            })?;
            Ok(DownloadFile {
                path,
                size: listed.size,
                sha256: sha256.to_ascii_lowercase(),
                done_bytes: 0,
                complete: false,
            })
        })
        .collect()
}

/// Bytes still to fetch for a file: 0 when its blob is in the cache already.
fn bytes_to_fetch(source: HubSource, cache: &Path, repo: &HubRepo, file: &DownloadFile) -> u64 {
    match destination(source, cache, &repo.id, &repo.commit, file) {
        Ok(paths) if paths.blob.exists() => 0,
        Ok(paths) => file.size.saturating_sub(
            std::fs::metadata(paths.partial)
                .map(|m| m.len())
                .unwrap_or(0),
        ),
        Err(_) => file.size,
    }
}

/// Bytes on disk for a download's files (complete blobs and partials).
fn partial_bytes(cache: &Path, download: &Download) -> u64 {
    download
        .files
        .iter()
        .map(|file| {
            match destination(
                download.source,
                cache,
                &download.repo,
                &download.commit,
                file,
            ) {
                Ok(paths) if paths.blob.exists() => file.size,
                Ok(paths) => std::fs::metadata(paths.partial)
                    .map(|m| m.len())
                    .unwrap_or(0),
                Err(_) => 0,
            }
        })
        .sum()
}

/// The record with its live byte count.
fn snapshot(entry: &Live) -> Download {
    let mut download = entry.download.clone();
    download.done_bytes = entry.done.load(Ordering::Relaxed).min(download.total_bytes);
    if download.state == DownloadState::Completed {
        download.done_bytes = download.total_bytes;
    }
    let mut left = download.done_bytes;
    for file in &mut download.files {
        file.done_bytes = left.min(file.size);
        left -= file.done_bytes;
    }
    if !matches!(download.state, DownloadState::Downloading) {
        download.rate_bytes_per_second = None;
        download.eta_seconds = None;
    }
    download
}

async fn save(store: &Store, download: &Download) -> Result<(), HubError> {
    let record = serde_json::to_string(download).expect("downloads serialise");
    sqlx::query(
        "INSERT INTO hub_downloads (id, created_at, state, record) VALUES (?, ?, ?, ?) \
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, record = excluded.record",
    )
    .bind(&download.id)
    .bind(download.created_at)
    .bind(download.state.as_str())
    .bind(record)
    .execute(store.pool())
    .await
    .map_err(crate::store::StoreError::from)?;
    Ok(())
}

async fn load_all(store: &Store) -> Result<Vec<Download>, HubError> {
    let records: Vec<String> =
        sqlx::query_scalar("SELECT record FROM hub_downloads ORDER BY created_at")
            .fetch_all(store.pool())
            .await
            .map_err(crate::store::StoreError::from)?;
    Ok(records
        .iter()
        .filter_map(|record| serde_json::from_str(record).ok())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_start_that_would_fill_the_disk_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let error = check_space(dir.path(), u64::MAX / 2).unwrap_err();
        assert_eq!(error.code(), "hub_disk_full");
        assert!(check_space(dir.path(), 1).is_ok());
    }

    #[test]
    fn content_range_must_start_where_we_are() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::CONTENT_RANGE,
            "bytes 100-199/200".parse().unwrap(),
        );
        assert!(content_range_starts_at(&headers, 100));
        assert!(!content_range_starts_at(&headers, 50));
    }
}
