//! A conversation as a Markdown or JSON file.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::conversation_types::{
    ConversationDetail, ExportFormat, ExportedConversation, MessageStatus, StoredMessage,
};
use super::types::ChatRole;

/// Identifies the JSON layout, so that a later version can read old exports.
const JSON_FORMAT: &str = "llmops.conversation.v1";

#[derive(Serialize)]
struct JsonExport<'a> {
    format: &'static str,
    #[serde(flatten)]
    detail: &'a ConversationDetail,
}

pub fn export(detail: &ConversationDetail, format: ExportFormat) -> ExportedConversation {
    let stem = file_stem(&detail.conversation.title);
    match format {
        ExportFormat::Json => ExportedConversation {
            filename: format!("{stem}.json"),
            mime: "application/json".into(),
            body: serde_json::to_string_pretty(&JsonExport {
                format: JSON_FORMAT,
                detail,
            })
            .expect("a conversation serialises"),
        },
        ExportFormat::Markdown => ExportedConversation {
            filename: format!("{stem}.md"),
            mime: "text/markdown".into(),
            body: markdown(detail),
        },
    }
}

fn markdown(detail: &ConversationDetail) -> String {
    let c = &detail.conversation;
    let mut out = format!("# {}\n\n", c.title.trim());
    out.push_str(&format!("- Model: {}\n", c.target_label));
    if let Some(system) = c.params.system() {
        out.push_str(&format!("- System prompt: {}\n", system.replace('\n', " ")));
    }
    out.push('\n');
    for message in &detail.messages {
        out.push_str(&message_markdown(message));
    }
    out
}

fn message_markdown(m: &StoredMessage) -> String {
    let who = match m.role {
        ChatRole::User => "You",
        ChatRole::Assistant => "Assistant",
        ChatRole::System => "System",
    };
    let mut out = format!("## {who}\n\n");
    if !m.reasoning.trim().is_empty() {
        let quoted: Vec<String> = m
            .reasoning
            .trim()
            .lines()
            .map(|l| format!("> {l}"))
            .collect();
        out.push_str(&format!("> **Reasoning**\n>\n{}\n\n", quoted.join("\n")));
    }
    out.push_str(m.content.trim_end());
    out.push_str("\n\n");
    let note = match m.status {
        MessageStatus::Complete => None,
        MessageStatus::Streaming | MessageStatus::Incomplete => Some("answer incomplete"),
        MessageStatus::Stopped => Some("stopped by the user"),
        MessageStatus::Failed => Some("the engine failed"),
    };
    if let Some(note) = note {
        out.push_str(&format!("_({note})_\n\n"));
    }
    out
}

/// A file name from the title: letters, digits and dashes, never empty.
fn file_stem(title: &str) -> String {
    let mut stem = String::new();
    for c in title.chars() {
        if c.is_alphanumeric() {
            stem.extend(c.to_lowercase());
        } else if !stem.ends_with('-') && !stem.is_empty() {
            stem.push('-');
        }
        if stem.chars().count() >= 60 {
            break;
        }
    }
    let stem = stem.trim_end_matches('-');
    if stem.is_empty() {
        "conversation".into()
    } else {
        stem.into()
    }
}

/// Writes the file into `dir` under its name (or `name (2).ext` … when taken), through a
/// temporary file renamed at the end, so a half-written export never looks complete.
pub fn save_export(dir: &Path, file: &ExportedConversation) -> std::io::Result<PathBuf> {
    save_export_file(dir, &file.filename, file.body.as_bytes())
}

/// Writes an exported file into `dir` (the user's Downloads) under its name, or `name (2)`…
/// when one exists, through a `.partial` file, so that a half-written file never has the name.
pub fn save_export_file(dir: &Path, filename: &str, body: &[u8]) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let name = Path::new(filename);
    let stem = name
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("export");
    let ext = name.extension().and_then(|s| s.to_str()).unwrap_or("txt");
    let target = (1..1000)
        .map(|n| match n {
            1 => dir.join(format!("{stem}.{ext}")),
            n => dir.join(format!("{stem} ({n}).{ext}")),
        })
        .find(|p| !p.exists())
        .ok_or_else(|| std::io::Error::other("too many exports with this name"))?;
    let partial = target.with_extension(format!("{ext}.partial"));
    std::fs::write(&partial, body)?;
    std::fs::rename(&partial, &target)?;
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chat::{ChatParams, ChatTarget, Conversation};

    fn detail() -> ConversationDetail {
        let message = |role, content: &str, status| StoredMessage {
            id: "m".into(),
            conversation_id: "c".into(),
            role,
            content: content.into(),
            reasoning: String::new(),
            status,
            error: None,
            stats: None,
            created_at: 0,
            updated_at: 0,
            answers: None,
            version: 1,
            versions: 1,
        };
        ConversationDetail {
            conversation: Conversation {
                id: "c".into(),
                title: "Rust: lifetimes / borrowing?".into(),
                target: ChatTarget::Model {
                    model_id: "x".into(),
                },
                target_label: "SmolLM2".into(),
                params: ChatParams::default(),
                pinned: false,
                created_at: 0,
                updated_at: 0,
            },
            messages: vec![
                message(
                    ChatRole::User,
                    "What is a lifetime?",
                    MessageStatus::Complete,
                ),
                message(ChatRole::Assistant, "A scope", MessageStatus::Stopped),
            ],
            context: None,
            defaults: Default::default(),
        }
    }

    #[test]
    fn markdown_has_the_title_roles_and_marks_a_stopped_answer() {
        let file = export(&detail(), ExportFormat::Markdown);
        assert_eq!(file.filename, "rust-lifetimes-borrowing.md");
        assert!(file.body.starts_with("# Rust: lifetimes / borrowing?\n"));
        assert!(file.body.contains("## You\n\nWhat is a lifetime?"));
        assert!(file
            .body
            .contains("## Assistant\n\nA scope\n\n_(stopped by the user)_"));
    }

    #[test]
    fn json_round_trips_and_names_its_format() {
        let file = export(&detail(), ExportFormat::Json);
        let value: serde_json::Value = serde_json::from_str(&file.body).unwrap();
        assert_eq!(value["format"], JSON_FORMAT);
        assert_eq!(
            value["conversation"]["title"],
            "Rust: lifetimes / borrowing?"
        );
        assert_eq!(value["messages"][1]["status"], "stopped");
        assert_eq!(file.mime, "application/json");
    }

    #[test]
    fn saving_never_overwrites_and_leaves_no_partial_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = export(&detail(), ExportFormat::Markdown);
        let first = save_export(dir.path(), &file).unwrap();
        let second = save_export(dir.path(), &file).unwrap();
        assert_eq!(first.file_name().unwrap(), "rust-lifetimes-borrowing.md");
        assert_eq!(
            second.file_name().unwrap(),
            "rust-lifetimes-borrowing (2).md"
        );
        assert_eq!(std::fs::read_to_string(second).unwrap(), file.body);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_title_without_letters_gives_a_default_name() {
        assert_eq!(file_stem("?!"), "conversation");
        assert_eq!(file_stem("你好 世界"), "你好-世界");
    }
}
