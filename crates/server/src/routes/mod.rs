//! What the HTTP transport itself answers. Every other operation's handler is derived from the
//! operation table (`crate::operations`); these are the table's `=> adapter` entries.

pub mod auth;
pub mod chat;
pub mod conversations;
pub mod events;
pub mod logs;
pub mod system;
pub mod v1;

/// The table's `=> adapter` operations by their names, where the derived router finds them.
pub mod by_adapter {
    pub use super::auth::{login_link, logout, whoami};
    pub use super::chat::completions as chat_completions;
    pub use super::conversations::{export as export_conversation, turn as chat_turn};
    pub use super::events::websocket as events;
    pub use super::logs::follow as follow_model_logs;
    pub use crate::app::openapi_document;
}
