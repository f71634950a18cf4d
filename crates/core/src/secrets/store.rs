use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::SecretError;
use crate::secure_fs;

pub const SECRETS_FILE: &str = "secrets.json";
/// A keyring that does not answer in this time (no Secret Service on the session bus, a locked
/// keyring waiting for a prompt) is treated as absent.
const KEYRING_PROBE_TIMEOUT: Duration = Duration::from_secs(3);

/// Where secrets are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecretBackend {
    /// The OS keyring (Secret Service: GNOME Keyring, KWallet, KeePassXC).
    Keyring,
    /// `secrets.json` in the data dir, readable only by this user (mode 0600).
    File,
}

/// Which backend to use (`LLMOPS_SECRET_STORE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretPreference {
    /// The keyring when one answers, else the file.
    Auto,
    Keyring,
    File,
}

impl SecretPreference {
    pub fn parse(text: &str) -> Option<SecretPreference> {
        match text.trim() {
            "auto" | "" => Some(SecretPreference::Auto),
            "keyring" => Some(SecretPreference::Keyring),
            "file" => Some(SecretPreference::File),
            _ => None,
        }
    }
}

/// What the UI shows about the secret store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct SecretStoreInfo {
    pub backend: SecretBackend,
    /// A sentence: where the secrets are, or why the keyring is not used.
    pub detail: String,
}

#[derive(Clone)]
pub struct SecretStore {
    shared: Arc<Shared>,
}

struct Shared {
    backend: SecretBackend,
    detail: String,
    /// The keyring "service" name: one per data dir, so two installs never share entries.
    service: String,
    file: PathBuf,
    // Why a lock: the file backend is read-modify-write of one file; the keyring backend takes
    // it too so that calls for one entry never interleave. Held across the blocking call only.
    io: tokio::sync::Mutex<()>,
}

impl SecretStore {
    pub async fn open(data_dir: &Path, preference: SecretPreference) -> SecretStore {
        let service = format!("llmops:{}", data_dir.display());
        let file = data_dir.join(SECRETS_FILE);
        let (backend, detail) = match preference {
            SecretPreference::File => (
                SecretBackend::File,
                format!(
                    "{} (mode 0600), as LLMOPS_SECRET_STORE=file asks",
                    file.display()
                ),
            ),
            SecretPreference::Auto | SecretPreference::Keyring => {
                match probe_keyring(&service).await {
                    Ok(()) => (
                        SecretBackend::Keyring,
                        "the OS keyring (Secret Service)".to_string(),
                    ),
                    Err(why) => {
                        if preference == SecretPreference::Keyring {
                            tracing::error!(%why, "LLMOPS_SECRET_STORE=keyring, but the keyring does not answer; using the file");
                        }
                        (
                            SecretBackend::File,
                            format!(
                                "{} (mode 0600): no OS keyring answered ({why})",
                                file.display()
                            ),
                        )
                    }
                }
            }
        };
        tracing::info!(backend = ?backend, "secret store");
        SecretStore {
            shared: Arc::new(Shared {
                backend,
                detail,
                service,
                file,
                io: tokio::sync::Mutex::new(()),
            }),
        }
    }

    pub fn info(&self) -> SecretStoreInfo {
        SecretStoreInfo {
            backend: self.shared.backend,
            detail: self.shared.detail.clone(),
        }
    }

    pub async fn get(&self, name: &str) -> Result<Option<String>, SecretError> {
        let _io = self.shared.io.lock().await;
        match self.shared.backend {
            SecretBackend::File => Ok(self.read_file()?.remove(name)),
            SecretBackend::Keyring => {
                let (service, name) = (self.shared.service.clone(), name.to_string());
                blocking("read", move || {
                    match keyring::Entry::new(&service, &name)?.get_password() {
                        Ok(value) => Ok(Some(value)),
                        Err(keyring::Error::NoEntry) => Ok(None),
                        Err(err) => Err(err),
                    }
                })
                .await
            }
        }
    }

    pub async fn set(&self, name: &str, value: &str) -> Result<(), SecretError> {
        let _io = self.shared.io.lock().await;
        match self.shared.backend {
            SecretBackend::File => {
                let mut all = self.read_file()?;
                all.insert(name.to_string(), value.to_string());
                self.write_file(&all)
            }
            SecretBackend::Keyring => {
                let (service, name, value) = (
                    self.shared.service.clone(),
                    name.to_string(),
                    value.to_string(),
                );
                blocking("store", move || {
                    keyring::Entry::new(&service, &name)?.set_password(&value)
                })
                .await
            }
        }
    }

    /// Deleting a secret that does not exist is not an error.
    pub async fn delete(&self, name: &str) -> Result<(), SecretError> {
        let _io = self.shared.io.lock().await;
        match self.shared.backend {
            SecretBackend::File => {
                let mut all = self.read_file()?;
                if all.remove(name).is_some() {
                    self.write_file(&all)?;
                }
                Ok(())
            }
            SecretBackend::Keyring => {
                let (service, name) = (self.shared.service.clone(), name.to_string());
                blocking("delete", move || {
                    match keyring::Entry::new(&service, &name)?.delete_credential() {
                        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                        Err(err) => Err(err),
                    }
                })
                .await
            }
        }
    }

    fn read_file(&self) -> Result<BTreeMap<String, String>, SecretError> {
        let failed = |detail: String| SecretError::File {
            action: "read",
            path: self.shared.file.display().to_string(),
            detail,
        };
        match std::fs::read(&self.shared.file) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| failed(e.to_string())),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(err) => Err(failed(err.to_string())),
        }
    }

    fn write_file(&self, all: &BTreeMap<String, String>) -> Result<(), SecretError> {
        let json = serde_json::to_vec_pretty(all).expect("a map of strings serialises");
        secure_fs::write_private(&self.shared.file, &json).map_err(|e| SecretError::File {
            action: "write",
            path: self.shared.file.display().to_string(),
            detail: e.to_string(),
        })
    }
}

/// Runs a keyring call off the async threads (the Secret Service client blocks on D-Bus).
async fn blocking<T: Send + 'static>(
    action: &'static str,
    call: impl FnOnce() -> keyring::Result<T> + Send + 'static,
) -> Result<T, SecretError> {
    let failed = |detail: String| SecretError::Keyring { action, detail };
    tokio::task::spawn_blocking(call)
        .await
        .map_err(|e| failed(e.to_string()))?
        .map_err(|e| failed(e.to_string()))
}

/// Whether a Secret Service answers: reading an entry that does not exist must say "no entry".
async fn probe_keyring(service: &str) -> Result<(), String> {
    #[cfg(unix)]
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
        && !Path::new(&format!("/run/user/{}/bus", nix::unistd::getuid())).exists()
    {
        return Err("no session bus".into());
    }
    let service = service.to_string();
    let probe = tokio::task::spawn_blocking(move || {
        keyring::Entry::new(&service, "llmops-probe").and_then(|e| e.get_password())
    });
    match tokio::time::timeout(KEYRING_PROBE_TIMEOUT, probe).await {
        Err(_) => Err("the keyring did not answer within 3 s".into()),
        Ok(Err(join)) => Err(join.to_string()),
        Ok(Ok(Ok(_) | Err(keyring::Error::NoEntry))) => Ok(()),
        Ok(Ok(Err(err))) => Err(err.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_file_backend_is_private_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = SecretStore::open(dir.path(), SecretPreference::File).await;
        assert_eq!(store.info().backend, SecretBackend::File);
        assert_eq!(store.get("a").await.unwrap(), None);
        store.set("a", "s3cret").await.unwrap();
        store.set("b", "other").await.unwrap();
        assert_eq!(store.get("a").await.unwrap().as_deref(), Some("s3cret"));
        store.delete("a").await.unwrap();
        store.delete("a").await.unwrap();
        assert_eq!(store.get("a").await.unwrap(), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(SECRETS_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
