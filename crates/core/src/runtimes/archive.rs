//! Unpacking a release archive (`.tar.gz` or `.zip`) into a folder, refusing whatever could write
//! outside it: absolute paths, `..`, links that point out of the folder, devices. Sizes and entry
//! counts are bounded, so a hostile archive cannot fill the disk.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

/// The most bytes an archive may unpack to (a CUDA build with its runtime is about 1 GB).
pub const MAX_UNPACKED_BYTES: u64 = 6 << 30;
/// The most entries an archive may hold.
pub const MAX_ENTRIES: usize = 20_000;

/// `inner` as a relative path of plain names, or why not.
fn safe_relative(inner: &Path) -> Result<PathBuf, String> {
    let mut clean = PathBuf::new();
    for component in inner.components() {
        match component {
            Component::Normal(name) => clean.push(name),
            Component::CurDir => {}
            _ => return Err(format!("the entry {} leaves the folder", inner.display())),
        }
    }
    if clean.as_os_str().is_empty() {
        return Err("an entry without a name".into());
    }
    Ok(clean)
}

/// Whether the link at `at` (relative to the folder) pointing to `target` stays inside it.
fn link_stays_inside(at: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return false;
    }
    let mut depth: i64 = at.components().count() as i64 - 1;
    for component in target.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::ParentDir => depth -= 1,
            Component::CurDir => {}
            _ => return false,
        }
        if depth < 0 {
            return false;
        }
    }
    true
}

/// Counts what has been unpacked, against the bounds.
struct Budget {
    bytes: u64,
    entries: usize,
}

impl Budget {
    fn entry(&mut self) -> Result<(), String> {
        self.entries += 1;
        if self.entries > MAX_ENTRIES {
            return Err(format!("more than {MAX_ENTRIES} entries"));
        }
        Ok(())
    }

    /// Copies at most what is left of the budget; more is an error.
    fn copy(&mut self, reader: &mut dyn Read, to: &Path, mode: u32) -> Result<(), String> {
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, mode);
        // Windows has no mode bits: the extension makes a file runnable.
        #[cfg(not(unix))]
        let _ = mode;
        let mut file = options
            .open(to)
            .map_err(|e| format!("{}: {e}", to.display()))?;
        let left = MAX_UNPACKED_BYTES - self.bytes;
        let copied = std::io::copy(&mut reader.take(left + 1), &mut file)
            .map_err(|e| format!("{}: {e}", to.display()))?;
        self.bytes += copied;
        if self.bytes > MAX_UNPACKED_BYTES {
            return Err(format!(
                "it unpacks to more than {} GiB",
                MAX_UNPACKED_BYTES >> 30
            ));
        }
        Ok(())
    }
}

fn symlink(target: &Path, at: &Path, inner: &Path, into: &Path) -> Result<(), String> {
    if !link_stays_inside(inner, target) {
        return Err(format!(
            "the link {} points out of the folder ({})",
            inner.display(),
            target.display()
        ));
    }
    if let Some(parent) = at.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    #[cfg(unix)]
    let linked = std::os::unix::fs::symlink(target, at);
    // Symbolic links need Developer Mode (or an administrator) on Windows.
    #[cfg(windows)]
    let linked = std::os::windows::fs::symlink_file(target, at);
    linked.map_err(|e| format!("{}: {e}", at.display()))?;
    debug_assert!(at.starts_with(into));
    Ok(())
}

/// Executable bits kept, nothing else (no setuid, no group or world write).
fn file_mode(mode: u32) -> u32 {
    if mode & 0o111 != 0 {
        0o755
    } else {
        0o644
    }
}

fn unpack_tar_gz(archive: &Path, into: &Path) -> Result<(), String> {
    let file = std::fs::File::open(archive).map_err(|e| e.to_string())?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut budget = Budget {
        bytes: 0,
        entries: 0,
    };
    for entry in tar.entries().map_err(|e| e.to_string())? {
        let mut entry = entry.map_err(|e| e.to_string())?;
        budget.entry()?;
        let inner = safe_relative(&entry.path().map_err(|e| e.to_string())?)?;
        let at = into.join(&inner);
        let kind = entry.header().entry_type();
        if kind.is_dir() {
            std::fs::create_dir_all(&at).map_err(|e| e.to_string())?;
        } else if kind.is_file() {
            let mode = file_mode(entry.header().mode().unwrap_or(0o644));
            budget.copy(&mut entry, &at, mode)?;
        } else if kind.is_symlink() {
            let target = entry
                .link_name()
                .map_err(|e| e.to_string())?
                .ok_or("a link without a target")?
                .into_owned();
            symlink(&target, &at, &inner, into)?;
        } else if matches!(
            kind,
            tar::EntryType::XGlobalHeader | tar::EntryType::XHeader
        ) {
            continue;
        } else {
            return Err(format!(
                "the entry {} is not a file, folder or link",
                inner.display()
            ));
        }
    }
    Ok(())
}

fn unpack_zip(archive: &Path, into: &Path) -> Result<(), String> {
    let file = std::fs::File::open(archive).map_err(|e| e.to_string())?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| e.to_string())?;
    let mut budget = Budget {
        bytes: 0,
        entries: 0,
    };
    for index in 0..zip.len() {
        let mut entry = zip.by_index(index).map_err(|e| e.to_string())?;
        budget.entry()?;
        let inner = safe_relative(Path::new(entry.name()))?;
        let at = into.join(&inner);
        let mode = entry.unix_mode().unwrap_or(0o644);
        if entry.is_dir() {
            std::fs::create_dir_all(&at).map_err(|e| e.to_string())?;
        } else if mode & 0o170000 == 0o120000 {
            let mut target = String::new();
            (&mut entry)
                .take(4096)
                .read_to_string(&mut target)
                .map_err(|e| e.to_string())?;
            symlink(Path::new(&target), &at, &inner, into)?;
        } else {
            budget.copy(&mut entry, &at, file_mode(mode))?;
        }
    }
    Ok(())
}

/// Unpacks `archive` (by its name's ending) into the folder `into`, which must exist.
pub fn unpack(archive: &Path, name: &str, into: &Path) -> Result<(), String> {
    if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        unpack_tar_gz(archive, into)
    } else if name.ends_with(".zip") {
        unpack_zip(archive, into)
    } else {
        Err(format!("{name} is neither a .tar.gz nor a .zip"))
    }
}

/// Bytes of the regular files below `dir` (links not followed).
pub fn size_of(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| match entry.file_type() {
            Ok(t) if t.is_dir() => size_of(&entry.path()),
            Ok(t) if t.is_file() => entry.metadata().map(|m| m.len()).unwrap_or(0),
            _ => 0,
        })
        .sum()
}

/// The first executable named `name` below `dir`, shallowest first (archives put the binaries
/// at the top, in `bin/`, in `build/bin/` or in `llama-<tag>/`).
pub fn find_program(dir: &Path, name: &str, depth: usize) -> Option<PathBuf> {
    let here = dir.join(crate::platform::executable_name(name));
    if crate::platform::is_executable(&here) {
        return Some(here);
    }
    if depth == 0 {
        return None;
    }
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    folders.sort();
    folders
        .iter()
        .find_map(|folder| find_program(folder, name, depth - 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn tar_gz(path: &Path, entries: &[(&str, tar::EntryType, &[u8], &str)]) {
        let file = std::fs::File::create(path).unwrap();
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
        let mut builder = tar::Builder::new(gz);
        for (name, kind, data, link) in entries {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(*kind);
            header.set_size(data.len() as u64);
            header.set_mode(0o755);
            // Raw names: `set_path` itself refuses `..`, a hostile archive does not.
            let raw = header.as_old_mut();
            raw.name[..name.len()].copy_from_slice(name.as_bytes());
            if !link.is_empty() {
                raw.linkname[..link.len()].copy_from_slice(link.as_bytes());
            }
            header.set_cksum();
            builder.append(&header, *data).unwrap();
        }
        builder
            .into_inner()
            .unwrap()
            .finish()
            .unwrap()
            .flush()
            .unwrap();
    }

    /// Unix: a Linux release archive, with a library link.
    #[cfg(unix)]
    #[test]
    fn unpacks_files_links_and_modes() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("a.tar.gz");
        tar_gz(
            &archive,
            &[
                (
                    "build/bin/llama-server",
                    tar::EntryType::Regular,
                    b"#!/bin/sh\n",
                    "",
                ),
                (
                    "build/bin/libggml.so.0",
                    tar::EntryType::Regular,
                    b"lib",
                    "",
                ),
                (
                    "build/bin/libggml.so",
                    tar::EntryType::Symlink,
                    b"",
                    "libggml.so.0",
                ),
            ],
        );
        let into = dir.path().join("out");
        std::fs::create_dir(&into).unwrap();
        unpack(&archive, "a.tar.gz", &into).unwrap();
        let server = find_program(&into, "llama-server", 3).unwrap();
        assert!(server.ends_with("build/bin/llama-server"));
        assert_eq!(
            std::fs::read(into.join("build/bin/libggml.so")).unwrap(),
            b"lib"
        );
        assert_eq!(size_of(&into), 13);
    }

    #[test]
    fn refuses_what_would_leave_the_folder() {
        let cases: [(&str, tar::EntryType, &str); 4] = [
            ("../escape", tar::EntryType::Regular, ""),
            ("/etc/escape", tar::EntryType::Regular, ""),
            ("bin/link", tar::EntryType::Symlink, "../../etc/passwd"),
            ("bin/link", tar::EntryType::Symlink, "/etc/passwd"),
        ];
        for (name, kind, link) in cases {
            let dir = tempfile::tempdir().unwrap();
            let archive = dir.path().join("a.tar.gz");
            tar_gz(&archive, &[(name, kind, b"x", link)]);
            let into = dir.path().join("out");
            std::fs::create_dir(&into).unwrap();
            let error = unpack(&archive, "a.tar.gz", &into).unwrap_err();
            assert!(
                error.contains("leaves the folder") || error.contains("points out"),
                "{name}: {error}"
            );
            assert!(!dir.path().join("escape").exists());
        }
    }

    #[test]
    fn unpacks_a_zip_and_refuses_garbage() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("a.zip");
        {
            let mut zip = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
            let options = zip::write::SimpleFileOptions::default().unix_permissions(0o755);
            // The Windows release archives hold `llama-server.exe`.
            let name = crate::platform::executable_name("llama-server");
            zip.start_file(name, options).unwrap();
            zip.write_all(b"#!/bin/sh\n").unwrap();
            zip.finish().unwrap();
        }
        let into = dir.path().join("out");
        std::fs::create_dir(&into).unwrap();
        unpack(&archive, "a.zip", &into).unwrap();
        assert!(find_program(&into, "llama-server", 0).is_some());

        std::fs::write(&archive, b"not a zip").unwrap();
        let again = dir.path().join("again");
        std::fs::create_dir(&again).unwrap();
        assert!(unpack(&archive, "a.zip", &again).is_err());
        assert!(unpack(&archive, "a.rar", &again).is_err());
    }
}
