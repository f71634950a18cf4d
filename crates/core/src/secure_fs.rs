//! Files and folders only this user can read: the data dir (0700), the database, logs and secrets
//! (0600). Secrets are written through a temp file and a rename, so a crash never leaves half a
//! secret behind.
//!
//! On Windows there are no mode bits: the data dir lies in the user's profile
//! (`%LOCALAPPDATA%`), whose inherited ACL already grants only the user, SYSTEM and
//! administrators; the functions here then only create the files and folders.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::Write;
use std::path::Path;

pub const PRIVATE_DIR_MODE: u32 = 0o700;
pub const PRIVATE_FILE_MODE: u32 = 0o600;

/// Creates `dir` (and its parents) as 0700, and tightens it to 0700 if it exists with a looser
/// mode. Parents that already exist are left alone (they may be shared folders like `~/.local`).
pub fn ensure_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, PRIVATE_DIR_MODE);
    builder.create(dir)?;
    tighten(dir, PRIVATE_DIR_MODE)
}

/// Sets `mode` when the current mode grants more (group or other bits).
#[cfg(unix)]
pub fn tighten(path: &Path, mode: u32) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let current = fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        fs::set_permissions(path, fs::Permissions::from_mode(mode))?;
    }
    Ok(())
}

/// No mode bits on Windows (see the module's note): the path must exist, nothing else.
#[cfg(not(unix))]
pub fn tighten(path: &Path, _mode: u32) -> std::io::Result<()> {
    fs::metadata(path).map(|_| ())
}

/// Options that create a file 0600 (on Unix).
fn private_options() -> OpenOptions {
    #[cfg_attr(not(unix), allow(unused_mut))]
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_FILE_MODE);
    options
}

/// Creates an empty 0600 file if none exists, and tightens an existing one. SQLite gives its
/// `-wal` and `-shm` files the mode of the database file, so creating the database this way first
/// covers all three.
pub fn ensure_private_file(path: &Path) -> std::io::Result<()> {
    private_options().create(true).append(true).open(path)?;
    tighten(path, PRIVATE_FILE_MODE)
}

/// Opens `path` for appending, created 0600.
pub fn open_private_append(path: &Path) -> std::io::Result<fs::File> {
    let file = private_options().create(true).append(true).open(path)?;
    tighten(path, PRIVATE_FILE_MODE)?;
    Ok(file)
}

/// The permission bits of `path`, or None where the OS has none (Windows): for tests.
#[cfg(test)]
pub(crate) fn mode_bits(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(fs::metadata(path).ok()?.permissions().mode() & 0o777)
    }
    #[cfg(not(unix))]
    {
        fs::metadata(path).ok().and(None)
    }
}

/// Replaces `path` with `contents`, mode 0600, atomically (temp file in the same folder, fsync,
/// rename).
pub fn write_private(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = private_options()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&tmp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::fs::Permissions;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn dirs_and_files_are_private_and_loose_ones_are_tightened() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("a/b");
        ensure_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        fs::set_permissions(&dir, Permissions::from_mode(0o755)).unwrap();
        ensure_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);

        let file = dir.join("db");
        fs::write(&file, b"x").unwrap();
        fs::set_permissions(&file, Permissions::from_mode(0o644)).unwrap();
        ensure_private_file(&file).unwrap();
        assert_eq!(mode(&file), 0o600);
        assert_eq!(fs::read(&file).unwrap(), b"x", "contents are kept");

        let secret = dir.join("secret");
        write_private(&secret, b"s1").unwrap();
        write_private(&secret, b"s2").unwrap();
        assert_eq!(mode(&secret), 0o600);
        assert_eq!(fs::read(&secret).unwrap(), b"s2");
        let leftovers: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty());
    }
}
