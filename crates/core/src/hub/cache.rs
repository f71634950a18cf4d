//! The standard Hugging Face hub cache, written in place so that huggingface_hub, llama.cpp's
//! `-hf` and other tools share what llmops downloads (hub-docs `local-cache.md`):
//!
//! ```text
//! <cache>/models--<org>--<name>/blobs/<sha256>
//!                              /snapshots/<commit>/<path>  → ../../blobs/<sha256> (relative)
//!                              /refs/<branch>              (the commit, written atomically)
//! <cache>/.locks/models--<org>--<name>/<sha256>.lock
//! ```
//!
//! An unfinished blob is `blobs/<sha256>.partial`; its name is its identity, so a restart
//! resumes exactly the same content.

use std::path::{Component, Path, PathBuf};

use super::error::HubError;

pub fn repo_folder(cache: &Path, repo: &str) -> PathBuf {
    cache.join(format!("models--{}", repo.replace('/', "--")))
}

/// A path inside a repository, refused when it could leave the snapshot folder (hostile hub
/// output: `..`, an absolute path, an empty segment).
pub fn safe_repo_path(path: &str) -> Result<PathBuf, HubError> {
    let candidate = Path::new(path);
    let normal = !path.is_empty()
        && path.len() <= 1024
        && !path.contains('\\')
        && candidate
            .components()
            .all(|component| matches!(component, Component::Normal(_)));
    if normal {
        Ok(candidate.to_path_buf())
    } else {
        Err(HubError::InvalidInput(format!(
            "the hub listed the file {path:?}, which is not a plain path inside the repository"
        )))
    }
}

/// A hex id of 40 (git) or 64 (sha256) characters.
pub fn is_hex_id(id: &str) -> bool {
    matches!(id.len(), 40 | 64) && id.chars().all(|c| c.is_ascii_hexdigit())
}

pub struct CachePaths {
    pub blob: PathBuf,
    pub partial: PathBuf,
    pub pointer: PathBuf,
    pub lock: PathBuf,
}

impl CachePaths {
    pub fn new(
        cache: &Path,
        repo: &str,
        commit: &str,
        path: &str,
        sha256: &str,
    ) -> Result<CachePaths, HubError> {
        if !is_hex_id(sha256) || !is_hex_id(commit) {
            return Err(HubError::InvalidInput(format!(
                "the hub gave {path:?} an id that is not a hash (commit {commit:?}, sha256 {sha256:?})"
            )));
        }
        let folder = repo_folder(cache, repo);
        let inner = safe_repo_path(path)?;
        Ok(CachePaths {
            blob: folder.join("blobs").join(sha256),
            partial: folder.join("blobs").join(format!("{sha256}.partial")),
            pointer: folder.join("snapshots").join(commit).join(inner),
            lock: cache
                .join(".locks")
                .join(folder.file_name().expect("named"))
                .join(format!("{sha256}.lock")),
        })
    }

    /// ModelScope's cache: plain files at `<cache>/models/<owner>/<name>/<path>`, with dots in
    /// the name written `___` (the SDK's `get_model_masked_directory`); the unfinished file is
    /// `<path>.partial` beside it.
    pub fn modelscope(
        cache: &Path,
        repo: &str,
        path: &str,
        sha256: &str,
    ) -> Result<CachePaths, HubError> {
        if !is_hex_id(sha256) {
            return Err(HubError::InvalidInput(format!(
                "ModelScope gave {path:?} a sha256 that is not a hash ({sha256:?})"
            )));
        }
        let (owner, name) = repo.split_once('/').ok_or_else(|| {
            HubError::InvalidInput(format!("{repo:?} is not a repository id (owner/name)"))
        })?;
        let masked = name.replace('.', "___");
        let file = cache
            .join("models")
            .join(owner)
            .join(&masked)
            .join(safe_repo_path(path)?);
        let mut partial = file.clone().into_os_string();
        partial.push(".partial");
        Ok(CachePaths {
            partial: PathBuf::from(partial),
            pointer: file.clone(),
            blob: file,
            lock: cache
                .join(".lock")
                .join(owner)
                .join(masked)
                .join(format!("{sha256}.lock")),
        })
    }

    /// A plain file `<dir>/<sha256>-<name>` (an engine archive), its own pointer; `name` is one
    /// file name of letters, digits, `.`, `_` and `-`.
    pub fn plain(dir: &Path, name: &str, sha256: &str) -> Result<CachePaths, HubError> {
        let plain_name = !name.is_empty()
            && !name.starts_with('.')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        if !is_hex_id(sha256) || !plain_name {
            return Err(HubError::InvalidInput(format!(
                "{name:?} (sha256 {sha256:?}) is not a plain file name with a sha256"
            )));
        }
        let file = dir.join(format!("{}-{name}", sha256.to_ascii_lowercase()));
        let mut partial = file.clone().into_os_string();
        partial.push(".partial");
        Ok(CachePaths {
            partial: PathBuf::from(partial),
            pointer: file.clone(),
            blob: file,
            lock: dir.join(".locks").join(format!("{sha256}.lock")),
        })
    }

    /// Links `snapshots/<commit>/<path>` to the blob with a relative link (one `../` per
    /// folder between them), replacing an older link. Nothing to do where the file is its own
    /// pointer (ModelScope).
    pub fn link_snapshot(&self) -> Result<(), HubError> {
        if self.pointer == self.blob {
            return Ok(());
        }
        let io = |error: std::io::Error| {
            HubError::Io(format!(
                "{} could not be linked: {error}",
                self.pointer.display()
            ))
        };
        let parent = self.pointer.parent().expect("inside snapshots");
        std::fs::create_dir_all(parent).map_err(io)?;
        let relative = relative_path(parent, &self.blob);
        crate::platform::link_file(&relative, &self.blob, &self.pointer).map_err(io)
    }
}

/// `refs/<branch>` ← commit, through a temporary file and a rename.
pub fn write_ref(cache: &Path, repo: &str, branch: &str, commit: &str) -> Result<(), HubError> {
    if branch.is_empty() || is_hex_id(branch) {
        return Ok(()); // a commit needs no ref
    }
    let reference = repo_folder(cache, repo)
        .join("refs")
        .join(safe_repo_path(branch)?);
    let parent = reference.parent().expect("inside refs");
    let io = |error: std::io::Error| HubError::Io(format!("{}: {error}", reference.display()));
    std::fs::create_dir_all(parent).map_err(io)?;
    let temporary = parent.join(format!(".{}.llmops-tmp", std::process::id()));
    std::fs::write(&temporary, commit).map_err(io)?;
    std::fs::rename(&temporary, &reference).map_err(io)
}

/// The path from folder `from` to `to`, both under the same root (`../../blobs/<sha>`).
fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to: Vec<_> = to.components().collect();
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for part in &to[common..] {
        out.push(part.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_with_one_step_up_per_folder() {
        let cache = Path::new("/c");
        let sha = "a".repeat(64);
        let commit = "b".repeat(40);
        let paths = CachePaths::new(cache, "org/m", &commit, "Q8_0/m.gguf", &sha).unwrap();
        assert_eq!(
            relative_path(paths.pointer.parent().unwrap(), &paths.blob),
            PathBuf::from(format!("../../../blobs/{sha}"))
        );
        assert!(paths.partial.ends_with(format!("{sha}.partial")));
        assert!(paths
            .lock
            .ends_with(format!(".locks/models--org--m/{sha}.lock")));
    }

    #[test]
    fn modelscope_masks_dots_in_the_name() {
        let sha = "a".repeat(64);
        let paths =
            CachePaths::modelscope(Path::new("/m"), "Qwen/Qwen2.5-GGUF", "q4.gguf", &sha).unwrap();
        assert_eq!(
            paths.blob,
            PathBuf::from("/m/models/Qwen/Qwen2___5-GGUF/q4.gguf")
        );
        assert_eq!(
            paths.partial,
            PathBuf::from("/m/models/Qwen/Qwen2___5-GGUF/q4.gguf.partial")
        );
        assert!(paths.link_snapshot().is_ok(), "no link for a plain file");
    }

    #[test]
    fn hostile_paths_and_ids_are_refused() {
        for bad in ["../x", "/etc/passwd", "a/../../b", "", "a\\b", "./a"] {
            assert!(safe_repo_path(bad).is_err(), "{bad}");
        }
        let sha = "a".repeat(64);
        assert!(CachePaths::new(Path::new("/c"), "o/m", "../..", "m.gguf", &sha).is_err());
        assert!(CachePaths::new(Path::new("/c"), "o/m", &"b".repeat(40), "m.gguf", "x").is_err());
    }
}
