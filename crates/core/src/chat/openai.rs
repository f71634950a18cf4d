//! The OpenAI chat-completion chunk format, as llama.cpp, vLLM and others stream it.

use serde::Deserialize;

use super::types::{ChatStreamEvent, ChatUsage};

#[derive(Deserialize)]
struct Chunk {
    #[serde(default)]
    choices: Vec<Choice>,
    usage: Option<Usage>,
    timings: Option<Timings>,
    error: Option<UpstreamError>,
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    delta: Delta,
    finish_reason: Option<String>,
}

#[derive(Deserialize, Default)]
struct Delta {
    content: Option<String>,
    reasoning_content: Option<String>,
}

#[derive(Deserialize)]
struct Usage {
    prompt_tokens: Option<u32>,
    completion_tokens: Option<u32>,
}

#[derive(Deserialize)]
struct Timings {
    predicted_per_second: Option<f64>,
    prompt_n: Option<u32>,
    predicted_n: Option<u32>,
}

#[derive(Deserialize)]
struct UpstreamError {
    message: Option<String>,
}

/// What one SSE `data` payload means for the stream.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Interpreted {
    pub events: Vec<ChatStreamEvent>,
    pub finish_reason: Option<String>,
    pub usage: Option<ChatUsage>,
    /// The engine reported an error inside the stream.
    pub error: Option<String>,
    /// `[DONE]`: the stream is complete.
    pub done: bool,
}

pub(super) fn interpret(data: &str) -> Result<Interpreted, String> {
    let data = data.trim();
    if data == "[DONE]" {
        return Ok(Interpreted {
            done: true,
            ..Default::default()
        });
    }
    let chunk: Chunk = serde_json::from_str(data).map_err(|e| format!("{e}: {}", preview(data)))?;
    let mut out = Interpreted::default();
    if let Some(error) = chunk.error {
        out.error = Some(error.message.unwrap_or_else(|| preview(data)));
        return Ok(out);
    }
    for choice in chunk.choices {
        if let Some(content) = choice.delta.reasoning_content.filter(|c| !c.is_empty()) {
            out.events.push(ChatStreamEvent::Reasoning { content });
        }
        if let Some(content) = choice.delta.content.filter(|c| !c.is_empty()) {
            out.events.push(ChatStreamEvent::Delta { content });
        }
        if choice.finish_reason.is_some() {
            out.finish_reason = choice.finish_reason;
        }
    }
    if chunk.usage.is_some() || chunk.timings.is_some() {
        let usage = chunk.usage.as_ref();
        let timings = chunk.timings.as_ref();
        out.usage = Some(ChatUsage {
            prompt_tokens: usage
                .and_then(|u| u.prompt_tokens)
                .or(timings.and_then(|t| t.prompt_n)),
            completion_tokens: usage
                .and_then(|u| u.completion_tokens)
                .or(timings.and_then(|t| t.predicted_n)),
            tokens_per_second: timings.and_then(|t| t.predicted_per_second),
        });
    }
    Ok(out)
}

fn preview(data: &str) -> String {
    data.chars().take(200).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_content_reasoning_finish_and_timings() {
        let out = interpret(
            r#"{"choices":[{"delta":{"content":"Hi","reasoning_content":"hmm"},"finish_reason":"stop"}],
               "timings":{"predicted_per_second":150.5,"prompt_n":9,"predicted_n":20}}"#,
        )
        .unwrap();
        assert_eq!(
            out.events,
            [
                ChatStreamEvent::Reasoning {
                    content: "hmm".into()
                },
                ChatStreamEvent::Delta {
                    content: "Hi".into()
                }
            ]
        );
        assert_eq!(out.finish_reason.as_deref(), Some("stop"));
        let usage = out.usage.unwrap();
        assert_eq!(
            (
                usage.prompt_tokens,
                usage.completion_tokens,
                usage.tokens_per_second
            ),
            (Some(9), Some(20), Some(150.5))
        );
    }

    #[test]
    fn done_error_and_garbage() {
        assert!(interpret("[DONE]").unwrap().done);
        assert_eq!(
            interpret(r#"{"error":{"message":"context full"}}"#)
                .unwrap()
                .error
                .as_deref(),
            Some("context full")
        );
        assert!(interpret("not json").is_err());
        assert!(interpret(r#"{"choices":[{"delta":{}}]}"#)
            .unwrap()
            .events
            .is_empty());
    }
}
