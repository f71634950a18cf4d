//! Who may do what: the server token (admin), named API keys with scopes, and browser sessions.
//! See `docs/SECURITY.md` for the threat model.

mod crypto;
mod error;
mod service;
mod store;
mod types;

pub use crypto::{constant_time_eq, hex, random_hex};
pub use error::AccessError;
pub use service::{AccessService, KEY_PREFIX, SERVER_TOKEN_FILE, SESSION_TTL_SECS};
pub use store::ApiKeyRow;
pub use types::{ApiKeyInfo, AuthVia, Caller, CreatedApiKey, LoginLink, NewApiKey, Scope};
