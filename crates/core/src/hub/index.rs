//! Finds GGUF models already on disk, in place: the Hugging Face cache, LM Studio's folder,
//! Ollama's store (read only), ModelScope's cache, llmops's own models folder and folders the
//! user adds. Nothing is copied. Where each tool keeps its files is in
//! `shared/research/model-hub-contracts.md` (§1.6, §2.3, §3.3, §3.4).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Who put a file where it is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ModelSource {
    /// The Hugging Face hub cache (shared with huggingface_hub, llama.cpp `-hf`, and llmops's
    /// own downloads).
    HuggingFace,
    LmStudio,
    Ollama,
    ModelScope,
    /// llmops's models folder (the starter model).
    Llmops,
    /// A folder the user added.
    Folder,
}

impl ModelSource {
    /// The other application that owns files here; llmops never deletes them.
    pub fn owner(self) -> Option<&'static str> {
        match self {
            ModelSource::LmStudio => Some("LM Studio"),
            ModelSource::Ollama => Some("Ollama"),
            ModelSource::ModelScope => Some("ModelScope"),
            _ => None,
        }
    }
}

/// Where to look. Built from the environment ([`IndexRoots::from_env`]) or given by a test.
#[derive(Debug, Clone, Default)]
pub struct IndexRoots {
    pub hf_cache: Option<PathBuf>,
    pub lm_studio_models: Option<PathBuf>,
    pub ollama_models: Option<PathBuf>,
    pub modelscope_cache: Option<PathBuf>,
    pub llmops_models: Option<PathBuf>,
    pub folders: Vec<PathBuf>,
}

fn env_dir(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
}

/// The Hugging Face hub cache: `HF_HUB_CACHE` > `HUGGINGFACE_HUB_CACHE` > `$HF_HOME/hub` >
/// `$XDG_CACHE_HOME/huggingface/hub` > `~/.cache/huggingface/hub` (huggingface_hub's
/// `constants.py`).
pub fn hf_cache_dir(home: Option<&Path>) -> Option<PathBuf> {
    env_dir("HF_HUB_CACHE")
        .or_else(|| env_dir("HUGGINGFACE_HUB_CACHE"))
        .or_else(|| env_dir("HF_HOME").map(|home| home.join("hub")))
        .or_else(|| env_dir("XDG_CACHE_HOME").map(|cache| cache.join("huggingface/hub")))
        .or_else(|| home.map(|home| home.join(".cache/huggingface/hub")))
}

/// `$HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else `~/.cache/huggingface` (where the
/// `token` file is).
pub fn hf_home(home: Option<&Path>) -> Option<PathBuf> {
    env_dir("HF_HOME")
        .or_else(|| env_dir("XDG_CACHE_HOME").map(|cache| cache.join("huggingface")))
        .or_else(|| home.map(|home| home.join(".cache/huggingface")))
}

/// LM Studio's home: the content of `~/.lmstudio-home-pointer`, else `~/.cache/lm-studio` if it
/// exists, else `~/.lmstudio` (lmstudio-js `findLMStudioHome.ts`).
pub fn lm_studio_home(home: &Path) -> PathBuf {
    if let Ok(pointer) = std::fs::read_to_string(home.join(".lmstudio-home-pointer")) {
        let pointed = PathBuf::from(pointer.trim());
        if pointed.is_absolute() {
            return pointed;
        }
    }
    let cache = home.join(".cache/lm-studio");
    if cache.is_dir() {
        return cache;
    }
    home.join(".lmstudio")
}

impl IndexRoots {
    pub fn from_env(
        home: Option<&Path>,
        llmops_models: &Path,
        folders: Vec<PathBuf>,
    ) -> IndexRoots {
        IndexRoots {
            hf_cache: hf_cache_dir(home),
            lm_studio_models: home.map(|home| lm_studio_home(home).join("models")),
            ollama_models: env_dir("OLLAMA_MODELS")
                .or_else(|| home.map(|home| home.join(".ollama/models"))),
            modelscope_cache: env_dir("MODELSCOPE_CACHE")
                .or_else(|| home.map(|home| home.join(".cache/modelscope/hub"))),
            llmops_models: Some(llmops_models.to_path_buf()),
            folders,
        }
    }
}

/// A model file found on disk (a split set counts once, by its first shard).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct FoundFile {
    /// What to give llama-server (`-m`): the file, or a split set's first shard.
    pub path: String,
    pub source: ModelSource,
    /// `org/name` (Hugging Face, ModelScope, LM Studio), `name:tag` (Ollama), or the folder.
    pub repo: Option<String>,
    /// The file's name in its repository (an Ollama model's `name:tag`).
    pub file: String,
    /// All shards together.
    #[ts(type = "number")]
    pub size_bytes: u64,
    pub shards: u32,
    /// A vision projector (`mmproj-*.gguf`), not a model by itself.
    pub projector: bool,
    #[ts(type = "number")]
    pub modified_ms: i64,
}

/// The most directory levels walked below a user folder.
const MAX_DEPTH: usize = 8;
/// The most files one scan reports, so that a folder like `/` cannot exhaust memory.
pub const MAX_FOUND: usize = 100_000;
/// The most folders walked below one root, so that a folder like `/` or a home full of source
/// trees cannot make every scan (and the watch, every 30 s) take minutes.
const MAX_FOLDERS_PER_ROOT: usize = 20_000;
/// Folders that never hold models but can hold many thousands of others: by name anywhere, and
/// the kernel's own below `/`.
const SKIPPED_FOLDERS: &[&str] = &["node_modules", "__pycache__"];
const SKIPPED_SYSTEM_FOLDERS: &[&str] = &["/proc", "/sys", "/dev"];

/// Scans every root. Unreadable folders are skipped (a tool that is not installed).
pub fn scan(roots: &IndexRoots) -> Vec<FoundFile> {
    let mut found = Vec::new();
    if let Some(cache) = &roots.hf_cache {
        scan_hf_cache(cache, &mut found);
    }
    if let Some(models) = &roots.lm_studio_models {
        scan_tree(models, ModelSource::LmStudio, 2, &mut found);
    }
    if let Some(models) = &roots.ollama_models {
        scan_ollama(models, &mut found);
    }
    if let Some(cache) = &roots.modelscope_cache {
        scan_tree(
            &cache.join("models"),
            ModelSource::ModelScope,
            2,
            &mut found,
        );
    }
    if let Some(models) = &roots.llmops_models {
        scan_tree(models, ModelSource::Llmops, 0, &mut found);
    }
    for folder in &roots.folders {
        scan_tree(folder, ModelSource::Folder, 0, &mut found);
    }
    found.truncate(MAX_FOUND);
    found
}

fn modified_ms(metadata: &std::fs::Metadata) -> i64 {
    metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `name-00002-of-00003.gguf` → ("name", 2, 3).
pub fn split_parts(file_name: &str) -> Option<(&str, u32, u32)> {
    let stem = file_name.strip_suffix(".gguf")?;
    let (rest, count) = stem.rsplit_once("-of-")?;
    let (prefix, index) = rest.rsplit_once('-')?;
    if index.len() != 5 || count.len() != 5 {
        return None;
    }
    Some((prefix, index.parse().ok()?, count.parse().ok()?))
}

/// Adds the GGUF files of one folder: a split set once (first shard, summed sizes); a shard
/// without its first one is skipped.
fn add_gguf_files(
    folder: &Path,
    files: Vec<(String, PathBuf, std::fs::Metadata)>,
    source: ModelSource,
    repo: Option<String>,
    file_prefix: &str,
    found: &mut Vec<FoundFile>,
) {
    let _ = folder;
    let mut shard_sizes: std::collections::HashMap<(String, u32), u64> = Default::default();
    for (name, _, metadata) in &files {
        if let Some((prefix, _, count)) = split_parts(name) {
            *shard_sizes.entry((prefix.to_string(), count)).or_default() += metadata.len();
        }
    }
    for (name, path, metadata) in files {
        let (size, shards) = match split_parts(&name) {
            Some((_, index, _)) if index != 1 => continue,
            Some((prefix, _, count)) => (shard_sizes[&(prefix.to_string(), count)], count),
            None => (metadata.len(), 1),
        };
        found.push(FoundFile {
            path: path.display().to_string(),
            source,
            repo: repo.clone(),
            file: format!("{file_prefix}{name}"),
            size_bytes: size,
            shards,
            projector: name.to_ascii_lowercase().starts_with("mmproj"),
            modified_ms: modified_ms(&metadata),
        });
    }
}

/// `.gguf` files (following symlinks) directly in `folder`, sorted by name.
fn gguf_files_in(folder: &Path) -> (Vec<(String, PathBuf, std::fs::Metadata)>, Vec<PathBuf>) {
    let mut files = Vec::new();
    let mut folders = Vec::new();
    let Ok(entries) = std::fs::read_dir(folder) else {
        return (files, folders);
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let Ok(metadata) = std::fs::metadata(&path) else {
            continue; // a dangling symlink (an incomplete HF download)
        };
        if metadata.is_dir() {
            let system = SKIPPED_SYSTEM_FOLDERS
                .iter()
                .any(|skip| path == Path::new(skip));
            if !SKIPPED_FOLDERS.contains(&name.as_str()) && !system {
                folders.push(path);
            }
        } else if metadata.is_file() && name.to_ascii_lowercase().ends_with(".gguf") {
            files.push((name, path, metadata));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    folders.sort();
    (files, folders)
}

/// Walks `root`. `repo_depth` is the folder depth that names a repository (`org/name` = 2;
/// 0 = the folder path relative to the root).
fn scan_tree(root: &Path, source: ModelSource, repo_depth: usize, found: &mut Vec<FoundFile>) {
    let mut stack = vec![(root.to_path_buf(), 0usize)];
    let mut visited = std::collections::HashSet::new();
    while let Some((folder, depth)) = stack.pop() {
        if found.len() >= MAX_FOUND || depth > MAX_DEPTH || visited.len() >= MAX_FOLDERS_PER_ROOT {
            continue;
        }
        // A symlink loop visits a folder once.
        if !visited.insert(std::fs::canonicalize(&folder).unwrap_or(folder.clone())) {
            continue;
        }
        let (files, folders) = gguf_files_in(&folder);
        let relative = folder.strip_prefix(root).unwrap_or(&folder);
        let parts: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let (repo, file_prefix) = if repo_depth == 0 {
            (
                Some(root.join(relative).display().to_string()),
                String::new(),
            )
        } else if parts.len() >= repo_depth {
            let repo = parts[..repo_depth].join("/");
            let repo = if source == ModelSource::ModelScope {
                repo.replace("___", ".")
            } else {
                repo
            };
            let inner = parts[repo_depth..].join("/");
            (
                Some(repo),
                if inner.is_empty() { inner } else { inner + "/" },
            )
        } else {
            // LM Studio ignores files above `publisher/model/`.
            (None, String::new())
        };
        if repo.is_some() && !(source == ModelSource::LmStudio && parts.len() < repo_depth) {
            add_gguf_files(&folder, files, source, repo, &file_prefix, found);
        }
        for child in folders.into_iter().rev() {
            stack.push((child, depth + 1));
        }
    }
}

/// `models--org--name/snapshots/<commit>/<path>` for the commit `refs/main` names (else the
/// newest snapshot). Blobs are never listed themselves.
fn scan_hf_cache(cache: &Path, found: &mut Vec<FoundFile>) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    let mut repos: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("models--"))
        })
        .collect();
    repos.sort();
    for repo_dir in repos {
        let name = repo_dir.file_name().unwrap().to_string_lossy().into_owned();
        let repo_id = name["models--".len()..].replacen("--", "/", 1);
        let Some(snapshot) = hf_snapshot(&repo_dir) else {
            continue;
        };
        let mut files = Vec::new();
        scan_tree(&snapshot, ModelSource::HuggingFace, 0, &mut files);
        for mut file in files {
            let inner = Path::new(&file.path)
                .strip_prefix(&snapshot)
                .map(|p| p.display().to_string())
                .unwrap_or(file.file.clone());
            file.file = inner;
            file.repo = Some(repo_id.clone());
            found.push(file);
        }
    }
}

/// The snapshot folder `refs/main` points at, else the most recently changed one.
pub fn hf_snapshot(repo_dir: &Path) -> Option<PathBuf> {
    let snapshots = repo_dir.join("snapshots");
    if let Ok(commit) = std::fs::read_to_string(repo_dir.join("refs/main")) {
        let folder = snapshots.join(commit.trim());
        if folder.is_dir() {
            return Some(folder);
        }
    }
    std::fs::read_dir(&snapshots)
        .ok()?
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .max()
        .map(|(_, path)| path)
}

#[derive(Deserialize)]
struct OllamaManifest {
    layers: Vec<OllamaLayer>,
}
#[derive(Deserialize)]
struct OllamaLayer {
    #[serde(rename = "mediaType")]
    media_type: String,
    digest: String,
}

const OLLAMA_MODEL_LAYER: &str = "application/vnd.ollama.image.model";
/// Manifests are small JSON files; a bigger one is not a manifest.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// `manifests/{host}/{namespace}/{model}/{tag}` → the model layer's blob
/// `blobs/sha256-<hex>` (read only; `-partial` files are unfinished pulls).
fn scan_ollama(models: &Path, found: &mut Vec<FoundFile>) {
    let manifests = models.join("manifests");
    let mut stack = vec![(manifests.clone(), 0usize)];
    while let Some((folder, depth)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(metadata) = entry.metadata() else {
                continue;
            };
            if metadata.is_dir() && depth < 4 {
                stack.push((path, depth + 1));
            } else if metadata.is_file() && depth == 3 && metadata.len() <= MAX_MANIFEST_BYTES {
                if let Some(file) = ollama_model(models, &manifests, &path) {
                    found.push(file);
                }
            }
        }
    }
}

fn ollama_model(models: &Path, manifests: &Path, manifest: &Path) -> Option<FoundFile> {
    let text = std::fs::read_to_string(manifest).ok()?;
    let parsed: OllamaManifest = serde_json::from_str(&text).ok()?;
    let layer = parsed
        .layers
        .iter()
        .find(|layer| layer.media_type == OLLAMA_MODEL_LAYER)?;
    let hex = layer.digest.strip_prefix("sha256:")?;
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let blob = models.join("blobs").join(format!("sha256-{hex}"));
    let metadata = std::fs::metadata(&blob).ok()?;
    let parts: Vec<String> = manifest
        .strip_prefix(manifests)
        .ok()?
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let [host, namespace, model, tag] = parts.as_slice() else {
        return None;
    };
    let name = match (host.as_str(), namespace.as_str()) {
        ("registry.ollama.ai", "library") => format!("{model}:{tag}"),
        ("registry.ollama.ai", _) => format!("{namespace}/{model}:{tag}"),
        _ => format!("{host}/{namespace}/{model}:{tag}"),
    };
    Some(FoundFile {
        path: blob.display().to_string(),
        source: ModelSource::Ollama,
        repo: Some(name.clone()),
        file: name,
        size_bytes: metadata.len(),
        shards: 1,
        projector: false,
        modified_ms: modified_ms(&metadata),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(unix)]
    use std::os::unix::fs::symlink;

    fn write(path: &Path, bytes: &[u8]) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// Unix: the Hugging Face layout is made with symbolic links.
    #[cfg(unix)]
    #[test]
    fn finds_each_tools_layout_and_groups_split_sets() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        // Hugging Face cache: a blob, a snapshot symlink, refs/main; a dangling link is skipped.
        let repo = root.join("hf/models--org--Model-GGUF");
        write(&repo.join("blobs/aaaa"), b"GGUF1234");
        write(&repo.join("refs/main"), b"c0ffee\n");
        std::fs::create_dir_all(repo.join("snapshots/c0ffee/Q8_0")).unwrap();
        symlink(
            "../../blobs/aaaa",
            repo.join("snapshots/c0ffee/m-Q4_K_M.gguf"),
        )
        .unwrap();
        symlink(
            "../../../blobs/missing",
            repo.join("snapshots/c0ffee/Q8_0/gone.gguf"),
        )
        .unwrap();
        // LM Studio: publisher/model/*.gguf; a file directly in models/ is ignored.
        write(
            &root.join("lms/models/pub/repo/a-00001-of-00002.gguf"),
            &[0; 10],
        );
        write(
            &root.join("lms/models/pub/repo/a-00002-of-00002.gguf"),
            &[0; 5],
        );
        write(&root.join("lms/models/pub/repo/mmproj-f16.gguf"), &[0; 3]);
        write(&root.join("lms/models/loose.gguf"), &[0; 3]);
        // Ollama: manifest → blob; a partial blob is ignored.
        let hex = "ab".repeat(32);
        write(
            &root.join("ollama/manifests/registry.ollama.ai/library/qwen3/8b"),
            format!(r#"{{"layers":[{{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:{hex}","size":7}}]}}"#).as_bytes(),
        );
        write(&root.join(format!("ollama/blobs/sha256-{hex}")), &[0; 7]);
        write(
            &root.join(format!("ollama/blobs/sha256-{hex}-partial")),
            &[0; 1],
        );
        // ModelScope: dots masked as ___.
        write(&root.join("ms/models/Qwen/Qwen2___5-GGUF/q4.gguf"), &[0; 4]);
        let roots = IndexRoots {
            hf_cache: Some(root.join("hf")),
            lm_studio_models: Some(root.join("lms/models")),
            ollama_models: Some(root.join("ollama")),
            modelscope_cache: Some(root.join("ms")),
            llmops_models: None,
            folders: vec![root.join("absent")],
        };
        let found = scan(&roots);
        let summary: Vec<(ModelSource, Option<&str>, &str, u64, u32)> = found
            .iter()
            .map(|f| {
                (
                    f.source,
                    f.repo.as_deref(),
                    f.file.as_str(),
                    f.size_bytes,
                    f.shards,
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                (
                    ModelSource::HuggingFace,
                    Some("org/Model-GGUF"),
                    "m-Q4_K_M.gguf",
                    8,
                    1
                ),
                (
                    ModelSource::LmStudio,
                    Some("pub/repo"),
                    "a-00001-of-00002.gguf",
                    15,
                    2
                ),
                (
                    ModelSource::LmStudio,
                    Some("pub/repo"),
                    "mmproj-f16.gguf",
                    3,
                    1
                ),
                (ModelSource::Ollama, Some("qwen3:8b"), "qwen3:8b", 7, 1),
                (
                    ModelSource::ModelScope,
                    Some("Qwen/Qwen2.5-GGUF"),
                    "q4.gguf",
                    4,
                    1
                ),
            ]
        );
        assert!(found[2].projector);
        assert!(found[3].path.ends_with(&format!("sha256-{hex}")));
    }

    #[test]
    fn user_folders_skip_dependency_trees_but_not_a_dev_folder() {
        let dir = tempfile::tempdir().unwrap();
        write(&dir.path().join("dev/models/a.gguf"), b"GGUF");
        write(&dir.path().join("app/node_modules/pkg/b.gguf"), b"GGUF");
        let roots = IndexRoots {
            folders: vec![dir.path().to_path_buf()],
            ..IndexRoots::default()
        };
        let found: Vec<String> = scan(&roots).into_iter().map(|f| f.file).collect();
        assert_eq!(found, vec!["a.gguf"]);
    }

    #[test]
    fn split_names() {
        assert_eq!(split_parts("x-00001-of-00003.gguf"), Some(("x", 1, 3)));
        assert_eq!(split_parts("x-1-of-3.gguf"), None);
        assert_eq!(split_parts("x.gguf"), None);
    }

    #[test]
    fn lm_studio_home_follows_the_pointer() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(lm_studio_home(dir.path()), dir.path().join(".lmstudio"));
        std::fs::create_dir_all(dir.path().join(".cache/lm-studio")).unwrap();
        assert_eq!(
            lm_studio_home(dir.path()),
            dir.path().join(".cache/lm-studio")
        );
        let elsewhere = dir.path().join("srv").join("lms");
        let pointer = format!("{}\n", elsewhere.display());
        std::fs::write(dir.path().join(".lmstudio-home-pointer"), pointer).unwrap();
        assert_eq!(lm_studio_home(dir.path()), elsewhere);
        std::fs::write(dir.path().join(".lmstudio-home-pointer"), "relative\n").unwrap();
        assert_eq!(
            lm_studio_home(dir.path()),
            dir.path().join(".cache/lm-studio")
        );
    }
}
