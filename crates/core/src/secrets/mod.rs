//! [`SecretStore`]: API keys of external endpoints and engines' secret environment entries
//! (e.g. `HF_TOKEN`), kept out of the database. The OS keyring (Secret Service) when one answers,
//! else a 0600 JSON file in the data dir; the UI shows which.

mod error;
mod store;

pub use error::SecretError;
pub use store::{SecretBackend, SecretPreference, SecretStore, SecretStoreInfo, SECRETS_FILE};

/// An environment entry name that holds a secret: its value is kept in the secret store, shown
/// masked, and passed to the engine only through its environment.
pub fn is_secret_env_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    [
        "TOKEN",
        "KEY",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "CREDENTIAL",
        "AUTH",
    ]
    .iter()
    .any(|word| upper.contains(word))
}

/// What a masked secret looks like in API answers, events and `Debug` output.
pub const MASK: &str = "••••••••";

/// A secret for `Debug` output: whether it is set, never its value.
pub fn redacted(secret: &Option<String>) -> &'static str {
    if secret.is_some() {
        MASK
    } else {
        "none"
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn secret_names() {
        for name in [
            "HF_TOKEN",
            "HUGGING_FACE_HUB_TOKEN",
            "OPENAI_API_KEY",
            "aws_secret_access_key",
            "DB_PASSWORD",
        ] {
            assert!(super::is_secret_env_name(name), "{name}");
        }
        for name in ["VLLM_LOGGING_LEVEL", "CUDA_VISIBLE_DEVICES", "HF_HOME"] {
            assert!(!super::is_secret_env_name(name), "{name}");
        }
    }
}
