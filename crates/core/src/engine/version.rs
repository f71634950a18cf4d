//! Which version an engine binary is, read once per binary from `<binary> --version`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

const TIMEOUT: Duration = Duration::from_secs(5);

/// Remembers answers by path and modification time, so a rebuilt binary is asked again.
#[derive(Default)]
pub struct VersionCache {
    known: Mutex<HashMap<(PathBuf, Option<SystemTime>), Option<String>>>,
}

impl VersionCache {
    pub async fn version_of(&self, binary: &Path) -> Option<String> {
        let modified = std::fs::metadata(binary).and_then(|m| m.modified()).ok();
        let key = (binary.to_path_buf(), modified);
        if let Some(known) = self
            .known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
        {
            return known.clone();
        }
        let version = ask(binary).await;
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        known.insert(key, version.clone());
        version
    }
}

/// At most this much of a `--version` answer is read: a broken binary may print without end.
const MAX_VERSION_OUTPUT: u64 = 64 * 1024;

async fn ask(binary: &Path) -> Option<String> {
    use std::process::Stdio;
    use tokio::io::AsyncReadExt;
    let mut child = tokio::process::Command::new(binary)
        .arg("--version")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .ok()?;
    let stdout = child.stdout.take()?.take(MAX_VERSION_OUTPUT);
    let stderr = child.stderr.take()?.take(MAX_VERSION_OUTPUT);
    let read = async move {
        let (mut stdout, mut stderr) = (stdout, stderr);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let _ = tokio::join!(stdout.read_to_end(&mut out), stderr.read_to_end(&mut err));
        (out, err)
    };
    let (out, err) = tokio::time::timeout(TIMEOUT, read).await.ok()?;
    // Whatever it still prints is not read; the child is killed when dropped.
    let _ = child.start_kill();
    // llama-server prints "version: 0.6.0-dev (build 0, …)" on stderr; others on stdout.
    let stdout = String::from_utf8_lossy(&out);
    let stderr = String::from_utf8_lossy(&err);
    parse(&format!("{stdout}\n{stderr}"))
}

/// A line starting with "version", else the first line.
fn parse(text: &str) -> Option<String> {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    let line = lines
        .iter()
        .find(|l| l.to_lowercase().starts_with("version"))
        .or(lines.first())?;
    let cleaned = line.strip_prefix("version:").unwrap_or(line).trim();
    Some(cleaned.chars().take(80).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_common_version_outputs() {
        let llama = "version: 0.6.0-dev (build 0, commit unknown)\nbuilt with GNU";
        assert_eq!(
            parse(llama).as_deref(),
            Some("0.6.0-dev (build 0, commit unknown)")
        );
        assert_eq!(parse("0.6.3\n").as_deref(), Some("0.6.3"));
        assert_eq!(
            parse("vllm 0.6.3\nLicense: Apache version 2").as_deref(),
            Some("vllm 0.6.3")
        );
        assert_eq!(parse("\n\n"), None);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn asks_the_binary_once() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let engine = dir.path().join("engine");
        let counter = dir.path().join("asked");
        let script = format!(
            "#!/bin/sh\necho x >> {}\necho 'version: 1.2.3' >&2\n",
            counter.display()
        );
        std::fs::write(&engine, script).unwrap();
        std::fs::set_permissions(&engine, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cache = VersionCache::default();
        assert_eq!(cache.version_of(&engine).await.as_deref(), Some("1.2.3"));
        assert_eq!(cache.version_of(&engine).await.as_deref(), Some("1.2.3"));
        assert_eq!(
            std::fs::read_to_string(&counter).unwrap().lines().count(),
            1
        );
        assert!(cache
            .version_of(Path::new("/nonexistent/engine"))
            .await
            .is_none());
    }
}
