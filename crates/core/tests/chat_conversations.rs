//! Conversations against a real `llama-server` and the starter model: a saved streamed answer,
//! regenerate, edit and resend, stop (the engine really stops), the engine killed mid-answer,
//! search, and everything still there after the core is reopened.

mod common;

use std::time::{Duration, Instant};

use llmops_core::chat::{
    ChatParams, ChatStreamEvent, ChatTarget, ContextUsage, Conversation, ConversationDetail,
    MessageStatus, NewConversation, StoredMessage, TurnRequest,
};
use llmops_core::supervisor::InstanceInfo;
use llmops_core::Core;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use common::{core_in, real_parts, start_running};

/// What one turn streamed.
#[derive(Default)]
struct Turn {
    started: Option<(Option<StoredMessage>, StoredMessage)>,
    /// The conversation that `started` carried.
    conversation: Option<Conversation>,
    text: String,
    deltas: usize,
    last: Option<ChatStreamEvent>,
}

async fn collect(mut events: mpsc::Receiver<ChatStreamEvent>) -> Turn {
    let mut turn = Turn::default();
    while let Some(event) = events.recv().await {
        match event {
            ChatStreamEvent::Started {
                user_message,
                assistant_message,
                conversation,
            } => {
                turn.started = Some((user_message.map(|m| *m), *assistant_message));
                turn.conversation = Some(*conversation);
            }
            ChatStreamEvent::Delta { content } => {
                turn.text.push_str(&content);
                turn.deltas += 1;
            }
            ChatStreamEvent::Reasoning { .. } => {}
            last => {
                turn.last = Some(last);
                break;
            }
        }
    }
    turn
}

/// Receives until `n` deltas arrived, returning the text so far and the rest of the stream.
async fn until_deltas(events: &mut mpsc::Receiver<ChatStreamEvent>, n: usize) -> String {
    let mut text = String::new();
    let mut seen = 0;
    while seen < n {
        match events.recv().await.expect("the stream goes on") {
            ChatStreamEvent::Delta { content } => {
                text.push_str(&content);
                seen += 1;
            }
            ChatStreamEvent::Error { error } => panic!("stream failed early: {error:?}"),
            ChatStreamEvent::Done { .. } => panic!("the answer ended after {seen} deltas"),
            _ => {}
        }
    }
    text
}

async fn running_starter(core: &Core) -> (String, InstanceInfo) {
    let starter = core
        .library
        .starter()
        .await
        .unwrap()
        .expect("starter model");
    let running = start_running(core, &starter.id, Duration::from_secs(120)).await;
    (starter.id, running)
}

fn short_answers() -> ChatParams {
    ChatParams {
        temperature: Some(0.0),
        max_tokens: Some(24),
        system_prompt: Some("You answer briefly.".into()),
        ..Default::default()
    }
}

async fn detail(core: &Core, id: &str) -> ConversationDetail {
    core.chat.conversation(id).await.unwrap()
}

/// Whether any slot of the engine is still generating (llama.cpp `GET /slots`).
/// The engine requires its per-instance key, which only the core holds.
async fn engine_busy(core: &Core, instance: &InstanceInfo) -> bool {
    let url = format!("http://127.0.0.1:{}/slots", instance.port);
    let key = core
        .supervisor
        .engine_key(&instance.id)
        .expect("an engine key");
    let slots: serde_json::Value = reqwest::Client::new()
        .get(url)
        .bearer_auth(key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    slots
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["is_processing"] == true)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_is_saved_as_it_streams_and_survives_a_restart() {
    let Some(_) = real_parts() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let (model_id, instance) = running_starter(&core).await;
    let conversation = core
        .chat
        .create_conversation(NewConversation {
            target: ChatTarget::Model { model_id },
            title: None,
            params: Some(short_answers()),
        })
        .await
        .unwrap();
    let id = conversation.id.clone();

    // Send: the answer streams and is saved whole, with its statistics; the title comes from it.
    let events = core
        .chat
        .turn(&id, send("Name three colours."), CancellationToken::new())
        .await
        .unwrap();
    let turn = collect(events).await;
    let (user, answer) = turn.started.expect("started comes first");
    assert_eq!(user.unwrap().content, "Name three colours.");
    assert_eq!(answer.status, MessageStatus::Streaming);
    assert!(turn.deltas >= 3, "several deltas, got {}", turn.deltas);
    let Some(ChatStreamEvent::Done {
        stats,
        conversation: done_conversation,
        context: done_context,
        ..
    }) = turn.last
    else {
        panic!("expected done, got {:?}", turn.last)
    };
    assert!(stats.ttft_ms.is_some() && stats.completion_tokens.unwrap() > 0);
    let saved = detail(&core, &id).await;
    assert_eq!(saved.conversation.title, "Name three colours.");
    // Started and done carry the conversation as saved: the UI reads nothing again.
    assert_eq!(turn.conversation.as_ref(), Some(&saved.conversation));
    assert_eq!(done_conversation.as_deref(), Some(&saved.conversation));
    assert_eq!(saved.messages.len(), 2);
    let first_answer = &saved.messages[1];
    assert_eq!(first_answer.id, answer.id);
    assert_eq!(first_answer.status, MessageStatus::Complete);
    assert_eq!(
        first_answer.content, turn.text,
        "saved text is what streamed"
    );
    assert_eq!(first_answer.stats.as_ref(), Some(&stats));
    // How full the context is: the engine's prompt and completion tokens of the 2048.
    let context = saved
        .context
        .expect("a library model's context size is known");
    assert_eq!(context.context_size, 2048);
    assert_eq!(Some(context.used_tokens), ContextUsage::used_after(&stats));
    assert!(context.used_tokens > 0 && !context.near_limit);
    assert_eq!(done_context, Some(context));

    // Regenerate: a new answer is shown, and the first one stays as version 1 of 2.
    let turn = collect(
        core.chat
            .turn(&id, TurnRequest::Regenerate, CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    assert!(matches!(turn.last, Some(ChatStreamEvent::Done { .. })));
    let (_, started_answer) = turn.started.clone().unwrap();
    assert_eq!((started_answer.version, started_answer.versions), (2, 2));
    let saved = detail(&core, &id).await;
    assert_eq!(saved.messages.len(), 2);
    let second_answer = saved.messages[1].clone();
    assert_ne!(second_answer.id, first_answer.id);
    assert_eq!(second_answer.content, turn.text);
    assert_eq!((second_answer.version, second_answer.versions), (2, 2));
    assert_eq!(second_answer.answers.as_ref(), Some(&saved.messages[0].id));
    let shown = |d: &ConversationDetail| {
        let m = &d.messages[1];
        (m.id.clone(), m.version, m.versions)
    };
    let back = core
        .chat
        .show_answer_version(&id, &second_answer.id, 1)
        .await
        .unwrap();
    assert_eq!(shown(&back), (first_answer.id.clone(), 1, 2));
    assert_eq!(back.messages[1].content, first_answer.content);
    let err = core
        .chat
        .show_answer_version(&id, &first_answer.id, 3)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "answer_version_not_found");
    core.chat
        .show_answer_version(&id, &first_answer.id, 2)
        .await
        .unwrap();

    // Deleting the shown answer shows the other version; undo brings it back as it was.
    core.chat
        .delete_message(&id, &second_answer.id)
        .await
        .unwrap();
    assert_eq!(
        shown(&detail(&core, &id).await),
        (first_answer.id.clone(), 1, 1)
    );
    // Deleting it again changes nothing (it is not shown): no other version comes into view.
    let again = core
        .chat
        .delete_message(&id, &second_answer.id)
        .await
        .unwrap_err();
    assert_eq!(code(&again), "message_not_found");
    assert_eq!(
        shown(&detail(&core, &id).await),
        (first_answer.id.clone(), 1, 1)
    );
    let restored = core
        .chat
        .restore_message(&id, &second_answer.id)
        .await
        .unwrap();
    assert_eq!(shown(&restored), (second_answer.id.clone(), 2, 2));
    // A deleted message is not sent again, and a new turn ends its undo.
    core.chat
        .delete_message(&id, &second_answer.id)
        .await
        .unwrap();
    let saved = detail(&core, &id).await;

    // Edit and resend: the user message changes in place, the old answer goes.
    let edit = TurnRequest::Edit {
        message_id: saved.messages[0].id.clone(),
        content: "Name two animals.".into(),
    };
    let turn = collect(
        core.chat
            .turn(&id, edit, CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    assert!(matches!(turn.last, Some(ChatStreamEvent::Done { .. })));
    let saved = detail(&core, &id).await;
    assert_eq!(saved.messages.len(), 2);
    assert_eq!(saved.messages[0].content, "Name two animals.");
    assert_eq!(saved.messages[1].content, turn.text);
    assert_eq!(
        (saved.messages[1].version, saved.messages[1].versions),
        (1, 1)
    );
    let err = core
        .chat
        .restore_message(&id, &second_answer.id)
        .await
        .unwrap_err();
    assert_eq!(code(&err), "message_not_restorable");

    // Stop mid-answer: the partial answer is kept as stopped and the engine stops generating.
    let long = ChatParams {
        max_tokens: Some(2000),
        ..short_answers()
    };
    core.chat
        .update_conversation(&id, params_patch(long))
        .await
        .unwrap();
    let cancel = CancellationToken::new();
    let mut events = core
        .chat
        .turn(
            &id,
            send("Write a very long story about the sea."),
            cancel.clone(),
        )
        .await
        .unwrap();
    let partial = until_deltas(&mut events, 5).await;
    assert!(
        engine_busy(&core, &instance).await,
        "the engine is generating"
    );
    cancel.cancel();
    let turn = collect(events).await;
    let Some(ChatStreamEvent::Done { finish_reason, .. }) = &turn.last else {
        panic!("a stopped answer ends with done, got {:?}", turn.last)
    };
    assert_eq!(finish_reason.as_deref(), Some("cancelled"));
    let deadline = Instant::now() + Duration::from_secs(2);
    while engine_busy(&core, &instance).await {
        assert!(
            Instant::now() < deadline,
            "the engine still generates after stop"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let saved = detail(&core, &id).await;
    let stopped = saved.messages.last().unwrap();
    assert_eq!(stopped.status, MessageStatus::Stopped);
    assert!(
        stopped.content.starts_with(&partial),
        "the text so far is kept"
    );

    // One answer at a time per conversation.
    let cancel = CancellationToken::new();
    let mut events = core
        .chat
        .turn(&id, send("Another long story, please."), cancel.clone())
        .await
        .unwrap();
    until_deltas(&mut events, 1).await;
    let busy = core
        .chat
        .turn(&id, send("and this?"), CancellationToken::new())
        .await;
    assert_eq!(busy.err().map(|e| code(&e)), Some("conversation_busy"));
    cancel.cancel();
    collect(events).await;

    // Search finds it by a word of an answer and of a question.
    let hits = core.chat.search("animals").await.unwrap();
    assert_eq!(
        hits.iter().filter(|h| h.conversation_id == id).count(),
        1,
        "the title and the message match: one hit for the conversation, {hits:?}"
    );
    assert!(core.chat.search("zzyzx-nothing").await.unwrap().is_empty());

    // Reopening the core (an app restart) keeps everything.
    let before = detail(&core, &id).await;
    core.supervisor.stop_all().await;
    drop(core);
    let core = core_in(&dir, |_| {}).await;
    let after = detail(&core, &id).await;
    assert_eq!(after, before);
    assert_eq!(core.chat.list_conversations().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_engine_killed_mid_answer_leaves_the_partial_answer_marked_failed() {
    let Some(_) = real_parts() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let (model_id, instance) = running_starter(&core).await;
    let params = ChatParams {
        max_tokens: Some(2000),
        ..short_answers()
    };
    let conversation = core
        .chat
        .create_conversation(NewConversation {
            target: ChatTarget::Model { model_id },
            title: Some("Kill test".into()),
            params: Some(params),
        })
        .await
        .unwrap();
    let mut events = core
        .chat
        .turn(
            &conversation.id,
            send("Write a very long story about mountains."),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let partial = until_deltas(&mut events, 5).await;
    let pid = nix::unistd::Pid::from_raw(instance.pid.unwrap() as i32);
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGKILL).unwrap();
    let turn = collect(events).await;
    let Some(ChatStreamEvent::Error { error }) = &turn.last else {
        panic!(
            "a killed engine ends the stream with an error, got {:?}",
            turn.last
        )
    };
    assert_eq!(error.code, "stream_broken", "{error:?}");
    let saved = detail(&core, &conversation.id).await;
    assert_eq!(saved.conversation.title, "Kill test", "a typed title stays");
    let answer = saved.messages.last().unwrap();
    assert_eq!(answer.status, MessageStatus::Failed);
    assert_eq!(
        answer.error.as_ref().map(|e| e.code.as_str()),
        Some("stream_broken")
    );
    assert!(answer.content.starts_with(&partial) && !partial.is_empty());

    // With the model gone, a new turn is refused up front and changes nothing.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !core
        .supervisor
        .get(&instance.id)
        .unwrap()
        .state
        .is_terminal()
    {
        assert!(Instant::now() < deadline, "the killed engine is noticed");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refused = core
        .chat
        .turn(&conversation.id, send("hello?"), CancellationToken::new())
        .await;
    assert_eq!(refused.err().map(|e| code(&e)), Some("model_not_running"));
    assert_eq!(detail(&core, &conversation.id).await, saved);
}

fn send(content: &str) -> TurnRequest {
    TurnRequest::Send {
        content: content.into(),
    }
}

fn params_patch(params: ChatParams) -> llmops_core::chat::ConversationPatch {
    llmops_core::chat::ConversationPatch {
        params: Some(params),
        ..Default::default()
    }
}

fn code(err: &llmops_core::chat::ChatError) -> &'static str {
    use llmops_core::error::CodedError;
    err.code()
}

/// A chat longer than the engine's context: llama.cpp refuses a prompt past it, so without a
/// window every further turn of such a chat would fail. The oldest messages are left out of
/// what is sent, and the conversation keeps them all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_chat_longer_than_the_context_still_gets_answers() {
    use llmops_core::chat::ImportRequest;
    let Some(_) = real_parts() else { return };
    let dir = tempfile::tempdir().unwrap();
    let core = core_in(&dir, |_| {}).await;
    let (model_id, instance) = running_starter(&core).await;
    assert_eq!(instance.context_size, 2048);
    // Twelve earlier messages of about 300 tokens each: twice the context.
    let paragraph =
        "The lighthouse keeper climbed the stairs every evening to light the lamp. ".repeat(20);
    let earlier: Vec<serde_json::Value> = (0..12)
        .map(|i| {
            let role = if i % 2 == 0 { "user" } else { "assistant" };
            serde_json::json!({ "role": role, "content": format!("{i}. {paragraph}") })
        })
        .collect();
    let file = serde_json::json!({
        "format": "llmops.conversation.v1",
        "conversation": { "title": "A long chat", "params": short_answers() },
        "messages": earlier,
    });
    let report = core
        .chat
        .import_conversations(ImportRequest {
            content: file.to_string(),
            target: ChatTarget::Model { model_id },
        })
        .await
        .unwrap();
    let id = report.imported[0].id.clone();

    let turn = collect(
        core.chat
            .turn(&id, send("Name three colours."), CancellationToken::new())
            .await
            .unwrap(),
    )
    .await;
    let Some(ChatStreamEvent::Done { stats, .. }) = turn.last else {
        panic!("expected an answer, got {:?}", turn.last)
    };
    assert!(!turn.text.is_empty());
    let prompt = stats.prompt_tokens.expect("llama.cpp reports the prompt");
    // What was sent fits the context with room for the answer; older turns were left out.
    assert!(
        prompt + 24 <= 2048 && prompt > 300,
        "prompt of {prompt} tokens"
    );
    let saved = detail(&core, &id).await;
    assert_eq!(
        saved.messages.len(),
        14,
        "the conversation keeps every message"
    );
    assert_eq!(saved.messages[13].status, MessageStatus::Complete);
}
