//! Each instance's output, also kept on disk (`<data>/logs/instances/<id>.log`, one line per
//! output line: `<unix ms> <stdout|stderr> <text>`), rotated by size, so that the logs of an
//! instance that failed while nobody watched, or before the app restarted, can still be read.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use super::log_ring::{LogLine, LogStream};

const MAX_BYTES: u64 = 8 * 1024 * 1024;
/// Lines are cut at 4 KiB by the log ring before they are written (plus the time and stream).
const MAX_LINE_BYTES: u64 = 4096 + 64;
/// Rotated files kept besides the current one: `<id>.log.1` (newest) … `<id>.log.2`.
const ROTATED_KEPT: u32 = 2;

pub struct LogFile {
    path: PathBuf,
    state: Mutex<Option<(BufWriter<File>, u64)>>,
}

impl LogFile {
    pub fn create(dir: &Path, instance_id: &str) -> std::io::Result<LogFile> {
        crate::secure_fs::ensure_private_dir(dir)?;
        let path = dir.join(format!("{instance_id}.log"));
        let file = crate::secure_fs::open_private_append(&path)?;
        let size = file.metadata()?.len();
        Ok(LogFile {
            path,
            state: Mutex::new(Some((BufWriter::with_capacity(64 * 1024, file), size))),
        })
    }

    pub fn append(&self, line: &LogLine) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let Some((writer, size)) = state.as_mut() else {
            return;
        };
        let stream = match line.stream {
            LogStream::Stdout => "stdout",
            LogStream::Stderr => "stderr",
        };
        let text = format!("{} {stream} {}\n", line.at, line.text);
        if writer.write_all(text.as_bytes()).is_err() {
            // A full disk must not stop the engine: keep the in-memory log only.
            tracing::warn!(path = %self.path.display(), "instance log file write failed; file logging stopped");
            *state = None;
            return;
        }
        *size += text.len() as u64;
        if *size >= MAX_BYTES {
            *state = self.rotate(state.take());
        }
    }

    /// Writes what is buffered (called when the engine is quiet, and at its exit).
    pub fn flush(&self) {
        if let Some((writer, _)) = self
            .state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_mut()
        {
            let _ = writer.flush();
        }
    }

    fn rotate(&self, current: Option<(BufWriter<File>, u64)>) -> Option<(BufWriter<File>, u64)> {
        if let Some((mut writer, _)) = current {
            let _ = writer.flush();
        }
        for n in (1..ROTATED_KEPT).rev() {
            let _ = std::fs::rename(rotated(&self.path, n), rotated(&self.path, n + 1));
        }
        let _ = std::fs::rename(&self.path, rotated(&self.path, 1));
        // The old file was renamed away: this creates a new, private one.
        let file = crate::secure_fs::open_private_append(&self.path).ok()?;
        Some((BufWriter::with_capacity(64 * 1024, file), 0))
    }
}

fn rotated(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// The last `limit` lines of a finished instance's log file (current file, then the newest
/// rotated one if the current is short), read from the end: the cost follows `limit`, not the
/// file's size. `seq` counts from the first returned line. Callers pass a validated instance id
/// (see `valid_instance_id`).
pub fn read_tail(dir: &Path, instance_id: &str, limit: usize) -> Option<Vec<LogLine>> {
    let path = dir.join(format!("{instance_id}.log"));
    if !path.is_file() {
        return None;
    }
    let mut texts = tail_lines(&path, limit);
    if texts.len() < limit {
        let mut older = tail_lines(&rotated(&path, 1), limit - texts.len());
        older.append(&mut texts);
        texts = older;
    }
    Some(
        texts
            .iter()
            .enumerate()
            .filter_map(|(i, raw)| parse(raw, i as u64))
            .collect(),
    )
}

/// At most the last `limit` lines of a file, reading backwards in blocks; never more than
/// `limit` lines of the longest line the writer produces (plus one block).
fn tail_lines(path: &Path, limit: usize) -> Vec<String> {
    const BLOCK: u64 = 64 * 1024;
    let Ok(mut file) = File::open(path) else {
        return Vec::new();
    };
    let Ok(len) = file.metadata().map(|m| m.len()) else {
        return Vec::new();
    };
    let max_bytes = (limit as u64).saturating_mul(MAX_LINE_BYTES) + BLOCK;
    let mut start = len;
    let mut buf: Vec<u8> = Vec::new();
    let mut newlines = 0;
    while start > 0 && newlines <= limit && len - start < max_bytes {
        let step = BLOCK.min(start);
        start -= step;
        let mut block = vec![0u8; step as usize];
        if file.seek(SeekFrom::Start(start)).is_err() || file.read_exact(&mut block).is_err() {
            return Vec::new();
        }
        newlines += block.iter().filter(|&&b| b == b'\n').count();
        block.extend_from_slice(&buf);
        buf = block;
    }
    let text = String::from_utf8_lossy(&buf);
    let mut lines: Vec<&str> = text.lines().collect();
    if start > 0 && !lines.is_empty() {
        lines.remove(0); // a partial first line
    }
    let skip = lines.len().saturating_sub(limit);
    lines[skip..].iter().map(|l| l.to_string()).collect()
}

fn parse(raw: &str, seq: u64) -> Option<LogLine> {
    let (at, rest) = raw.split_once(' ')?;
    let (stream, text) = rest.split_once(' ').unwrap_or((rest, ""));
    let stream = if stream == "stdout" {
        LogStream::Stdout
    } else {
        LogStream::Stderr
    };
    Some(LogLine {
        seq,
        stream,
        text: text.to_string(),
        at: at.parse().ok()?,
    })
}

/// Deletes instance log files not written for `older_than`.
pub fn prune(dir: &Path, older_than: Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let cutoff = SystemTime::now() - older_than;
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .map(|t| t < cutoff)
            .unwrap_or(false);
        if old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(seq: u64, text: &str) -> LogLine {
        LogLine {
            seq,
            stream: LogStream::Stderr,
            text: text.into(),
            at: 1_700_000_000_000 + seq as i64,
        }
    }

    #[test]
    fn lines_round_trip_and_rotate_by_size() {
        let dir = tempfile::tempdir().unwrap();
        let file = LogFile::create(dir.path(), "abc").unwrap();
        let big = "x".repeat(4000);
        for seq in 0..3000 {
            file.append(&line(seq, &format!("{seq} {big}")));
        }
        file.append(&line(3000, "the end"));
        file.flush();
        assert!(
            rotated(&dir.path().join("abc.log"), 1).is_file(),
            "rotated past 8 MiB"
        );
        let tail = read_tail(dir.path(), "abc", 3).unwrap();
        assert_eq!(tail.last().unwrap().text, "the end");
        assert_eq!(tail.last().unwrap().at, 1_700_000_003_000);
        assert!(tail[0].text.starts_with("2998 "));
        assert!(read_tail(dir.path(), "missing", 3).is_none());
        let long = read_tail(dir.path(), "abc", 2500).unwrap();
        assert_eq!(long.len(), 2500, "spans the rotated file");
        assert_eq!(long.last().unwrap().text, "the end");
    }
}
