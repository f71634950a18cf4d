//! One module per API area; handlers only translate HTTP to core calls.

pub mod alerts;
pub mod auth;
pub mod chat;
pub mod conversations;
pub mod events;
pub mod instances;
pub mod logs;
pub mod models;
pub mod system;
