//! Conversations: create, list, read, change, delete, search and export.

use super::conversation_types::{
    Conversation, ConversationDetail, ConversationPatch, ExportFormat, ExportedConversation,
    NewConversation, SearchHit, StoredMessage,
};
use super::error::ChatError;
use super::export::export;
use super::import::{read_import, ImportReport, ImportRequest, ImportedChat};
use super::search::{fts_query, like_pattern, one_hit_per_conversation};
use super::service::ChatService;
use super::types::{ChatRole, ContextUsage};
use crate::time::now_ms;

const SEARCH_LIMIT: u32 = 50;
const TITLE_CHARS: usize = 60;
pub(super) const UNTITLED: &str = "New conversation";

impl ChatService {
    pub async fn create_conversation(
        &self,
        new: NewConversation,
    ) -> Result<Conversation, ChatError> {
        let params = new.params.unwrap_or_default();
        params.validate()?;
        let target_label = self.label(&new.target).await?;
        let title = new
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or(UNTITLED);
        let now = now_ms();
        let conversation = Conversation {
            id: uuid::Uuid::new_v4().to_string(),
            title: title.to_string(),
            target: new.target,
            target_label,
            params,
            pinned: false,
            created_at: now,
            updated_at: now,
        };
        self.store.insert_conversation(&conversation).await?;
        if new.title.is_some() {
            self.store
                .update_conversation(&conversation, Some(true))
                .await?;
        }
        Ok(conversation)
    }

    /// Saves the conversations of an exported file (llmops, Open WebUI or LM Studio) as new
    /// conversations, each completely or not at all. They answer with `request.target`, except
    /// a llmops export whose own model or endpoint still exists.
    pub async fn import_conversations(
        &self,
        request: ImportRequest,
    ) -> Result<ImportReport, ChatError> {
        let (format, chats) = read_import(&request.content)?;
        // Refused before anything is saved: a file is imported completely or not at all.
        for (i, chat) in chats.iter().enumerate() {
            chat.params
                .validate()
                .map_err(|e| ChatError::ImportInvalid(format!("conversation {}: {e}", i + 1)))?;
        }
        let fallback_label = self.label(&request.target).await?;
        let mut imported = Vec::with_capacity(chats.len());
        let mut skipped = 0;
        for chat in chats {
            if chat.messages.is_empty() {
                skipped += 1;
                continue;
            }
            let own = match &chat.target {
                Some(target) => self.label(target).await.ok().map(|l| (target.clone(), l)),
                None => None,
            };
            let (target, target_label) =
                own.unwrap_or_else(|| (request.target.clone(), fallback_label.clone()));
            imported.push(self.save_imported(chat, target, target_label).await?);
        }
        tracing::info!(
            ?format,
            imported = imported.len(),
            skipped,
            "conversations imported"
        );
        Ok(ImportReport {
            format,
            imported,
            skipped,
        })
    }

    async fn save_imported(
        &self,
        chat: ImportedChat,
        target: super::ChatTarget,
        target_label: String,
    ) -> Result<Conversation, ChatError> {
        let now = now_ms();
        let id = uuid::Uuid::new_v4().to_string();
        let created_at = chat.created_at.unwrap_or(now);
        let mut last_user: Option<String> = None;
        let messages: Vec<StoredMessage> = chat
            .messages
            .into_iter()
            .map(|m| {
                let message_id = uuid::Uuid::new_v4().to_string();
                let answers = match m.role {
                    ChatRole::Assistant => last_user.clone(),
                    _ => {
                        last_user = Some(message_id.clone());
                        None
                    }
                };
                let at = m.created_at.unwrap_or(created_at);
                StoredMessage {
                    id: message_id,
                    conversation_id: id.clone(),
                    role: m.role,
                    content: m.content,
                    reasoning: m.reasoning,
                    status: m.status,
                    error: None,
                    stats: m.stats,
                    created_at: at,
                    updated_at: at,
                    answers,
                    version: 1,
                    versions: 1,
                }
            })
            .collect();
        let title_set = chat.title.as_deref().is_some_and(|t| !t.trim().is_empty());
        let title = match chat
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            Some(title) => title.chars().take(200).collect(),
            None => messages
                .iter()
                .find(|m| m.role == ChatRole::User)
                .map(|m| title_from(&m.content))
                .unwrap_or_else(|| UNTITLED.to_string()),
        };
        let updated_at = messages.last().map_or(created_at, |m| m.created_at);
        let conversation = Conversation {
            id,
            title,
            target,
            target_label,
            params: chat.params,
            pinned: chat.pinned,
            created_at,
            updated_at: updated_at.max(created_at),
        };
        self.store
            .insert_imported_conversation(&conversation, title_set, &messages)
            .await?;
        Ok(conversation)
    }

    pub async fn list_conversations(&self) -> Result<Vec<Conversation>, ChatError> {
        Ok(self.store.list_conversations().await?)
    }

    pub async fn conversation(&self, id: &str) -> Result<ConversationDetail, ChatError> {
        let conversation = self.conversation_row(id).await?;
        let (messages, defaults) =
            tokio::join!(self.store.list_messages(id), self.store.chat_defaults());
        let messages = messages?;
        let context_size = self.context_size(&conversation.target).await;
        Ok(ConversationDetail {
            context: ContextUsage::of(&messages, context_size),
            defaults: defaults?.for_target(&conversation.target),
            conversation,
            messages,
        })
    }

    pub(super) async fn conversation_row(&self, id: &str) -> Result<Conversation, ChatError> {
        self.store
            .get_conversation(id)
            .await?
            .ok_or_else(|| ChatError::ConversationNotFound(id.to_string()))
    }

    /// Renames, pins, changes parameters or target. A typed title is never replaced by the
    /// automatic one.
    pub async fn update_conversation(
        &self,
        id: &str,
        patch: ConversationPatch,
    ) -> Result<Conversation, ChatError> {
        let mut conversation = self.conversation_row(id).await?;
        let mut title_set = None;
        if let Some(title) = patch.title {
            let title = title.trim();
            if !title.is_empty() {
                conversation.title = title.chars().take(200).collect();
                title_set = Some(true);
            }
        }
        if let Some(pinned) = patch.pinned {
            conversation.pinned = pinned;
        }
        if let Some(params) = patch.params {
            params.validate()?;
            conversation.params = params;
        }
        if let Some(target) = patch.target {
            conversation.target_label = self.label(&target).await?;
            conversation.target = target;
        }
        conversation.updated_at = now_ms();
        self.store
            .update_conversation(&conversation, title_set)
            .await?;
        Ok(conversation)
    }

    pub async fn delete_conversation(&self, id: &str) -> Result<(), ChatError> {
        if self.is_busy(id) {
            return Err(ChatError::Busy);
        }
        if !self.store.delete_conversation(id).await? {
            return Err(ChatError::ConversationNotFound(id.to_string()));
        }
        Ok(())
    }

    /// Deletes a message; it can be restored until the conversation's next turn. Deleting an
    /// answer with other versions shows the newest of them.
    pub async fn delete_message(
        &self,
        conversation_id: &str,
        message_id: &str,
    ) -> Result<(), ChatError> {
        if self.is_busy(conversation_id) {
            return Err(ChatError::Busy);
        }
        if !self
            .store
            .delete_message(conversation_id, message_id)
            .await?
        {
            return Err(ChatError::MessageNotFound(message_id.to_string()));
        }
        Ok(())
    }

    /// Undoes [`ChatService::delete_message`] (until the conversation's next turn).
    pub async fn restore_message(
        &self,
        conversation_id: &str,
        message_id: &str,
    ) -> Result<ConversationDetail, ChatError> {
        if self.is_busy(conversation_id) {
            return Err(ChatError::Busy);
        }
        if !self
            .store
            .restore_message(conversation_id, message_id)
            .await?
        {
            return Err(ChatError::NothingToRestore(message_id.to_string()));
        }
        self.conversation(conversation_id).await
    }

    /// Shows another version of an answer (`version` from 1 to its `versions`).
    pub async fn show_answer_version(
        &self,
        conversation_id: &str,
        message_id: &str,
        version: u32,
    ) -> Result<ConversationDetail, ChatError> {
        if self.is_busy(conversation_id) {
            return Err(ChatError::Busy);
        }
        if !self
            .store
            .show_answer_version(conversation_id, message_id, version)
            .await?
        {
            return Err(ChatError::NoSuchVersion(version));
        }
        self.conversation(conversation_id).await
    }

    /// Messages containing every word (as a prefix), and titles containing the text; newest
    /// conversations first.
    pub async fn search(&self, text: &str) -> Result<Vec<SearchHit>, ChatError> {
        let Some(query) = fts_query(text) else {
            return Ok(Vec::new());
        };
        let hits = self
            .store
            .search_chat(&query, &like_pattern(text), SEARCH_LIMIT)
            .await?;
        Ok(one_hit_per_conversation(hits, text))
    }

    pub async fn export(
        &self,
        id: &str,
        format: ExportFormat,
    ) -> Result<ExportedConversation, ChatError> {
        Ok(export(&self.conversation(id).await?, format))
    }

    pub(super) fn is_busy(&self, id: &str) -> bool {
        self.busy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(id)
    }
}

/// A title from the first user message: its first line, shortened at a word.
pub(super) fn title_from(message: &str) -> String {
    let line = message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or(UNTITLED);
    if line.chars().count() <= TITLE_CHARS {
        return line.to_string();
    }
    let cut: String = line.chars().take(TITLE_CHARS).collect();
    let at_word = cut
        .rsplit_once(' ')
        .map(|(head, _)| head)
        .filter(|h| h.len() > 20);
    format!("{}…", at_word.unwrap_or(&cut).trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_come_from_the_first_line_shortened_at_a_word() {
        assert_eq!(title_from("\n  Hello there \nsecond"), "Hello there");
        let long =
            "Explain how the borrow checker in Rust decides which references may live how long";
        let title = title_from(long);
        assert!(title.ends_with('…'));
        assert!(title.chars().count() <= TITLE_CHARS + 1);
        assert!(long.starts_with(title.trim_end_matches('…')));
        assert_eq!(title_from("   "), UNTITLED);
    }
}
