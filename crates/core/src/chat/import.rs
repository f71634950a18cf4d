//! Reading conversations exported by llmops (its JSON export), Open WebUI (Settings → Chats →
//! Export, or a chat's "Export chat (.json)") and LM Studio (a `*.conversation.json` file of its
//! conversations folder). The format is recognised from the file's shape; each reader turns it
//! into [`ImportedChat`]s, which the chat service then saves as new conversations.
//!
//! What each format carries was read from its exports (see docs/CHAT.md, "Import"); only the
//! text of the shown branch is taken: Open WebUI's other branches and LM Studio's other versions,
//! attachments and tool steps are left out.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use super::conversation_types::{ChatTarget, MessageStatus};
use super::error::ChatError;
use super::params::ChatParams;
use super::types::{AnswerStats, ChatRole};

/// The largest file an import reads.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;
/// At most this many conversations per file.
pub const MAX_IMPORT_CONVERSATIONS: usize = 5000;
/// At most this many messages per conversation.
pub const MAX_IMPORT_MESSAGES: usize = 20_000;

/// `POST /api/conversations/import`: a file's text, and what its conversations continue with.
#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct ImportRequest {
    /// The whole file, as text (JSON).
    pub content: String,
    /// The model or endpoint imported conversations answer with. A llmops export keeps its own
    /// target when that model or endpoint still exists.
    pub target: ChatTarget,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportFormat {
    Llmops,
    OpenWebui,
    LmStudio,
}

/// What an import saved.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct ImportReport {
    pub format: ImportFormat,
    /// The new conversations, in the file's order.
    pub imported: Vec<super::Conversation>,
    /// Conversations of the file with no message to import (left out).
    pub skipped: u32,
}

/// One conversation read from a file, before it is saved.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportedChat {
    pub title: Option<String>,
    pub params: ChatParams,
    /// The target of a llmops export.
    pub target: Option<ChatTarget>,
    pub pinned: bool,
    /// Milliseconds since the epoch, when the file says.
    pub created_at: Option<i64>,
    pub messages: Vec<ImportedMessage>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ImportedMessage {
    pub role: ChatRole,
    pub content: String,
    pub reasoning: String,
    pub status: MessageStatus,
    pub stats: Option<AnswerStats>,
    pub created_at: Option<i64>,
}

impl ImportedMessage {
    fn text(role: ChatRole, content: String, created_at: Option<i64>) -> ImportedMessage {
        ImportedMessage {
            role,
            content,
            reasoning: String::new(),
            status: MessageStatus::Complete,
            stats: None,
            created_at,
        }
    }
}

/// Recognises the file and reads its conversations.
pub fn read_import(content: &str) -> Result<(ImportFormat, Vec<ImportedChat>), ChatError> {
    if content.len() > MAX_IMPORT_BYTES {
        return Err(ChatError::ImportTooLarge(MAX_IMPORT_BYTES / (1024 * 1024)));
    }
    let value: Value = serde_json::from_str(content)
        .map_err(|e| ChatError::ImportInvalid(format!("it is not JSON ({e})")))?;
    let items: Vec<&Value> = match &value {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let first = items.first().ok_or(ChatError::ImportEmpty)?;
    let (format, read): (ImportFormat, fn(&Value) -> Result<ImportedChat, String>) =
        if first.get("conversation").is_some() && first.get("messages").is_some() {
            (ImportFormat::Llmops, read_llmops)
        } else if first.get("chat").is_some() {
            (ImportFormat::OpenWebui, read_open_webui)
        } else if first
            .get("messages")
            .and_then(Value::as_array)
            .is_some_and(|m| m.iter().all(|m| m.get("versions").is_some()))
        {
            (ImportFormat::LmStudio, read_lm_studio)
        } else {
            return Err(ChatError::ImportUnrecognised);
        };
    if items.len() > MAX_IMPORT_CONVERSATIONS {
        return Err(ChatError::ImportInvalid(format!(
            "it has {} conversations; import at most {MAX_IMPORT_CONVERSATIONS} at a time",
            items.len()
        )));
    }
    let chats = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let chat = read(item)
                .map_err(|e| ChatError::ImportInvalid(format!("conversation {}: {e}", i + 1)))?;
            if chat.messages.len() > MAX_IMPORT_MESSAGES {
                return Err(ChatError::ImportInvalid(format!(
                    "conversation {} has more than {MAX_IMPORT_MESSAGES} messages",
                    i + 1
                )));
            }
            Ok(chat)
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok((format, chats))
}

fn text_field(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_string)
}

/// A llmops JSON export: `{conversation, messages}` (what `export_conversation` writes).
fn read_llmops(item: &Value) -> Result<ImportedChat, String> {
    let conversation = &item["conversation"];
    let params = match conversation.get("params") {
        Some(p) => serde_json::from_value(p.clone()).map_err(|e| format!("its params: {e}"))?,
        None => ChatParams::default(),
    };
    let target = conversation
        .get("target")
        .and_then(|t| serde_json::from_value(t.clone()).ok());
    let messages = item["messages"]
        .as_array()
        .ok_or("its messages are not a list")?
        .iter()
        .filter_map(|m| {
            let role = ChatRole::parse(m.get("role")?.as_str()?)?;
            let status = m
                .get("status")
                .and_then(Value::as_str)
                .and_then(MessageStatus::parse)
                .filter(|s| *s != MessageStatus::Streaming)
                .unwrap_or(MessageStatus::Complete);
            Some(ImportedMessage {
                role,
                content: text_field(m, "content").unwrap_or_default(),
                reasoning: text_field(m, "reasoning").unwrap_or_default(),
                status,
                stats: m
                    .get("stats")
                    .and_then(|s| serde_json::from_value(s.clone()).ok()),
                created_at: m.get("created_at").and_then(Value::as_i64),
            })
        })
        .collect();
    Ok(ImportedChat {
        title: text_field(conversation, "title"),
        params,
        target,
        pinned: conversation
            .get("pinned")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        created_at: conversation.get("created_at").and_then(Value::as_i64),
        messages,
    })
}

/// Open WebUI: `{title, chat: {history: {messages: {id: {parentId, role, content, timestamp}},
/// currentId}, messages: [...]}, created_at}`, times in seconds. The shown branch is the chain
/// of parents from `currentId`; older exports have only the flat `messages` list.
fn read_open_webui(item: &Value) -> Result<ImportedChat, String> {
    let chat = &item["chat"];
    let history = &chat["history"];
    let mut chain: Vec<&Value> = Vec::new();
    if let (Some(all), Some(mut id)) = (
        history.get("messages").and_then(Value::as_object),
        history.get("currentId").and_then(Value::as_str),
    ) {
        while let Some(message) = all.get(id) {
            if chain.len() > MAX_IMPORT_MESSAGES {
                return Err("its message history loops or is too long".into());
            }
            chain.push(message);
            match message.get("parentId").and_then(Value::as_str) {
                Some(parent) => id = parent,
                None => break,
            }
        }
        chain.reverse();
    }
    if chain.is_empty() {
        chain = chat
            .get("messages")
            .and_then(Value::as_array)
            .map(|m| m.iter().collect())
            .unwrap_or_default();
    }
    let seconds = |v: Option<&Value>| v.and_then(Value::as_i64).map(|s| s * 1000);
    let (system, messages) = split_system(chain.into_iter().filter_map(|m| {
        let role = ChatRole::parse(m.get("role")?.as_str()?)?;
        let content = text_field(m, "content")?;
        Some(ImportedMessage::text(
            role,
            content,
            seconds(m.get("timestamp")),
        ))
    }));
    let system = system.or_else(|| {
        chat.get("system")
            .or_else(|| chat.get("params").and_then(|p| p.get("system")))
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    Ok(ImportedChat {
        title: text_field(item, "title").or_else(|| text_field(chat, "title")),
        params: ChatParams {
            system_prompt: system,
            ..Default::default()
        },
        target: None,
        pinned: item.get("pinned").and_then(Value::as_bool).unwrap_or(false),
        created_at: seconds(item.get("created_at")),
        messages,
    })
}

/// LM Studio: `{name, createdAt (ms), systemPrompt, messages: [{versions: [...],
/// currentlySelected}]}`; a version is `{role, content: [{type: "text", text}]}` or, for an
/// answer, `{type: "multiStep", role, steps: [{type: "contentBlock", content: [...]}]}`.
fn read_lm_studio(item: &Value) -> Result<ImportedChat, String> {
    let entries = item["messages"]
        .as_array()
        .ok_or("its messages are not a list")?;
    let (system, messages) = split_system(entries.iter().filter_map(|entry| {
        let versions = entry.get("versions")?.as_array()?;
        let selected = entry
            .get("currentlySelected")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        let version = versions.get(selected).or_else(|| versions.first())?;
        let role = ChatRole::parse(version.get("role")?.as_str()?)?;
        let text = match version.get("steps").and_then(Value::as_array) {
            Some(steps) => steps
                .iter()
                .filter(|s| s.get("type").and_then(Value::as_str) == Some("contentBlock"))
                .map(|s| lm_studio_text(&s["content"]))
                .collect::<Vec<_>>()
                .join("\n\n"),
            None => lm_studio_text(&version["content"]),
        };
        Some(ImportedMessage::text(role, text, None))
    }));
    let configured_prompt = item
        .get("perChatPredictionConfig")
        .and_then(|c| c.get("fields"))
        .and_then(Value::as_array)
        .and_then(|fields| {
            fields.iter().find(|f| {
                f.get("key").and_then(Value::as_str) == Some("llm.prediction.systemPrompt")
            })
        })
        .and_then(|f| text_field(f, "value"));
    Ok(ImportedChat {
        title: text_field(item, "name"),
        params: ChatParams {
            system_prompt: system
                .or(configured_prompt)
                .or_else(|| text_field(item, "systemPrompt")),
            ..Default::default()
        },
        target: None,
        pinned: item.get("pinned").and_then(Value::as_bool).unwrap_or(false),
        created_at: item.get("createdAt").and_then(Value::as_i64),
        messages,
    })
}

/// The text parts of an LM Studio content list (or a plain string).
fn lm_studio_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter(|p| p.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// Leading system messages become the system prompt; the rest are the conversation, without
/// empty user messages.
fn split_system(
    messages: impl Iterator<Item = ImportedMessage>,
) -> (Option<String>, Vec<ImportedMessage>) {
    let mut system: Vec<String> = Vec::new();
    let mut rest = Vec::new();
    for message in messages {
        match message.role {
            ChatRole::System if rest.is_empty() => system.push(message.content),
            ChatRole::System => {}
            _ if message.role == ChatRole::User && message.content.trim().is_empty() => {}
            _ => rest.push(message),
        }
    }
    let system = Some(system.join("\n\n")).filter(|s| !s.trim().is_empty());
    (system, rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roles(chat: &ImportedChat) -> Vec<(ChatRole, &str)> {
        chat.messages
            .iter()
            .map(|m| (m.role, m.content.as_str()))
            .collect()
    }

    #[test]
    fn reads_the_shown_branch_of_an_open_webui_export() {
        let file = serde_json::json!([{
            "id": "c1",
            "title": "Capitals",
            "created_at": 1_700_000_000,
            "chat": {
                "title": "Capitals",
                "system": "Be brief.",
                "history": {
                    "currentId": "a2",
                    "messages": {
                        "u1": {"id": "u1", "parentId": null, "role": "user", "content": "Capital of France?", "timestamp": 1_700_000_001},
                        "a1": {"id": "a1", "parentId": "u1", "role": "assistant", "content": "Lyon", "timestamp": 1_700_000_002},
                        "a2": {"id": "a2", "parentId": "u1", "role": "assistant", "content": "Paris", "timestamp": 1_700_000_003}
                    }
                },
                "messages": []
            }
        }]);
        let (format, chats) = read_import(&file.to_string()).unwrap();
        assert_eq!(format, ImportFormat::OpenWebui);
        let chat = &chats[0];
        assert_eq!(chat.title.as_deref(), Some("Capitals"));
        assert_eq!(chat.params.system_prompt.as_deref(), Some("Be brief."));
        assert_eq!(chat.created_at, Some(1_700_000_000_000));
        assert_eq!(
            roles(chat),
            [
                (ChatRole::User, "Capital of France?"),
                (ChatRole::Assistant, "Paris")
            ]
        );
        assert_eq!(chat.messages[1].created_at, Some(1_700_000_003_000));
    }

    #[test]
    fn reads_an_older_open_webui_export_with_only_a_message_list() {
        let file = serde_json::json!({"title": "Old", "chat": {"messages": [
            {"role": "system", "content": "Answer in German."},
            {"role": "user", "content": "Hi"},
            {"role": "assistant", "content": "Hallo"}
        ]}});
        let (_, chats) = read_import(&file.to_string()).unwrap();
        assert_eq!(
            chats[0].params.system_prompt.as_deref(),
            Some("Answer in German.")
        );
        assert_eq!(
            roles(&chats[0]),
            [(ChatRole::User, "Hi"), (ChatRole::Assistant, "Hallo")]
        );
    }

    #[test]
    fn reads_the_selected_versions_of_an_lm_studio_conversation() {
        let file = serde_json::json!({
            "name": "Haiku",
            "createdAt": 1_733_000_000_000i64,
            "systemPrompt": "",
            "perChatPredictionConfig": {"fields": [
                {"key": "llm.prediction.systemPrompt", "value": "You are a poet."}
            ]},
            "messages": [
                {"versions": [{"type": "singleStep", "role": "user", "content": [{"type": "text", "text": "A haiku, please"}]}], "currentlySelected": 0},
                {"versions": [
                    {"type": "multiStep", "role": "assistant", "steps": [{"type": "contentBlock", "content": [{"type": "text", "text": "first try"}]}]},
                    {"type": "multiStep", "role": "assistant", "steps": [
                        {"type": "contentBlock", "content": [{"type": "text", "text": "Old pond"}]},
                        {"type": "toolCallRequest"},
                        {"type": "contentBlock", "content": [{"type": "text", "text": "frog jumps in"}]}
                    ]}
                ], "currentlySelected": 1}
            ]
        });
        let (format, chats) = read_import(&file.to_string()).unwrap();
        assert_eq!(format, ImportFormat::LmStudio);
        assert_eq!(chats[0].title.as_deref(), Some("Haiku"));
        assert_eq!(
            chats[0].params.system_prompt.as_deref(),
            Some("You are a poet.")
        );
        assert_eq!(
            roles(&chats[0]),
            [
                (ChatRole::User, "A haiku, please"),
                (ChatRole::Assistant, "Old pond\n\nfrog jumps in")
            ]
        );
    }

    #[test]
    fn refuses_what_it_cannot_read_with_what_it_reads() {
        let code = |text: &str| crate::error::CodedError::code(&read_import(text).unwrap_err());
        assert_eq!(code("not json"), "import_invalid");
        assert_eq!(code("[]"), "import_empty");
        assert_eq!(code(r#"{"some": "thing"}"#), "import_unrecognised");
        assert_eq!(
            code(
                r#"[{"chat": {}}, {"chat": {"history": {"currentId": "x", "messages": {"x": {"parentId": "x", "role": "user", "content": "loop"}}}}}]"#
            ),
            "import_invalid"
        );
        let huge = " ".repeat(MAX_IMPORT_BYTES + 1);
        assert_eq!(code(&huge), "import_too_large");
    }
}
