//! The file systems that hold model files: free space, and how much the models take.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::snapshot::DiskUsage;

/// One entry per folder that holds a configured model file, plus the models cache.
pub(super) fn model_folders(model_paths: &[String], models_dir: &Path) -> Vec<DiskUsage> {
    let mut folders: BTreeMap<PathBuf, u64> = BTreeMap::new();
    if models_dir.is_dir() {
        folders.insert(models_dir.to_path_buf(), 0);
    }
    for path in model_paths {
        let path = Path::new(path);
        let (Some(folder), Ok(meta)) = (path.parent(), std::fs::metadata(path)) else {
            continue;
        };
        *folders.entry(folder.to_path_buf()).or_default() += meta.len();
    }
    folders
        .into_iter()
        .filter_map(|(folder, models_bytes)| usage(&folder, models_bytes))
        .collect()
}

fn usage(folder: &Path, models_bytes: u64) -> Option<DiskUsage> {
    let space = crate::platform::disk_space(folder)?;
    Some(DiskUsage {
        folder: folder.display().to_string(),
        mount_point: crate::platform::mount_point(folder).display().to_string(),
        total_bytes: space.total_bytes,
        available_bytes: space.available_bytes,
        models_bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_model_files_per_folder_and_reads_the_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.gguf");
        let b = dir.path().join("b.gguf");
        std::fs::write(&a, vec![0u8; 1000]).unwrap();
        std::fs::write(&b, vec![0u8; 500]).unwrap();
        let paths = [
            a.display().to_string(),
            b.display().to_string(),
            "/nonexistent/c.gguf".to_string(),
        ];
        let disks = model_folders(&paths, Path::new("/nonexistent-cache"));
        assert_eq!(disks.len(), 1);
        assert_eq!(disks[0].models_bytes, 1500);
        assert!(disks[0].total_bytes >= disks[0].available_bytes && disks[0].total_bytes > 0);
        assert!(Path::new(&disks[0].folder).starts_with(&disks[0].mount_point));
    }
}
