use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::conversation_types::ChatTarget;
use super::endpoints::{normalise_base_url, ChatEndpoint, EndpointRecord, NewChatEndpoint};
use super::error::ChatError;
use super::params::{ChatDefaults, ChatParams, ChatPreset, NewChatPreset};
use super::types::{ChatRequest, ChatStreamEvent};
use super::upstream::{self, Upstream};
use crate::library::ModelLibrary;
use crate::secrets::SecretStore;
use crate::store::Store;
use crate::supervisor::{InstanceState, Supervisor};
use crate::time::now_ms;

/// Largest model list read from an endpoint.
const MAX_MODEL_LIST: usize = 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct ChatService {
    pub(super) supervisor: Supervisor,
    pub(super) library: ModelLibrary,
    pub(super) store: Store,
    pub(super) http: crate::lazy_client::LazyClient,
    /// Conversations with an answer streaming now: one answer at a time per conversation.
    pub(super) busy: Arc<Mutex<HashSet<String>>>,
    /// Endpoint API keys.
    pub(super) secrets: SecretStore,
    /// Held while the chat defaults are rewritten (they are one settings row).
    defaults_writer: Arc<tokio::sync::Mutex<()>>,
}

/// The secret store's name for an endpoint's API key.
fn endpoint_key_name(id: &str) -> String {
    format!("endpoint/{id}/api_key")
}

impl ChatService {
    pub fn new(
        supervisor: Supervisor,
        library: ModelLibrary,
        store: Store,
        secrets: SecretStore,
    ) -> Self {
        // Engines are mostly on loopback, where a system proxy would only get in the way.
        let http = crate::lazy_client::LazyClient::new(|| {
            reqwest::Client::builder()
                .no_proxy()
                .connect_timeout(CONNECT_TIMEOUT)
                .build()
                .expect("a plain HTTP client builds")
        });
        ChatService {
            supervisor,
            library,
            store,
            http,
            busy: Arc::default(),
            secrets,
            defaults_writer: Arc::default(),
        }
    }

    /// Moves endpoint keys an older version kept in the database into the secret store.
    pub async fn move_keys_to_secret_store(&self) -> Result<usize, ChatError> {
        let stored = self.store.endpoints_with_stored_keys().await?;
        for (id, key) in &stored {
            self.secrets.set(&endpoint_key_name(id), key).await?;
            self.store.clear_stored_endpoint_key(id).await?;
        }
        Ok(stored.len())
    }

    /// Marks answers that a previous run left streaming (it crashed or was killed) as
    /// incomplete; their text up to the last periodic save is kept.
    pub async fn recover_interrupted(&self) -> Result<u64, ChatError> {
        Ok(self.store.mark_interrupted_answers(now_ms()).await?)
    }

    /// Streams a completion from a running instance, without saving anything.
    pub async fn stream(
        &self,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> Result<mpsc::Receiver<ChatStreamEvent>, ChatError> {
        if request.messages.is_empty() {
            return Err(ChatError::NoMessages);
        }
        let instance = self.supervisor.get(&request.instance_id)?;
        if instance.state != InstanceState::Running {
            return Err(ChatError::NotRunning(request.instance_id));
        }
        let target = Upstream {
            api_key: self.supervisor.engine_key(&instance.id),
            base_url: instance.base_url,
            model: instance.served_model,
            external: false,
        };
        let params = ChatParams {
            temperature: request.temperature,
            max_tokens: request.max_tokens,
            ..Default::default()
        };
        let body = upstream::request_body(&target, &request.messages, &params);
        upstream::open(&self.http, &target, body, cancel).await
    }

    /// Where a target's OpenAI-compatible requests go now, and what to call it: for the core's
    /// own clients (a benchmark). A model must be running.
    pub async fn upstream_for(&self, target: &ChatTarget) -> Result<(Upstream, String), ChatError> {
        self.resolve(target).await
    }

    /// Where a conversation's requests go now, and what to call it.
    pub(super) async fn resolve(
        &self,
        target: &ChatTarget,
    ) -> Result<(Upstream, String), ChatError> {
        match target {
            ChatTarget::Model { model_id } => {
                let running = self.supervisor.running_instance(model_id);
                // Only a model that is not running needs the library, for its name in the error.
                let Some(instance) = running else {
                    let model = self.library.get(model_id).await?;
                    return Err(ChatError::ModelNotRunning(model.name));
                };
                let upstream = Upstream {
                    api_key: self.supervisor.engine_key(&instance.id),
                    base_url: instance.base_url,
                    model: instance.served_model,
                    external: false,
                };
                Ok((upstream, instance.model_name))
            }
            ChatTarget::Endpoint { endpoint_id, model } => {
                let record = self.endpoint_record(endpoint_id).await?;
                let label = format!("{} · {model}", record.endpoint.name);
                let upstream = Upstream {
                    base_url: record.endpoint.base_url,
                    api_key: record.api_key,
                    model: model.clone(),
                    external: true,
                };
                Ok((upstream, label))
            }
        }
    }

    /// The context size a target runs with: a live instance's, else its model's setting; `None`
    /// for an external endpoint (it does not say) or a model that was removed.
    pub(super) async fn context_size(&self, target: &ChatTarget) -> Option<u32> {
        match target {
            ChatTarget::Model { model_id } => match self.supervisor.live_instance(model_id) {
                Some(instance) => Some(instance.context_size),
                None => self
                    .library
                    .get(model_id)
                    .await
                    .ok()
                    .map(|m| m.context_size),
            },
            ChatTarget::Endpoint { .. } => None,
        }
    }

    /// The label of a target without requiring it to run (for a new conversation).
    pub(super) async fn label(&self, target: &ChatTarget) -> Result<String, ChatError> {
        match target {
            ChatTarget::Model { model_id } => Ok(self.library.get(model_id).await?.name),
            ChatTarget::Endpoint { endpoint_id, model } => {
                let record = self.endpoint_record(endpoint_id).await?;
                Ok(format!("{} · {model}", record.endpoint.name))
            }
        }
    }

    pub async fn list_endpoints(&self) -> Result<Vec<ChatEndpoint>, ChatError> {
        let records = self.store.list_endpoints().await?;
        Ok(records.into_iter().map(|r| r.endpoint).collect())
    }

    pub async fn add_endpoint(&self, new: NewChatEndpoint) -> Result<ChatEndpoint, ChatError> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(ChatError::EndpointNameMissing);
        }
        let api_key = new
            .api_key
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty());
        let record = EndpointRecord {
            endpoint: ChatEndpoint {
                id: uuid::Uuid::new_v4().to_string(),
                name: name.to_string(),
                base_url: normalise_base_url(&new.base_url)?,
                has_api_key: api_key.is_some(),
                created_at: now_ms(),
            },
            api_key,
        };
        // The secret first: an endpoint is never listed with a key that was not kept.
        let key_name = endpoint_key_name(&record.endpoint.id);
        if let Some(key) = &record.api_key {
            self.secrets.set(&key_name, key).await?;
        }
        if let Err(err) = self.store.insert_endpoint(&record).await {
            let _ = self.secrets.delete(&key_name).await;
            return Err(err.into());
        }
        tracing::info!(id = %record.endpoint.id, url = %record.endpoint.base_url, "chat endpoint added");
        Ok(record.endpoint)
    }

    pub async fn remove_endpoint(&self, id: &str) -> Result<(), ChatError> {
        if !self.store.delete_endpoint(id).await? {
            return Err(ChatError::EndpointNotFound(id.to_string()));
        }
        if let Err(err) = self.secrets.delete(&endpoint_key_name(id)).await {
            tracing::warn!(%id, %err, "the endpoint is removed, but its key could not be deleted from the secret store");
        }
        Ok(())
    }

    /// The model names an endpoint offers (`GET /models`), to pick one.
    pub async fn endpoint_models(&self, id: &str) -> Result<Vec<String>, ChatError> {
        let record = self.endpoint_record(id).await?;
        let url = format!("{}/models", record.endpoint.base_url);
        let mut request = self.http.get(&url).timeout(CONNECT_TIMEOUT);
        if let Some(key) = &record.api_key {
            request = request.bearer_auth(key);
        }
        let connect = |e: reqwest::Error| ChatError::EndpointUnreachable {
            url: url.clone(),
            detail: e.to_string(),
        };
        let response = request.send().await.map_err(connect)?;
        let status = response.status();
        let cap = if status.is_success() {
            MAX_MODEL_LIST
        } else {
            super::upstream::MAX_ERROR_BODY
        };
        let body = super::upstream::read_capped(response, cap)
            .await
            .map_err(connect)?;
        if !status.is_success() {
            return Err(ChatError::Upstream {
                status: status.as_u16(),
                body: super::upstream::upstream_message(&body),
            });
        }
        let value: serde_json::Value = serde_json::from_str(&body)
            .map_err(|e| ChatError::BadChunk(format!("the model list is not JSON: {e}")))?;
        let ids = value["data"]
            .as_array()
            .map(|models| {
                models
                    .iter()
                    .filter_map(|m| m["id"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        Ok(ids)
    }

    pub(super) async fn endpoint_record(&self, id: &str) -> Result<EndpointRecord, ChatError> {
        let mut record = self
            .store
            .get_endpoint(id)
            .await?
            .ok_or_else(|| ChatError::EndpointNotFound(id.to_string()))?;
        if record.endpoint.has_api_key {
            record.api_key = self.secrets.get(&endpoint_key_name(id)).await?;
            if record.api_key.is_none() {
                tracing::warn!(
                    endpoint = %record.endpoint.name,
                    store = ?self.secrets.info().backend,
                    "the endpoint's API key is not in this secret store (was it saved by an app using the other store?); sending without it"
                );
            }
        }
        Ok(record)
    }

    pub async fn list_presets(&self) -> Result<Vec<ChatPreset>, ChatError> {
        Ok(self.store.list_presets().await?)
    }

    /// Saves a preset; one with the same name is replaced.
    pub async fn save_preset(&self, new: NewChatPreset) -> Result<ChatPreset, ChatError> {
        let name = new.name.trim();
        if name.is_empty() {
            return Err(ChatError::PresetNameMissing);
        }
        new.params.validate()?;
        let preset = ChatPreset {
            id: uuid::Uuid::new_v4().to_string(),
            name: name.to_string(),
            params: new.params,
            created_at: now_ms(),
        };
        Ok(self.store.upsert_preset(&preset).await?)
    }

    /// What unset conversation parameters fall back to, globally and per model.
    pub async fn defaults(&self) -> Result<ChatDefaults, ChatError> {
        Ok(self.store.chat_defaults().await?)
    }

    /// Replaces the defaults (validated like a conversation's parameters). Models that are not
    /// in the library are dropped.
    pub async fn set_defaults(
        &self,
        mut defaults: ChatDefaults,
    ) -> Result<ChatDefaults, ChatError> {
        defaults.validate()?;
        let models = self.library.list().await?;
        defaults
            .models
            .retain(|id, _| models.iter().any(|m| &m.id == id));
        // Writers of the defaults take turns: a model's removal also rewrites them.
        let _writing = self.defaults_writer.lock().await;
        self.store.set_chat_defaults(&defaults).await?;
        Ok(defaults)
    }

    /// Drops a removed model's defaults.
    pub async fn forget_model_defaults(&self, model_id: &str) -> Result<(), ChatError> {
        // Read-modify-write of one settings row: one writer at a time.
        let _writing = self.defaults_writer.lock().await;
        let mut defaults = self.store.chat_defaults().await?;
        if defaults.models.remove(model_id).is_some() {
            self.store.set_chat_defaults(&defaults).await?;
        }
        Ok(())
    }

    pub async fn delete_preset(&self, id: &str) -> Result<(), ChatError> {
        if !self.store.delete_preset(id).await? {
            return Err(ChatError::PresetNotFound(id.to_string()));
        }
        Ok(())
    }
}
