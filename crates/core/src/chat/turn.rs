//! One turn of a conversation: save the user's message (sent, edited, or the last one again),
//! stream the answer from the conversation's target, and save the answer as it arrives.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::conversation_types::{Conversation, MessageStatus, StoredMessage, TurnRequest};
use super::conversations::title_from;
use super::error::ChatError;
use super::params::ChatParams;
use super::service::ChatService;
use super::store::AnswerText;
use super::types::{ChatMessage, ChatRole, ChatStreamEvent, ContextUsage};
use super::upstream;
use crate::error::{CodedError, ErrorBody};
use crate::store::Store;
use crate::time::now_ms;

/// How often a streaming answer is saved: what a crash can lose at most.
const SAVE_EVERY: Duration = Duration::from_millis(250);
const CHANNEL_CAPACITY: usize = 256;

impl ChatService {
    /// Applies the turn to the saved conversation and streams the answer: first
    /// [`ChatStreamEvent::Started`] with the saved messages, then deltas, then one `done` or
    /// `error` once the answer's final state is saved. Errors returned here (unknown
    /// conversation, empty message, target not running, another answer streaming) change
    /// nothing; failures of the engine become a failed answer in the conversation.
    pub async fn turn(
        &self,
        conversation_id: &str,
        request: TurnRequest,
        cancel: CancellationToken,
    ) -> Result<mpsc::Receiver<ChatStreamEvent>, ChatError> {
        let (conversation, messages, title_set, defaults) = tokio::join!(
            self.conversation_row(conversation_id),
            self.store.list_messages(conversation_id),
            self.store.conversation_title_set(conversation_id),
            self.store.chat_defaults()
        );
        let (conversation, mut messages, title_set) = (conversation?, messages?, title_set?);
        let params = conversation
            .params
            .over(&defaults?.for_target(&conversation.target));
        let busy = BusyGuard::claim(&self.busy, conversation_id)?;
        let (target, label) = self.resolve(&conversation.target).await?;
        let (user_message, changes) = Self::apply(&mut messages, conversation_id, request)?;
        let answer = new_answer(conversation_id, &messages, &changes);
        let conversation = retitled(conversation, &messages, label, title_set);

        let context_size = self.context_size(&conversation.target).await;
        let history = history(&params, &messages, context_size);
        let body = upstream::request_body(&target, &history, &params);
        // The UI shows both messages at once, before the engine answers anything.
        let (sender, receiver) = mpsc::channel(CHANNEL_CAPACITY);
        let started = ChatStreamEvent::Started {
            user_message: user_message.map(Box::new),
            assistant_message: Box::new(answer.clone()),
            conversation: Box::new(conversation.clone()),
        };
        let _ = sender.try_send(started);
        // The engine needs nothing of these writes: make them while it reads the prompt, not
        // before the request (they would add to the time to first token). If they fail, the
        // request is dropped and nothing streams.
        let save = async {
            // A new turn ends the undo of deleted messages.
            self.store.purge_deleted_messages(conversation_id).await?;
            self.commit(conversation_id, changes).await?;
            self.store.update_conversation(&conversation, None).await?;
            self.store.insert_message(&answer).await?;
            Ok::<(), ChatError>(())
        };
        let (saved, opened) = tokio::join!(save, upstream::open(&self.http, &target, body, cancel));
        // Dropping an opened stream closes the engine's connection.
        saved?;

        let recorder = Recorder {
            context_size,
            store: self.store.clone(),
            conversation,
            answer,
            sender,
            busy: Some(busy),
        };
        match opened {
            Ok(events) => {
                tokio::spawn(recorder.record(events));
            }
            Err(err) => recorder.fail_at_once(err).await,
        }
        Ok(receiver)
    }

    /// Applies the turn to the messages in memory; returns the user message sent or edited and
    /// the writes that make it so in the store.
    fn apply(
        messages: &mut Vec<StoredMessage>,
        conversation_id: &str,
        request: TurnRequest,
    ) -> Result<(Option<StoredMessage>, Changes), ChatError> {
        match request {
            TurnRequest::Send { content } => {
                let content = non_empty(&content)?;
                let message = new_message(
                    conversation_id,
                    ChatRole::User,
                    content,
                    MessageStatus::Complete,
                );
                messages.push(message.clone());
                Ok((Some(message.clone()), Changes::Append(message)))
            }
            TurnRequest::Regenerate => {
                let last_user = messages
                    .iter()
                    .rposition(|m| m.role == ChatRole::User)
                    .ok_or(ChatError::NothingToRegenerate)?;
                let earlier_versions = messages[last_user + 1..]
                    .iter()
                    .filter(|m| m.role == ChatRole::Assistant)
                    .map(|m| m.versions)
                    .max()
                    .unwrap_or(0);
                messages.truncate(last_user + 1);
                let answered = messages[last_user].id.clone();
                Ok((
                    None,
                    Changes::Supersede {
                        answered,
                        earlier_versions,
                    },
                ))
            }
            TurnRequest::Edit {
                message_id,
                content,
            } => {
                let content = non_empty(&content)?;
                let at = messages
                    .iter()
                    .position(|m| m.id == message_id)
                    .ok_or_else(|| ChatError::MessageNotFound(message_id.clone()))?;
                if messages[at].role != ChatRole::User {
                    return Err(ChatError::NotAUserMessage);
                }
                messages.truncate(at + 1);
                let edited = &mut messages[at];
                edited.content = content.to_string();
                edited.updated_at = now_ms();
                Ok((Some(edited.clone()), Changes::Replace(edited.clone())))
            }
        }
    }

    /// Writes what [`ChatService::apply`] changed in memory.
    async fn commit(&self, conversation_id: &str, changes: Changes) -> Result<(), ChatError> {
        match changes {
            Changes::Append(message) => self.store.insert_message(&message).await?,
            Changes::Supersede { answered, .. } => {
                self.store
                    .supersede_answers_after(conversation_id, &answered)
                    .await?;
            }
            Changes::Replace(message) => {
                self.store.finish_message(&message).await?;
                self.store
                    .delete_messages_after(conversation_id, &message.id)
                    .await?;
            }
        }
        Ok(())
    }
}

/// The conversation as a turn leaves it: the label current, `updated_at` now and, unless the user
/// typed a title, titled after its first message.
fn retitled(
    mut conversation: Conversation,
    messages: &[StoredMessage],
    label: String,
    title_set: bool,
) -> Conversation {
    if !title_set {
        if let Some(first) = messages.iter().find(|m| m.role == ChatRole::User) {
            conversation.title = title_from(&first.content);
        }
    }
    conversation.target_label = label;
    conversation.updated_at = now_ms();
    conversation
}

fn non_empty(content: &str) -> Result<&str, ChatError> {
    let content = content.trim();
    if content.is_empty() {
        return Err(ChatError::EmptyMessage);
    }
    Ok(content)
}

fn new_message(
    conversation_id: &str,
    role: ChatRole,
    content: &str,
    status: MessageStatus,
) -> StoredMessage {
    let now = now_ms();
    StoredMessage {
        id: uuid::Uuid::new_v4().to_string(),
        conversation_id: conversation_id.to_string(),
        role,
        content: content.to_string(),
        reasoning: String::new(),
        status,
        error: None,
        stats: None,
        created_at: now,
        updated_at: now,
        answers: None,
        version: 1,
        versions: 1,
    }
}

/// The answer a turn streams into: it answers the last user message, and after a regenerate it
/// is the newest of that answer's versions.
fn new_answer(
    conversation_id: &str,
    messages: &[StoredMessage],
    changes: &Changes,
) -> StoredMessage {
    let mut answer = new_message(
        conversation_id,
        ChatRole::Assistant,
        "",
        MessageStatus::Streaming,
    );
    answer.answers = messages
        .iter()
        .rfind(|m| m.role == ChatRole::User)
        .map(|m| m.id.clone());
    if let Changes::Supersede {
        earlier_versions, ..
    } = changes
    {
        answer.version = earlier_versions + 1;
        answer.versions = earlier_versions + 1;
    }
    answer
}

/// What the engine is sent: the system prompt, then the newest messages with text that fit
/// the context (a failed answer with nothing in it is left out). When the target's context size
/// is known, the oldest messages are left out until the rest, with room for the answer, fits:
/// an engine refuses a prompt longer than its context, and a chat that outgrew it would
/// otherwise fail at every turn. The last message is always sent.
fn history(
    params: &ChatParams,
    messages: &[StoredMessage],
    context_size: Option<u32>,
) -> Vec<ChatMessage> {
    let system = params.system().map(|s| ChatMessage {
        role: ChatRole::System,
        content: s.to_string(),
    });
    let with_text: Vec<&StoredMessage> = messages
        .iter()
        .filter(|m| !m.content.trim().is_empty())
        .collect();
    let first_sent = match context_size {
        Some(size) => {
            let budget = prompt_budget(size, params.max_tokens)
                .saturating_sub(system.as_ref().map_or(0, |s| estimated_tokens(&s.content)));
            first_in_window(&with_text, budget)
        }
        None => 0,
    };
    let turns = with_text[first_sent..].iter().map(|m| ChatMessage {
        role: m.role,
        content: m.content.clone(),
    });
    system.into_iter().chain(turns).collect()
}

/// The tokens the prompt may use: the context less room for the answer (its `max_tokens`,
/// at most half the context; a quarter when unset).
fn prompt_budget(context_size: u32, max_tokens: Option<u32>) -> u32 {
    let answer_room = max_tokens.unwrap_or(context_size / 4).min(context_size / 2);
    context_size - answer_room
}

/// Tokens the chat template adds around each message (role markers, separators).
const TEMPLATE_TOKENS_PER_MESSAGE: u32 = 8;

/// A message's tokens: the engine's count for an answer that has one, else an estimate that
/// errs high (a byte in three: about a token per CJK character, fewer for English).
fn estimated_tokens(content: &str) -> u32 {
    u32::try_from(content.len().div_ceil(3)).unwrap_or(u32::MAX)
}

fn message_tokens(message: &StoredMessage) -> u32 {
    let counted = message
        .stats
        .as_ref()
        .and_then(|s| s.completion_tokens)
        .filter(|_| message.role == ChatRole::Assistant);
    counted
        .unwrap_or_else(|| estimated_tokens(&message.content))
        .saturating_add(TEMPLATE_TOKENS_PER_MESSAGE)
}

/// The index of the oldest message sent: the newest messages whose tokens fit the budget,
/// starting at a user message (chat templates expect one first), and never past the last.
fn first_in_window(messages: &[&StoredMessage], budget: u32) -> usize {
    let Some(last) = messages.len().checked_sub(1) else {
        return 0;
    };
    let mut used = message_tokens(messages[last]);
    let mut first = last;
    while first > 0 {
        used = used.saturating_add(message_tokens(messages[first - 1]));
        if used > budget {
            break;
        }
        first -= 1;
    }
    while first < last && messages[first].role != ChatRole::User {
        first += 1;
    }
    first
}

/// What a turn writes before its answer.
enum Changes {
    /// A new user message.
    Append(StoredMessage),
    /// Regenerate: what follows the answered message becomes earlier versions of its answer.
    Supersede {
        answered: String,
        earlier_versions: u32,
    },
    /// Edit: the message's new text, and drop what follows it.
    Replace(StoredMessage),
}

/// Marks a conversation as having an answer in flight for as long as it lives.
struct BusyGuard {
    busy: Arc<Mutex<HashSet<String>>>,
    id: String,
}

impl BusyGuard {
    fn claim(busy: &Arc<Mutex<HashSet<String>>>, id: &str) -> Result<BusyGuard, ChatError> {
        let mut set = busy.lock().unwrap_or_else(|p| p.into_inner());
        if !set.insert(id.to_string()) {
            return Err(ChatError::Busy);
        }
        Ok(BusyGuard {
            busy: busy.clone(),
            id: id.to_string(),
        })
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.busy
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&self.id);
    }
}

/// Saves a streaming answer: periodically while it streams, and its final state at the end.
/// It drains the engine's stream even when the consumer has gone, so that the saved answer
/// is whole; stopping generation is the cancellation token's job.
struct Recorder {
    /// The context size the target runs with, for the usage that `done` reports.
    context_size: Option<u32>,
    store: Store,
    /// The conversation as the turn left it; the final `done` carries it.
    conversation: Conversation,
    answer: StoredMessage,
    sender: mpsc::Sender<ChatStreamEvent>,
    /// Released before the final event goes out, so that a client may start the next turn as
    /// soon as it sees this one end.
    busy: Option<BusyGuard>,
}

impl Recorder {
    async fn record(mut self, mut events: mpsc::Receiver<ChatStreamEvent>) {
        let mut save = tokio::time::interval(SAVE_EVERY);
        save.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut unsaved = false;
        loop {
            let event = tokio::select! {
                event = events.recv() => event,
                _ = save.tick(), if unsaved => {
                    unsaved = false;
                    self.save_progress().await;
                    continue;
                }
            };
            let Some(event) = event else {
                let error = ChatError::StreamBroken("the stream ended without an answer".into());
                return self
                    .finish(MessageStatus::Failed, Some(error.body()), None)
                    .await;
            };
            match &event {
                ChatStreamEvent::Delta { content } => {
                    self.answer.content.push_str(content);
                    unsaved = true;
                }
                ChatStreamEvent::Reasoning { content } => {
                    self.answer.reasoning.push_str(content);
                    unsaved = true;
                }
                ChatStreamEvent::Done {
                    finish_reason,
                    stats,
                    ..
                } => {
                    let status = if finish_reason.as_deref() == Some("cancelled") {
                        MessageStatus::Stopped
                    } else {
                        MessageStatus::Complete
                    };
                    self.answer.stats = Some(stats.clone());
                    self.finish(status, None, Some(event)).await;
                    return;
                }
                ChatStreamEvent::Error { error } => {
                    let error = error.clone();
                    self.finish(MessageStatus::Failed, Some(error), Some(event))
                        .await;
                    return;
                }
                ChatStreamEvent::Started { .. } => {}
            }
            let _ = self.sender.send(event).await;
        }
    }

    async fn save_progress(&self) {
        let text = AnswerText {
            content: &self.answer.content,
            reasoning: &self.answer.reasoning,
        };
        if let Err(err) = self
            .store
            .save_streaming_text(&self.answer.id, text, now_ms())
            .await
        {
            tracing::error!(%err, message = %self.answer.id, "could not save the streaming answer");
        }
    }

    /// Saves the final state, then tells the consumer (so that what it sees is already saved).
    async fn finish(
        mut self,
        status: MessageStatus,
        error: Option<ErrorBody>,
        last: Option<ChatStreamEvent>,
    ) {
        self.answer.status = status;
        self.answer.error = error.clone();
        self.answer.updated_at = now_ms();
        if let Err(err) = self.store.finish_message(&self.answer).await {
            tracing::error!(%err, message = %self.answer.id, "could not save the answer");
        }
        let mut last = last.or(error.map(|error| ChatStreamEvent::Error { error }));
        if let Some(ChatStreamEvent::Done {
            conversation,
            context,
            stats,
            ..
        }) = &mut last
        {
            *conversation = Some(Box::new(self.conversation.clone()));
            *context = self
                .context_size
                .zip(ContextUsage::used_after(stats))
                .map(|(size, used)| ContextUsage::new(used, size));
        }
        self.busy.take();
        if let Some(last) = last {
            let _ = self.sender.send(last).await;
        }
    }

    async fn fail_at_once(self, err: ChatError) {
        tracing::warn!(%err, "chat request failed before streaming");
        self.finish(MessageStatus::Failed, Some(err.body()), None)
            .await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::ChatParams;

    #[test]
    fn history_starts_with_the_system_prompt_and_skips_empty_failed_answers() {
        let params = ChatParams {
            system_prompt: Some("Be brief.".into()),
            ..Default::default()
        };
        let messages = [
            new_message("c", ChatRole::User, "hi", MessageStatus::Complete),
            new_message("c", ChatRole::Assistant, "", MessageStatus::Failed),
            new_message("c", ChatRole::User, "again", MessageStatus::Complete),
        ];
        let sent: Vec<_> = history(&params, &messages, None)
            .into_iter()
            .map(|m| (m.role, m.content))
            .collect();
        assert_eq!(
            sent,
            [
                (ChatRole::System, "Be brief.".to_string()),
                (ChatRole::User, "hi".to_string()),
                (ChatRole::User, "again".to_string()),
            ]
        );
    }

    fn answer_of(tokens: u32) -> StoredMessage {
        let mut answer = new_message("c", ChatRole::Assistant, "words", MessageStatus::Complete);
        answer.stats = Some(crate::chat::AnswerStats {
            completion_tokens: Some(tokens),
            ..Default::default()
        });
        answer
    }

    fn sent_contents(params: &ChatParams, messages: &[StoredMessage], size: u32) -> Vec<String> {
        history(params, messages, Some(size))
            .into_iter()
            .map(|m| m.content)
            .collect()
    }

    #[test]
    fn a_chat_that_outgrew_the_context_leaves_out_its_oldest_turns() {
        let params = ChatParams {
            system_prompt: Some("Be brief.".into()),
            max_tokens: Some(3000),
            ..Default::default()
        };
        let user = |text: &str| new_message("c", ChatRole::User, text, MessageStatus::Complete);
        // An answer that ran to the end of a 2048-token context, then a new question.
        let long = [
            user("Name three colours."),
            answer_of(2011),
            user("A story?"),
        ];
        assert_eq!(
            sent_contents(&params, &long, 2048),
            ["Be brief.", "A story?"]
        );
        // Short turns all fit.
        let short = [user("Hi"), answer_of(12), user("Again")];
        assert_eq!(
            sent_contents(&params, &short, 2048),
            ["Be brief.", "Hi", "words", "Again"]
        );
        // Where only the answer fits besides the last message, the window starts at a user
        // message: the answer without its question is left out too.
        let tight = [user("Hi"), answer_of(1000), user("Again")];
        assert_eq!(sent_contents(&params, &tight, 2048), ["Be brief.", "Again"]);
        // The last message goes even when it alone is too long: the engine says so.
        let huge = [user(&"word ".repeat(5000))];
        assert_eq!(sent_contents(&params, &huge, 2048).len(), 2);
        // Without a known context size (an external endpoint) everything is sent.
        assert_eq!(history(&params, &long, None).len(), 4);
    }

    #[test]
    fn one_answer_at_a_time_per_conversation() {
        let busy = Arc::default();
        let guard = BusyGuard::claim(&busy, "c").unwrap();
        assert!(matches!(BusyGuard::claim(&busy, "c"), Err(ChatError::Busy)));
        BusyGuard::claim(&busy, "other").unwrap();
        drop(guard);
        BusyGuard::claim(&busy, "c").unwrap();
    }
}
