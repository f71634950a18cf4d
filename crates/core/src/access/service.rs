//! [`AccessService`]: the server token, named API keys and browser sessions. Adapters decide
//! *where* a request comes from (loopback or not); this service decides what a credential is
//! worth. Every check is in memory: no database read on the request path.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use super::crypto::{constant_time_eq, hex, hmac_sha256, random_hex, sha256_hex};
use super::store::ApiKeyRow;
use super::{AccessError, ApiKeyInfo, AuthVia, Caller, CreatedApiKey, NewApiKey, Scope};
use crate::secure_fs;
use crate::store::Store;
use crate::time::now_ms;

/// The server token's file name in the data dir.
pub const SERVER_TOKEN_FILE: &str = "server-token";
/// Prefix of every API key, so that secret scanners and users recognise them.
pub const KEY_PREFIX: &str = "llmops_";
/// How long a browser stays logged in.
pub const SESSION_TTL_SECS: i64 = 30 * 24 * 3600;
/// `last_used_at` is written at most this often per key.
const TOUCH_EVERY_MS: i64 = 60_000;
const SESSION_VERSION: &str = "v1";
/// The key id that marks a session opened with the server token.
const TOKEN_KID: &str = "token";

#[derive(Clone)]
pub struct AccessService {
    shared: Arc<Shared>,
}

struct Shared {
    store: Store,
    token_path: PathBuf,
    // Why a lock: every request with a credential reads the token; only a rotation writes it.
    // Held for a comparison, never across an await.
    token: RwLock<ServerToken>,
    // Why a lock: read by every request that carries a key; written by create, revoke and the
    // once-a-minute `last_used_at` touch. Never held across an await.
    keys: RwLock<HashMap<String, ApiKeyInfo>>,
}

struct ServerToken {
    secret: String,
    /// Signs session cookies; derived from the token, so rotating the token ends every session.
    session_key: [u8; 32],
}

impl ServerToken {
    fn new(secret: String) -> ServerToken {
        let session_key = hmac_sha256(secret.as_bytes(), b"llmops session cookie key");
        ServerToken {
            secret,
            session_key,
        }
    }
}

impl AccessService {
    /// Reads the server token from `<data_dir>/server-token` (creating a random one, mode 0600,
    /// on first start) and loads the API keys.
    pub async fn open(store: Store, data_dir: &Path) -> Result<AccessService, AccessError> {
        let token_path = data_dir.join(SERVER_TOKEN_FILE);
        let secret = load_or_create_token(&token_path)?;
        let keys = store
            .list_api_keys()
            .await?
            .into_iter()
            .map(|row| (row.key_hash, row.info))
            .collect();
        Ok(AccessService {
            shared: Arc::new(Shared {
                store,
                token_path,
                token: RwLock::new(ServerToken::new(secret)),
                keys: RwLock::new(keys),
            }),
        })
    }

    /// The admin secret, for the login link the adapter prints or shows as a QR code.
    pub fn server_token(&self) -> String {
        self.shared.token.read().unwrap().secret.clone()
    }

    pub fn token_path(&self) -> &Path {
        &self.shared.token_path
    }

    /// `<base>/login#token=…`: the fragment never reaches a server log or a `Referer`.
    pub fn login_url(&self, base: &str) -> String {
        format!(
            "{}/login#token={}",
            base.trim_end_matches('/'),
            self.server_token()
        )
    }

    /// A new server token: every login link and browser session made with the old one stops
    /// working. API keys are not affected.
    pub fn rotate_server_token(&self) -> Result<(), AccessError> {
        let secret = new_token();
        write_token(&self.shared.token_path, &secret)?;
        *self.shared.token.write().unwrap() = ServerToken::new(secret);
        tracing::warn!("the server token was rotated; old login links and sessions are void");
        Ok(())
    }

    /// What an `Authorization: Bearer` secret is worth: the server token is `admin`, an API key
    /// its own scope, anything else nothing.
    pub fn authenticate_bearer(&self, secret: &str) -> Option<Caller> {
        if self.is_server_token(secret) {
            return Some(Caller {
                scope: Scope::Admin,
                via: AuthVia::ServerToken,
                key_id: None,
                key_name: None,
            });
        }
        if !secret.starts_with(KEY_PREFIX) {
            return None;
        }
        // The lookup is by hash, so its timing says nothing about the secret.
        let hash = sha256_hex(secret.as_bytes());
        let info = self.shared.keys.read().unwrap().get(&hash).cloned()?;
        self.touch(&hash, &info);
        Some(Caller {
            scope: info.scope,
            via: AuthVia::ApiKey,
            key_id: Some(info.id),
            key_name: Some(info.name),
        })
    }

    /// Logs a browser in with the server token or an API key: the caller and the value of its
    /// session cookie.
    pub fn login(&self, secret: &str) -> Option<(Caller, String)> {
        let caller = self.authenticate_bearer(secret)?;
        let kid = caller.key_id.clone().unwrap_or_else(|| TOKEN_KID.into());
        let expires = now_ms() / 1000 + SESSION_TTL_SECS;
        let payload = format!(
            "{SESSION_VERSION}.{kid}.{}.{expires}",
            caller.scope.as_str()
        );
        let mac = hmac_sha256(
            &self.shared.token.read().unwrap().session_key,
            payload.as_bytes(),
        );
        let caller = Caller {
            via: AuthVia::Session,
            ..caller
        };
        Some((caller, format!("{payload}.{}", hex(&mac))))
    }

    /// The caller a session cookie stands for, if it is genuine, unexpired, and its key (when it
    /// was opened with one) still exists.
    pub fn session_caller(&self, cookie: &str) -> Option<Caller> {
        let (payload, mac) = cookie.rsplit_once('.')?;
        let expected = hmac_sha256(
            &self.shared.token.read().unwrap().session_key,
            payload.as_bytes(),
        );
        if !constant_time_eq(hex(&expected).as_bytes(), mac.as_bytes()) {
            return None;
        }
        let mut parts = payload.split('.');
        let (Some(SESSION_VERSION), Some(kid), Some(scope), Some(expires), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return None;
        };
        let scope = Scope::parse(scope)?;
        if expires.parse::<i64>().ok()? < now_ms() / 1000 {
            return None;
        }
        if kid == TOKEN_KID {
            return Some(Caller {
                scope,
                via: AuthVia::Session,
                key_id: None,
                key_name: None,
            });
        }
        let keys = self.shared.keys.read().unwrap();
        let info = keys.values().find(|k| k.id == kid)?;
        Some(Caller {
            // A key's scope cannot change, but never let a session outrank its key.
            scope: scope.min(info.scope),
            via: AuthVia::Session,
            key_id: Some(info.id.clone()),
            key_name: Some(info.name.clone()),
        })
    }

    pub fn list_keys(&self) -> Vec<ApiKeyInfo> {
        let mut keys: Vec<ApiKeyInfo> =
            self.shared.keys.read().unwrap().values().cloned().collect();
        keys.sort_by_key(|k| k.created_at);
        keys
    }

    pub async fn create_key(&self, new: NewApiKey) -> Result<CreatedApiKey, AccessError> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 64 || name.chars().any(char::is_control) {
            return Err(AccessError::BadKeyName);
        }
        let secret = format!("{KEY_PREFIX}{}", random_hex(24));
        let info = ApiKeyInfo {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_string(),
            scope: new.scope,
            prefix: secret[..KEY_PREFIX.len() + 6].to_string(),
            created_at: now_ms(),
            last_used_at: None,
        };
        let key_hash = sha256_hex(secret.as_bytes());
        self.shared
            .store
            .insert_api_key(&ApiKeyRow {
                info: info.clone(),
                key_hash: key_hash.clone(),
            })
            .await?;
        self.shared
            .keys
            .write()
            .unwrap()
            .insert(key_hash, info.clone());
        tracing::info!(id = %info.id, name = %info.name, scope = info.scope.as_str(), "API key created");
        Ok(CreatedApiKey { key: info, secret })
    }

    /// Revokes a key: requests and browser sessions that use it fail from now on.
    pub async fn revoke_key(&self, id: &str) -> Result<(), AccessError> {
        if !self.shared.store.delete_api_key(id).await? {
            return Err(AccessError::KeyNotFound(id.to_string()));
        }
        self.shared.keys.write().unwrap().retain(|_, k| k.id != id);
        tracing::info!(%id, "API key revoked");
        Ok(())
    }

    fn is_server_token(&self, secret: &str) -> bool {
        constant_time_eq(
            self.shared.token.read().unwrap().secret.as_bytes(),
            secret.as_bytes(),
        )
    }

    fn touch(&self, hash: &str, info: &ApiKeyInfo) {
        let now = now_ms();
        if info
            .last_used_at
            .is_some_and(|at| now - at < TOUCH_EVERY_MS)
        {
            return;
        }
        if let Some(entry) = self.shared.keys.write().unwrap().get_mut(hash) {
            entry.last_used_at = Some(now);
        }
        let store = self.shared.store.clone();
        let id = info.id.clone();
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Err(err) = store.touch_api_key(&id, now).await {
                    tracing::warn!(%err, "could not record when an API key was last used");
                }
            });
        }
    }
}

fn new_token() -> String {
    random_hex(32)
}

fn load_or_create_token(path: &Path) -> Result<String, AccessError> {
    let failed = |source| AccessError::TokenFile {
        path: path.display().to_string(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().len() >= 32 => {
            secure_fs::tighten(path, secure_fs::PRIVATE_FILE_MODE).map_err(failed)?;
            Ok(text.trim().to_string())
        }
        Ok(_) => {
            tracing::warn!(path = %path.display(), "the server token file is too short; writing a new token");
            let secret = new_token();
            write_token(path, &secret)?;
            Ok(secret)
        }
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            let secret = new_token();
            write_token(path, &secret)?;
            tracing::info!(path = %path.display(), "created the server token");
            Ok(secret)
        }
        Err(err) => Err(failed(err)),
    }
}

fn write_token(path: &Path, secret: &str) -> Result<(), AccessError> {
    secure_fs::write_private(path, format!("{secret}\n").as_bytes()).map_err(|source| {
        AccessError::TokenFile {
            path: path.display().to_string(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::secure_fs::mode_bits;

    async fn open(dir: &Path) -> AccessService {
        let store = Store::open(&dir.join("db.sqlite")).await.unwrap();
        AccessService::open(store, dir).await.unwrap()
    }

    #[tokio::test]
    async fn token_is_private_stable_and_admin() {
        let dir = tempfile::tempdir().unwrap();
        let access = open(dir.path()).await;
        let token = access.server_token();
        let token_file = dir.path().join(SERVER_TOKEN_FILE);
        assert!(token_file.is_file());
        if let Some(mode) = mode_bits(&token_file) {
            assert_eq!(mode, 0o600);
        }
        assert_eq!(
            access.authenticate_bearer(&token).unwrap().scope,
            Scope::Admin
        );
        assert!(access.authenticate_bearer("nope").is_none());
        assert!(access.authenticate_bearer(&token[..63]).is_none());
        drop(access);
        assert_eq!(
            open(dir.path()).await.server_token(),
            token,
            "kept across restarts"
        );
    }

    #[tokio::test]
    async fn keys_are_hashed_scoped_and_revocable() {
        let dir = tempfile::tempdir().unwrap();
        let access = open(dir.path()).await;
        let created = access
            .create_key(NewApiKey {
                name: " phone ".into(),
                scope: Scope::Read,
            })
            .await
            .unwrap();
        assert_eq!(created.key.name, "phone");
        assert!(created.secret.starts_with(&created.key.prefix));
        let caller = access.authenticate_bearer(&created.secret).unwrap();
        assert_eq!((caller.scope, caller.via), (Scope::Read, AuthVia::ApiKey));

        // Only the hash is stored.
        let rows = access.shared.store.list_api_keys().await.unwrap();
        assert_eq!(rows.len(), 1);
        assert_ne!(rows[0].key_hash, created.secret);
        assert!(!rows[0].key_hash.contains(&created.secret));

        // A session opened with the key dies with it.
        let (_, cookie) = access.login(&created.secret).unwrap();
        assert_eq!(access.session_caller(&cookie).unwrap().scope, Scope::Read);
        access.revoke_key(&created.key.id).await.unwrap();
        assert!(access.authenticate_bearer(&created.secret).is_none());
        assert!(access.session_caller(&cookie).is_none());
        assert_eq!(
            access
                .revoke_key(&created.key.id)
                .await
                .unwrap_err()
                .to_string(),
            AccessError::KeyNotFound(created.key.id.clone()).to_string()
        );
        assert!(matches!(
            access
                .create_key(NewApiKey {
                    name: "  ".into(),
                    scope: Scope::Admin
                })
                .await,
            Err(AccessError::BadKeyName)
        ));
    }

    #[tokio::test]
    async fn sessions_cannot_be_forged_or_outlive_a_rotation() {
        let dir = tempfile::tempdir().unwrap();
        let access = open(dir.path()).await;
        let (caller, cookie) = access.login(&access.server_token()).unwrap();
        assert_eq!((caller.scope, caller.via), (Scope::Admin, AuthVia::Session));
        assert!(access.session_caller(&cookie).is_some());
        // Raising the scope or the expiry breaks the signature.
        let forged = cookie.replacen(".admin.", ".read.", 1);
        assert!(access.session_caller(&forged).is_none());
        let (payload, mac) = cookie.rsplit_once('.').unwrap();
        let (head, _) = payload.rsplit_once('.').unwrap();
        assert!(access
            .session_caller(&format!("{head}.99999999999.{mac}"))
            .is_none());
        assert!(access.session_caller("garbage").is_none());
        access.rotate_server_token().unwrap();
        assert!(access.session_caller(&cookie).is_none());
    }
}
