//! [`Preferences`]: the UI's own settings (language, …) in `<data>/preferences.json`, for the
//! desktop window, whose webview storage may be reset. The window names a key, never a file: no
//! path from the UI reaches the file system. Keys and values are bounded. The desktop app's own
//! behaviour ([`DesktopSettings`]: close to tray, notifications, models to start with the app)
//! is kept there too, typed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use ts_rs::TS;

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
    #[error("At most {max} models start with the app; choose fewer", max = DesktopSettings::MAX_START_MODELS)]
    TooManyStartModels,
}

impl CodedError for PreferenceError {
    fn code(&self) -> &'static str {
        match self {
            PreferenceError::BadKey(_) => "preference_key_invalid",
            PreferenceError::TooLong => "preference_too_long",
            PreferenceError::TooMany => "too_many_preferences",
            PreferenceError::Write { .. } => "preferences_write_failed",
            PreferenceError::TooManyStartModels => "too_many_start_models",
        }
    }

    fn params(&self) -> ErrorParams {
        match self {
            PreferenceError::BadKey(key) => vec![("key", key.clone())],
            PreferenceError::Write { path, detail } => {
                vec![("path", path.clone()), ("detail", detail.clone())]
            }
            PreferenceError::TooLong
            | PreferenceError::TooMany
            | PreferenceError::TooManyStartModels => Vec::new(),
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

/// How the desktop app behaves (Settings → Desktop). Start at login is the system's own state
/// (an XDG autostart entry), read and written by the desktop app, not kept here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(default)]
pub struct DesktopSettings {
    /// Closing the window hides it to the tray; Quit in the tray ends the app.
    pub close_to_tray: bool,
    /// Desktop notifications for alerts and failed models.
    pub notifications: bool,
    /// Models (ids) started when the app starts.
    pub start_models: Vec<String>,
    /// Whether the app starts at login (answered by the desktop app from the system).
    pub start_at_login: bool,
}

impl Default for DesktopSettings {
    fn default() -> Self {
        DesktopSettings {
            close_to_tray: true,
            notifications: true,
            start_models: Vec::new(),
            start_at_login: false,
        }
    }
}

impl DesktopSettings {
    pub const MAX_START_MODELS: usize = 16;
    const KEY: &'static str = "desktop.settings";
}

impl Preferences {
    /// The desktop settings saved, or the defaults (also when the saved text is unreadable).
    pub fn desktop_settings(&self) -> DesktopSettings {
        self.get(DesktopSettings::KEY)
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or_default()
    }

    /// Saves them; model ids are kept once each, in order.
    pub fn set_desktop_settings(
        &self,
        mut settings: DesktopSettings,
    ) -> Result<DesktopSettings, PreferenceError> {
        let mut seen = std::collections::HashSet::new();
        settings.start_models.retain(|id| seen.insert(id.clone()));
        if settings.start_models.len() > DesktopSettings::MAX_START_MODELS {
            return Err(PreferenceError::TooManyStartModels);
        }
        let text = serde_json::to_string(&settings).expect("settings serialise");
        self.set(DesktopSettings::KEY, &text)?;
        Ok(settings)
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

    #[test]
    fn desktop_settings_default_then_kept_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let prefs = Preferences::open(dir.path());
        assert!(prefs.desktop_settings().close_to_tray);
        let saved = prefs
            .set_desktop_settings(DesktopSettings {
                close_to_tray: false,
                start_models: vec!["a".into(), "b".into(), "a".into()],
                ..DesktopSettings::default()
            })
            .unwrap();
        assert_eq!(saved.start_models, ["a", "b"]);
        let again = Preferences::open(dir.path()).desktop_settings();
        assert!(!again.close_to_tray && again.notifications);
        assert_eq!(again.start_models, ["a", "b"]);
        let too_many = DesktopSettings {
            start_models: (0..17).map(|i| i.to_string()).collect(),
            ..DesktopSettings::default()
        };
        assert!(matches!(
            prefs.set_desktop_settings(too_many),
            Err(PreferenceError::TooManyStartModels)
        ));
        // Unreadable text falls back to the defaults.
        prefs.set("desktop.settings", "not json").unwrap();
        assert_eq!(prefs.desktop_settings(), DesktopSettings::default());
    }
}
