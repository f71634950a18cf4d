use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// What a caller may do. Each scope includes the ones before it.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    TS,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// See the dashboard: status, models, logs, history, conversations.
    Read,
    /// Also start and stop models, chat, and use the gateway.
    Operate,
    /// Also add, deploy, edit and remove models (which run programs), change settings and keys.
    Admin,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Read, Scope::Operate, Scope::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Operate => "operate",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == text)
    }

    pub fn allows(self, needed: Scope) -> bool {
        self >= needed
    }
}

/// How a caller proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthVia {
    /// A client on this machine (loopback address), or the desktop window.
    Local,
    /// The server token from the data dir (`Authorization: Bearer`).
    ServerToken,
    /// A named API key (`Authorization: Bearer`).
    ApiKey,
    /// The browser session cookie set by logging in.
    Session,
}

/// Who is calling, as adapters establish it before any operation runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct Caller {
    pub scope: Scope,
    pub via: AuthVia,
    /// The API key's id when a key (or a session opened with one) is used.
    pub key_id: Option<String>,
    /// The API key's name, for the UI ("signed in as phone").
    pub key_name: Option<String>,
}

impl Caller {
    /// A loopback client or the desktop window: every scope, no login.
    pub fn local() -> Caller {
        Caller {
            scope: Scope::Admin,
            via: AuthVia::Local,
            key_id: None,
            key_name: None,
        }
    }

    pub fn is_local(&self) -> bool {
        self.via == AuthVia::Local
    }
}

/// A stored API key as users see it; the key itself is shown once, at creation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct ApiKeyInfo {
    pub id: String,
    pub name: String,
    pub scope: Scope,
    /// The first characters of the key, to tell keys apart.
    pub prefix: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms; updated at most once a minute.
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct NewApiKey {
    #[schemars(regex(pattern = r"\S"))]
    pub name: String,
    pub scope: Scope,
}

/// How another device logs in to `llmops serve`.
#[derive(Debug, Clone, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct LoginLink {
    /// `http://<LAN address>:<port>/login#token=…`; `None` when the server listens on loopback
    /// only, or in the desktop app, which serves no network address.
    pub url: Option<String>,
    /// The same link as an SVG QR code.
    pub qr_svg: Option<String>,
    /// Where the server token is kept.
    pub token_file: String,
    /// Whether clients on other machines must log in.
    pub remote_auth: bool,
    /// Why there is no link, and how to get one.
    pub note: Option<String>,
}

/// The answer to creating a key: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct CreatedApiKey {
    pub key: ApiKeyInfo,
    pub secret: String,
}
