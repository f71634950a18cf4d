//! HTTP clients: [`LazyClient`], one built on first use, and [`read_bounded`], a body read with a
//! limit. [`LazyClient`]: an HTTP client built on first use. Building a `reqwest::Client` sets up TLS
//! (OpenSSL's context and the system's certificates), about 100 ms each; the services hold
//! several, so building them at open made `llmops serve` and the desktop app wait over half a
//! second before answering, for clients most runs use later or never.

use std::ops::Deref;
use std::sync::{Arc, OnceLock};

/// A cheap-clone handle to a client built by `build` the first time it is used.
#[derive(Clone)]
pub struct LazyClient {
    inner: Arc<Inner>,
}

struct Inner {
    /// Set once; `OnceLock` makes a concurrent first use build it only once.
    client: OnceLock<reqwest::Client>,
    build: fn() -> reqwest::Client,
}

impl LazyClient {
    pub fn new(build: fn() -> reqwest::Client) -> LazyClient {
        LazyClient {
            inner: Arc::new(Inner {
                client: OnceLock::new(),
                build,
            }),
        }
    }

    /// The client, built now if this is its first use.
    pub fn client(&self) -> &reqwest::Client {
        self.inner.client.get_or_init(self.inner.build)
    }
}

impl Deref for LazyClient {
    type Target = reqwest::Client;

    fn deref(&self) -> &reqwest::Client {
        self.client()
    }
}

/// At most `limit` bytes of a response body; more is an error (a hostile or broken server cannot
/// make llmops hold an unbounded answer).
pub async fn read_bounded(response: reqwest::Response, limit: usize) -> Result<Vec<u8>, String> {
    use futures_util::StreamExt;
    let mut body = Vec::new();
    let mut stream = response.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|error| error.without_url().to_string())?;
        if body.len() + chunk.len() > limit {
            return Err(format!("the answer is larger than {limit} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static BUILT: AtomicUsize = AtomicUsize::new(0);

    #[test]
    fn builds_once_on_first_use() {
        let lazy = LazyClient::new(|| {
            BUILT.fetch_add(1, Ordering::SeqCst);
            reqwest::Client::new()
        });
        let copy = lazy.clone();
        assert_eq!(BUILT.load(Ordering::SeqCst), 0);
        let _ = lazy.get("http://127.0.0.1:1/");
        let _ = copy.client();
        assert_eq!(BUILT.load(Ordering::SeqCst), 1);
    }
}
