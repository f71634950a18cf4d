//! [`Preferences`]: the UI's own settings (language, …) in `<data>/preferences.json`, for the
//! desktop window, whose webview storage may be reset. The window names a key, never a file: no
//! path from the UI reaches the file system. Keys and values are bounded.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

use crate::error::{CodedError, ErrorKind, ErrorParams};
use crate::secure_fs;

pub const PREFERENCES_FILE: &str = "preferences.json";
const MAX_KEY: usize = 64;
const MAX_VALUE: usize = 4096;
const MAX_ENTRIES: usize = 64;

#[derive(Debug, Error)]
pub enum PreferenceError {
    #[error(
        "A preference key is 1 to {MAX_KEY} characters of a-z, 0-9, '.', '_' or '-', not {0:?}"
    )]
    BadKey(String),
    #[error("A preference value is at most {MAX_VALUE} bytes")]
    TooLong,
    #[error("At most {MAX_ENTRIES} preferences are kept; this one is new")]
    TooMany,
    #[error("Cannot write the preferences to {path}: {detail}")]
    Write { path: String, detail: String },
}

impl CodedError for PreferenceError {
    fn code(&self) -> &'static str {
        match self {
            PreferenceError::BadKey(_) => "preference_key_invalid",
            PreferenceError::TooLong => "preference_too_long",
            PreferenceError::TooMany => "too_many_preferences",
            PreferenceError::Write { .. } => "preferences_write_failed",
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            PreferenceError::BadKey(key) => vec![("key", key.clone())],
            PreferenceError::Write { path, detail } => {
                vec![("path", path.clone()), ("detail", detail.clone())]
            }
            PreferenceError::TooLong | PreferenceError::TooMany => Vec::new(),
        }
    }

    fn kind(&self) -> ErrorKind {
        match self {
            PreferenceError::Write { .. } => ErrorKind::Internal,
            _ => ErrorKind::InvalidInput,
        }
    }
}

#[derive(Clone)]
pub struct Preferences {
    shared: Arc<Shared>,
}

struct Shared {
    file: PathBuf,
    // Why a lock: every save is read-modify-write of one file; held across the write only
    // (never across an await).
    values: std::sync::Mutex<BTreeMap<String, String>>,
}

impl Preferences {
    /// Reads the file; a missing or unreadable one starts empty (preferences are not precious).
    pub fn open(data_dir: &Path) -> Preferences {
        let file = data_dir.join(PREFERENCES_FILE);
        let values = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        Preferences {
            shared: Arc::new(Shared {
                file,
                values: std::sync::Mutex::new(values),
            }),
        }
    }

    pub fn get(&self, key: &str) -> Option<String> {
        self.shared.values.lock().unwrap().get(key).cloned()
    }

    pub fn set(&self, key: &str, value: &str) -> Result<(), PreferenceError> {
        let valid_key = !key.is_empty()
            && key.len() <= MAX_KEY
            && key
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
        if !valid_key {
            return Err(PreferenceError::BadKey(key.chars().take(MAX_KEY).collect()));
        }
        if value.len() > MAX_VALUE {
            return Err(PreferenceError::TooLong);
        }
        let mut values = self.shared.values.lock().unwrap();
        if !values.contains_key(key) && values.len() >= MAX_ENTRIES {
            return Err(PreferenceError::TooMany);
        }
        let mut next = values.clone();
        next.insert(key.to_string(), value.to_string());
        let json = serde_json::to_vec_pretty(&next).expect("strings serialise");
        secure_fs::write_private(&self.shared.file, &json).map_err(|e| PreferenceError::Write {
            path: self.shared.file.display().to_string(),
            detail: e.to_string(),
        })?;
        *values = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_not_paths_bounded_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let prefs = Preferences::open(dir.path());
        prefs.set("locale", "zh").unwrap();
        assert_eq!(
            Preferences::open(dir.path()).get("locale").as_deref(),
            Some("zh")
        );
        for bad in ["../../.bashrc", "/etc/passwd", "", "Locale"] {
            assert!(
                matches!(prefs.set(bad, "x"), Err(PreferenceError::BadKey(_))),
                "{bad}"
            );
        }
        assert!(matches!(
            prefs.set("big", &"x".repeat(5000)),
            Err(PreferenceError::TooLong)
        ));
        for i in 0..63 {
            prefs.set(&format!("k{i}"), "v").unwrap();
        }
        assert!(matches!(
            prefs.set("one-more", "v"),
            Err(PreferenceError::TooMany)
        ));
        prefs.set("locale", "en").unwrap(); // replacing stays possible
    }
}
