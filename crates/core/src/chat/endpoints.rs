//! External OpenAI-compatible endpoints the user adds (an Ollama daemon's `/v1`, a remote vLLM).

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::error::ChatError;

/// An endpoint as the UI sees it: the API key itself never leaves the core.
#[derive(Debug, Clone, PartialEq, Serialize, TS, schemars::JsonSchema)]
pub struct ChatEndpoint {
    pub id: String,
    pub name: String,
    /// The OpenAI-compatible base, e.g. `http://127.0.0.1:11434/v1`.
    pub base_url: String,
    pub has_api_key: bool,
    #[ts(type = "number")]
    pub created_at: i64,
}

#[derive(Debug, Clone, Deserialize, TS, schemars::JsonSchema)]
pub struct NewChatEndpoint {
    #[schemars(regex(pattern = r"\S"))]
    pub name: String,
    #[schemars(regex(pattern = r"^\s*https?://[^\s/@]+"))]
    pub base_url: String,
    #[serde(default)]
    #[ts(optional)]
    pub api_key: Option<String>,
}

/// An endpoint with its secret, for the core's own requests.
#[derive(Clone)]
pub struct EndpointRecord {
    pub endpoint: ChatEndpoint,
    pub api_key: Option<String>,
}

impl std::fmt::Debug for EndpointRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointRecord")
            .field("endpoint", &self.endpoint)
            .field("api_key", &crate::secrets::redacted(&self.api_key))
            .finish()
    }
}

/// Trims and checks a base URL: http(s), a host, no query; a trailing slash is dropped.
pub fn normalise_base_url(raw: &str) -> Result<String, ChatError> {
    let raw = raw.trim();
    let invalid = |why: &str| ChatError::InvalidEndpoint(format!("{raw:?} {why}"));
    let url = reqwest::Url::parse(raw)
        .map_err(|_| invalid("is not a URL; write it like http://127.0.0.1:11434/v1"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(invalid("must start with http:// or https://"));
    }
    // Credentials in a URL end up in logs, errors and the UI; reqwest would also send them as
    // Basic auth instead of the key. Not repeated in the message, which is shown and logged.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ChatError::InvalidEndpoint(
            "must not carry a user name or password (user:pass@host); put the secret in the API key field"
                .into(),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("has no host"));
    }
    if is_metadata_host(&url) {
        return Err(invalid(
            "is a link-local address, where cloud metadata services live, not model endpoints",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid(
            "must not have a query or fragment; give the base, e.g. http://host:8000/v1",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// Link-local addresses (169.254.0.0/16, fe80::/10) and AWS's IPv6 metadata address: requests
/// there, with the stored key, would read credentials from the machine's cloud provider.
fn is_metadata_host(url: &reqwest::Url) -> bool {
    let host = url.host_str().unwrap_or_default();
    match host.trim_start_matches('[').trim_end_matches(']').parse() {
        Ok(std::net::IpAddr::V4(ip)) => ip.is_link_local(),
        Ok(std::net::IpAddr::V6(ip)) => {
            (ip.segments()[0] & 0xffc0) == 0xfe80 || ip.segments()[..2] == [0xfd00, 0x0ec2]
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_path_and_drops_a_trailing_slash() {
        assert_eq!(
            normalise_base_url(" http://127.0.0.1:11434/v1/ ").unwrap(),
            "http://127.0.0.1:11434/v1"
        );
        assert_eq!(
            normalise_base_url("https://example.com").unwrap(),
            "https://example.com"
        );
    }

    #[test]
    fn refuses_what_is_not_an_http_base() {
        for bad in [
            "",
            "localhost:11434",
            "ftp://x/v1",
            "http://h/v1?key=1",
            "file:///tmp",
            "http://user:pass@127.0.0.1:1/v1",
            "http://169.254.169.254/latest",
            "http://[fd00:ec2::254]/v1",
            "http://user@127.0.0.1:1/v1",
        ] {
            assert!(
                matches!(normalise_base_url(bad), Err(ChatError::InvalidEndpoint(_))),
                "{bad}"
            );
        }
    }
}

#[cfg(test)]
mod userinfo_tests {
    use super::*;

    #[test]
    fn a_password_in_the_url_is_never_repeated() {
        let err = normalise_base_url("https://svc:hunter2@example.com/v1").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }
}
