//! The chat against a scripted OpenAI-compatible endpoint (an external endpoint as a user adds
//! one): the exact request, the API key, SSE edge cases, errors and a dropped connection
//! mid-stream, an HTTP error before streaming, and an answer cut off by a crash of the app
//! (kept up to the last periodic save, marked incomplete at the next start).

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use llmops_core::chat::{
    ChatParams, ChatStreamEvent, ChatTarget, MessageStatus, NewChatEndpoint, NewConversation,
    TurnRequest,
};
use llmops_core::Core;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

use common::core_in;

/// What the fake endpoint does with a request: write these pieces, pausing between them.
#[derive(Clone)]
enum Step {
    Write(String),
    Pause(Duration),
}

#[derive(Clone, Default)]
struct Fake {
    /// `(request line, headers, body)` of every request.
    seen: Arc<Mutex<Vec<(String, String, String)>>>,
    /// The response steps for `POST …/chat/completions`.
    script: Arc<Mutex<Vec<Step>>>,
}

impl Fake {
    async fn start() -> (Fake, String) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/v1", listener.local_addr().unwrap());
        let fake = Fake::default();
        let serving = fake.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serving.clone().serve(socket));
            }
        });
        (fake, base)
    }

    fn script(&self, steps: Vec<Step>) {
        *self.script.lock().unwrap() = steps;
    }

    async fn serve(self, mut socket: TcpStream) {
        let mut buffer = Vec::new();
        let head_end = loop {
            let mut chunk = [0u8; 4096];
            let n = socket.read(&mut chunk).await.unwrap_or(0);
            if n == 0 {
                return;
            }
            buffer.extend_from_slice(&chunk[..n]);
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at + 4;
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).to_string();
        let length = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap())
            })
            .unwrap_or(0);
        while buffer.len() < head_end + length {
            let mut chunk = [0u8; 4096];
            let n = socket.read(&mut chunk).await.unwrap();
            buffer.extend_from_slice(&chunk[..n]);
        }
        let body = String::from_utf8_lossy(&buffer[head_end..]).to_string();
        let (request_line, headers) = head.split_once("\r\n").unwrap();
        self.seen
            .lock()
            .unwrap()
            .push((request_line.to_string(), headers.to_string(), body));
        let steps = if request_line.starts_with("GET /v1/models") {
            vec![Step::Write(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n\
                 {\"object\":\"list\",\"data\":[{\"id\":\"qwen2.5:7b\"},{\"id\":\"llama3.2\"}]}"
                    .into(),
            )]
        } else {
            self.script.lock().unwrap().clone()
        };
        for step in steps {
            match step {
                Step::Write(text) => {
                    if socket.write_all(text.as_bytes()).await.is_err() {
                        return;
                    }
                }
                Step::Pause(d) => tokio::time::sleep(d).await,
            }
        }
        let _ = socket.shutdown().await;
    }

    fn last_request(&self) -> (String, String, serde_json::Value) {
        let seen = self.seen.lock().unwrap();
        let (line, headers, body) = seen.last().unwrap().clone();
        (
            line,
            headers,
            serde_json::from_str(&body).unwrap_or_default(),
        )
    }
}

const SSE_HEAD: &str =
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";

fn delta(text: &str) -> String {
    format!(
        "data: {{\"choices\":[{{\"delta\":{{\"content\":{}}}}}]}}\n\n",
        serde_json::to_string(text).unwrap()
    )
}

async fn setup(dir: &tempfile::TempDir) -> (Core, Fake, String) {
    let core = core_in(dir, |_| {}).await;
    let (fake, base) = Fake::start().await;
    let endpoint = core
        .chat
        .add_endpoint(NewChatEndpoint {
            name: "Remote vLLM".into(),
            base_url: format!("{base}/"),
            api_key: Some("sk-test-123".into()),
        })
        .await
        .unwrap();
    assert!(endpoint.has_api_key);
    assert_eq!(endpoint.base_url, base, "the trailing slash is dropped");
    let conversation = core
        .chat
        .create_conversation(NewConversation {
            target: ChatTarget::Endpoint {
                endpoint_id: endpoint.id.clone(),
                model: "qwen2.5:7b".into(),
            },
            title: None,
            params: Some(ChatParams {
                system_prompt: Some("Be terse.".into()),
                temperature: Some(0.2),
                top_p: Some(0.9),
                max_tokens: Some(50),
                stop: vec!["###".into()],
                seed: Some(11),
            }),
        })
        .await
        .unwrap();
    (core, fake, conversation.id)
}

async fn run_turn(core: &Core, id: &str, text: &str) -> (String, ChatStreamEvent) {
    let mut events = core
        .chat
        .turn(
            id,
            TurnRequest::Send {
                content: text.into(),
            },
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let mut streamed = String::new();
    while let Some(event) = events.recv().await {
        match event {
            ChatStreamEvent::Delta { content } => streamed.push_str(&content),
            ChatStreamEvent::Started { .. } | ChatStreamEvent::Reasoning { .. } => {}
            last => return (streamed, last),
        }
    }
    panic!("the stream ended without done or error")
}

#[tokio::test]
async fn an_endpoint_gets_the_exact_request_and_its_answer_is_saved() {
    let dir = tempfile::tempdir().unwrap();
    let (core, fake, id) = setup(&dir).await;
    assert_eq!(
        core.chat
            .endpoint_models(&core.chat.list_endpoints().await.unwrap()[0].id)
            .await
            .unwrap(),
        ["qwen2.5:7b", "llama3.2"]
    );
    // Comments, a multi-line data field, CRLF line ends, reasoning, usage without timings.
    fake.script(vec![
        Step::Write(SSE_HEAD.into()),
        Step::Write(": keep-alive\n\n".into()),
        Step::Write(
            "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"Thinking.\"}}]}\r\n\r\n"
                .into(),
        ),
        Step::Write(delta("Hel")),
        Step::Pause(Duration::from_millis(20)),
        Step::Write("data: {\"choices\":\ndata: [{\"delta\":{\"content\":\"lo\"}}]}\n\n".into()),
        Step::Write(
            "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":2}}\n\n"
                .into(),
        ),
        Step::Write("data: [DONE]\n\n".into()),
    ]);
    let (text, last) = run_turn(&core, &id, "Say hello").await;
    assert_eq!(text, "Hello");
    let ChatStreamEvent::Done {
        finish_reason,
        stats,
        ..
    } = last
    else {
        panic!("expected done, got {last:?}")
    };
    assert_eq!(finish_reason.as_deref(), Some("stop"));
    assert_eq!(
        (stats.prompt_tokens, stats.completion_tokens),
        (Some(12), Some(2))
    );
    assert!(!stats.counted);

    let (line, headers, body) = fake.last_request();
    assert_eq!(line, "POST /v1/chat/completions HTTP/1.1");
    assert!(
        headers
            .to_ascii_lowercase()
            .contains("authorization: bearer sk-test-123"),
        "{headers}"
    );
    assert_eq!(
        body,
        serde_json::json!({
            "model": "qwen2.5:7b",
            "messages": [
                {"role": "system", "content": "Be terse."},
                {"role": "user", "content": "Say hello"},
            ],
            "stream": true,
            "stream_options": {"include_usage": true},
            "temperature": 0.2f32,
            "top_p": 0.9f32,
            "max_tokens": 50,
            "stop": ["###"],
            "seed": 11,
        })
    );
    let saved = core.chat.conversation(&id).await.unwrap();
    let answer = &saved.messages[1];
    assert_eq!(
        (answer.content.as_str(), answer.reasoning.as_str()),
        ("Hello", "Thinking.")
    );
    assert_eq!(answer.status, MessageStatus::Complete);
    assert_eq!(saved.conversation.target_label, "Remote vLLM · qwen2.5:7b");
    assert!(
        !serde_json::to_string(&core.chat.list_endpoints().await.unwrap())
            .unwrap()
            .contains("sk-test-123"),
        "the key never goes back to the UI"
    );
}

#[tokio::test]
async fn errors_mid_stream_keep_the_text_so_far() {
    let dir = tempfile::tempdir().unwrap();
    let (core, fake, id) = setup(&dir).await;

    // An error event from the engine (e.g. the context overflowed).
    fake.script(vec![
        Step::Write(SSE_HEAD.into()),
        Step::Write(delta("Partial ")),
        Step::Write("data: {\"error\":{\"message\":\"the context is full\"}}\n\n".into()),
    ]);
    let (text, last) = run_turn(&core, &id, "one").await;
    assert_eq!(text, "Partial ");
    let ChatStreamEvent::Error { error } = last else {
        panic!("{last:?}")
    };
    assert_eq!(error.code, "engine_error");
    assert!(error.message.contains("the context is full"));

    // The connection dropped before the answer finished.
    fake.script(vec![
        Step::Write(SSE_HEAD.into()),
        Step::Write(delta("Cut")),
    ]);
    let (_, last) = run_turn(&core, &id, "two").await;
    let ChatStreamEvent::Error { error } = last else {
        panic!("{last:?}")
    };
    assert_eq!(error.code, "stream_broken");

    // Garbage instead of a chunk.
    fake.script(vec![
        Step::Write(SSE_HEAD.into()),
        Step::Write("data: {oops\n\n".into()),
    ]);
    let (_, last) = run_turn(&core, &id, "three").await;
    assert!(matches!(last, ChatStreamEvent::Error { error } if error.code == "engine_bad_chunk"));

    // An HTTP error before any streaming: the answer is a failed message saying why.
    fake.script(vec![Step::Write(
        "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n\
         {\"error\":{\"message\":\"max_tokens is too large\"}}"
            .into(),
    )]);
    let (_, last) = run_turn(&core, &id, "four").await;
    let ChatStreamEvent::Error { error } = last else {
        panic!("{last:?}")
    };
    assert_eq!(error.code, "engine_error");
    assert!(error.message.contains("400") && error.message.contains("max_tokens is too large"));

    let saved = core.chat.conversation(&id).await.unwrap();
    let answers: Vec<_> = saved
        .messages
        .iter()
        .filter(|m| m.role == llmops_core::chat::ChatRole::Assistant)
        .map(|m| {
            (
                m.status,
                m.content.as_str(),
                m.error.as_ref().unwrap().code.as_str(),
            )
        })
        .collect();
    assert_eq!(
        answers,
        [
            (MessageStatus::Failed, "Partial ", "engine_error"),
            (MessageStatus::Failed, "Cut", "stream_broken"),
            (MessageStatus::Failed, "", "engine_bad_chunk"),
            (MessageStatus::Failed, "", "engine_error"),
        ]
    );
}

#[tokio::test]
async fn an_answer_cut_off_by_an_app_crash_is_kept_up_to_the_last_save() {
    let dir = tempfile::tempdir().unwrap();
    let (core, fake, id) = setup(&dir).await;
    // Two deltas, then the engine goes quiet for longer than the test.
    fake.script(vec![
        Step::Write(SSE_HEAD.into()),
        Step::Write(delta("Saved ")),
        Step::Write(delta("so far")),
        Step::Pause(Duration::from_secs(60)),
    ]);
    let mut events = core
        .chat
        .turn(
            &id,
            TurnRequest::Send {
                content: "long one".into(),
            },
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let mut deltas = 0;
    while deltas < 2 {
        if let Some(ChatStreamEvent::Delta { .. }) = events.recv().await {
            deltas += 1;
        }
    }
    // Longer than the periodic save interval; then a second core opens the same database, as
    // the app does when it starts again after a crash.
    tokio::time::sleep(Duration::from_millis(700)).await;
    let restarted = core_in(&dir, |_| {}).await;
    let saved = restarted.chat.conversation(&id).await.unwrap();
    let answer = saved.messages.last().unwrap();
    assert_eq!(answer.status, MessageStatus::Incomplete);
    assert_eq!(answer.content, "Saved so far");
    drop(core);
}

#[tokio::test]
async fn bad_input_is_refused_with_a_clear_error_and_changes_nothing() {
    use llmops_core::error::CodedError;
    let dir = tempfile::tempdir().unwrap();
    let (core, _fake, id) = setup(&dir).await;
    let code = |r: Result<_, llmops_core::chat::ChatError>| r.err().map(|e| e.code());
    let empty = core
        .chat
        .turn(
            &id,
            TurnRequest::Send {
                content: "  \n".into(),
            },
            CancellationToken::new(),
        )
        .await;
    assert_eq!(code(empty.map(|_| ())), Some("chat_empty_message"));
    let regenerate = core
        .chat
        .turn(&id, TurnRequest::Regenerate, CancellationToken::new())
        .await;
    assert_eq!(code(regenerate.map(|_| ())), Some("nothing_to_regenerate"));
    let unknown = core
        .chat
        .turn("nope", TurnRequest::Regenerate, CancellationToken::new())
        .await;
    assert_eq!(code(unknown.map(|_| ())), Some("conversation_not_found"));
    let bad_url = core
        .chat
        .add_endpoint(NewChatEndpoint {
            name: "x".into(),
            base_url: "localhost:11434".into(),
            api_key: None,
        })
        .await;
    assert_eq!(code(bad_url.map(|_| ())), Some("chat_invalid_endpoint"));
    // An endpoint nobody answers at: the error is about the endpoint, not an engine's logs.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead_url = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    let dead = core
        .chat
        .add_endpoint(NewChatEndpoint {
            name: "gone".into(),
            base_url: dead_url,
            api_key: None,
        })
        .await
        .unwrap();
    let err = core.chat.endpoint_models(&dead.id).await.unwrap_err();
    assert_eq!(err.code(), "endpoint_unreachable");
    assert!(!err.to_string().contains("logs"), "{err}");
    let bad_params = core
        .chat
        .update_conversation(
            &id,
            llmops_core::chat::ConversationPatch {
                params: Some(ChatParams {
                    temperature: Some(9.0),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await;
    assert_eq!(code(bad_params.map(|_| ())), Some("chat_invalid_params"));
    assert!(core
        .chat
        .conversation(&id)
        .await
        .unwrap()
        .messages
        .is_empty());

    // Presets: saved, replaced by name, deleted; unknown ids are typed errors.
    let preset = |temperature| llmops_core::chat::NewChatPreset {
        name: " Precise ".into(),
        params: ChatParams {
            temperature: Some(temperature),
            ..Default::default()
        },
    };
    let first = core.chat.save_preset(preset(0.1)).await.unwrap();
    let second = core.chat.save_preset(preset(0.3)).await.unwrap();
    assert_eq!(
        (first.id.as_str(), second.name.as_str()),
        (second.id.as_str(), "Precise")
    );
    assert_eq!(core.chat.list_presets().await.unwrap(), [second.clone()]);
    core.chat.delete_preset(&second.id).await.unwrap();
    assert_eq!(
        code(core.chat.delete_preset(&second.id).await),
        Some("preset_not_found")
    );
    let endpoint = core.chat.list_endpoints().await.unwrap().remove(0);
    core.chat.remove_endpoint(&endpoint.id).await.unwrap();
    assert_eq!(
        code(core.chat.remove_endpoint(&endpoint.id).await),
        Some("endpoint_not_found")
    );
    core.chat.delete_conversation(&id).await.unwrap();
    assert_eq!(
        code(core.chat.delete_conversation(&id).await),
        Some("conversation_not_found")
    );
}

/// Parameters a conversation leaves unset come from the global defaults (an endpoint has no
/// model defaults); the conversation's own values win.
#[tokio::test]
async fn unset_parameters_come_from_the_chat_defaults() {
    let dir = tempfile::tempdir().unwrap();
    let (core, fake, id) = setup(&dir).await;
    core.chat
        .update_conversation(
            &id,
            llmops_core::chat::ConversationPatch {
                params: Some(ChatParams {
                    max_tokens: Some(7),
                    ..Default::default()
                }),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let defaults = llmops_core::chat::ChatDefaults {
        global: ChatParams {
            system_prompt: Some("Always answer in French.".into()),
            temperature: Some(0.3),
            max_tokens: Some(500),
            ..Default::default()
        },
        // Defaults for a model that is not in the library are dropped.
        models: [("not-a-model".to_string(), ChatParams::default())].into(),
    };
    let saved = core.chat.set_defaults(defaults.clone()).await.unwrap();
    assert!(saved.models.is_empty());
    assert_eq!(core.chat.defaults().await.unwrap(), saved);
    let detail = core.chat.conversation(&id).await.unwrap();
    assert_eq!(detail.defaults, defaults.global);

    fake.script(vec![
        Step::Write(SSE_HEAD.into()),
        Step::Write(delta("Bonjour")),
        Step::Write("data: [DONE]\n\n".into()),
    ]);
    let (text, _) = run_turn(&core, &id, "Say hello").await;
    assert_eq!(text, "Bonjour");
    let (_, _, body) = fake.last_request();
    assert_eq!(body["messages"][0]["content"], "Always answer in French.");
    assert_eq!(body["temperature"], serde_json::json!(0.3f32));
    assert_eq!(body["max_tokens"], 7, "the conversation's own value wins");

    let mut invalid = defaults;
    invalid.global.temperature = Some(5.0);
    let err = core.chat.set_defaults(invalid).await.unwrap_err();
    assert_eq!(
        llmops_core::error::CodedError::code(&err),
        "chat_invalid_params"
    );
}

/// A llmops export comes back as a new conversation with its target, messages and parameters;
/// an Open WebUI export answers with the target the user picked; a file llmops cannot read
/// changes nothing.
#[tokio::test]
async fn exported_and_foreign_conversations_import_as_new_ones() {
    use llmops_core::chat::{ExportFormat, ImportFormat, ImportRequest};
    let dir = tempfile::tempdir().unwrap();
    let (core, fake, id) = setup(&dir).await;
    fake.script(vec![
        Step::Write(SSE_HEAD.into()),
        Step::Write(delta("Hello")),
        Step::Write("data: [DONE]\n\n".into()),
    ]);
    run_turn(&core, &id, "Say hello").await;
    let original = core.chat.conversation(&id).await.unwrap();
    let file = core.chat.export(&id, ExportFormat::Json).await.unwrap();
    let target = original.conversation.target.clone();

    let report = core
        .chat
        .import_conversations(ImportRequest {
            content: file.body,
            target: target.clone(),
        })
        .await
        .unwrap();
    assert_eq!(report.format, ImportFormat::Llmops);
    let copy = core
        .chat
        .conversation(&report.imported[0].id)
        .await
        .unwrap();
    assert_ne!(copy.conversation.id, id);
    assert_eq!(copy.conversation.title, original.conversation.title);
    assert_eq!(copy.conversation.params, original.conversation.params);
    assert_eq!(copy.conversation.target, target);
    let texts = |d: &llmops_core::chat::ConversationDetail| {
        d.messages
            .iter()
            .map(|m| (m.role, m.content.clone(), m.status))
            .collect::<Vec<_>>()
    };
    assert_eq!(texts(&copy), texts(&original));
    assert_eq!(
        copy.messages[1].answers.as_ref(),
        Some(&copy.messages[0].id)
    );

    let open_webui = serde_json::json!([{
        "title": "From Open WebUI",
        "created_at": 1_700_000_000,
        "chat": {"messages": [
            {"role": "user", "content": "ping", "timestamp": 1_700_000_001},
            {"role": "assistant", "content": "pong", "timestamp": 1_700_000_002}
        ]}
    }, {"title": "empty", "chat": {"messages": []}}]);
    let report = core
        .chat
        .import_conversations(ImportRequest {
            content: open_webui.to_string(),
            target: target.clone(),
        })
        .await
        .unwrap();
    assert_eq!(
        (report.format, report.imported.len(), report.skipped),
        (ImportFormat::OpenWebui, 1, 1)
    );
    let imported = &report.imported[0];
    assert_eq!(imported.title, "From Open WebUI");
    assert_eq!(imported.target_label, "Remote vLLM · qwen2.5:7b");
    assert_eq!(imported.created_at, 1_700_000_000_000);
    // Imported text is searchable like any other.
    let hits = core.chat.search("pong").await.unwrap();
    assert_eq!(hits[0].conversation_id, imported.id);

    let before = core.chat.list_conversations().await.unwrap().len();
    let err = core
        .chat
        .import_conversations(ImportRequest {
            content: r#"{"what": "ever"}"#.into(),
            target: target.clone(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        llmops_core::error::CodedError::code(&err),
        "import_unrecognised"
    );
    // One bad conversation refuses the whole file before anything is saved.
    let good = serde_json::json!({"conversation": {"title": "fine"}, "messages": [{"role": "user", "content": "hi"}]});
    let bad = serde_json::json!({"conversation": {"title": "hot", "params": {"temperature": 9.0}}, "messages": [{"role": "user", "content": "hi"}]});
    let err = core
        .chat
        .import_conversations(ImportRequest {
            content: serde_json::json!([good, bad]).to_string(),
            target,
        })
        .await
        .unwrap_err();
    assert_eq!(llmops_core::error::CodedError::code(&err), "import_invalid");
    assert!(err.to_string().contains("conversation 2"), "{err}");
    assert_eq!(core.chat.list_conversations().await.unwrap().len(), before);
}
