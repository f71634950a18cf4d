//! The Hugging Face Hub API, or a mirror that speaks it (`HF_ENDPOINT`, e.g. hf-mirror.com):
//! search, a repository's files at a pinned commit, errors by `X-Error-Code`. Shapes are in
//! `shared/research/model-hub-contracts.md` §1 (huggingface_hub's `hf_api.py`, `_http.py`).

use std::collections::BTreeMap;

use reqwest::header::{HeaderMap, AUTHORIZATION, LINK};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::error::HubError;
use super::index::split_parts;

pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// The most bytes read of one API answer (a tree listing of a big repository is a few MB).
const MAX_API_ANSWER: usize = 16 << 20;
/// The most results asked for per search page.
const MAX_SEARCH_LIMIT: u32 = 100;

/// Where requests go and with what credential.
#[derive(Clone)]
pub struct HfClient {
    pub endpoint: String,
    /// Sent only to `endpoint`'s host; reqwest drops it on a redirect to another host (the CDN).
    token: Option<String>,
    http: reqwest::Client,
}

impl std::fmt::Debug for HfClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HfClient")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "…"))
            .finish()
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct HubModel {
    pub id: String,
    #[ts(type = "number")]
    pub downloads: u64,
    #[ts(type = "number")]
    pub likes: u64,
    /// `false`, or how access is granted (`auto`, `manual`).
    pub gated: Option<String>,
    pub last_modified: Option<String>,
    pub pipeline_tag: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct HubSearchPage {
    pub models: Vec<HubModel>,
    /// Give this back as `cursor` for the next page (the `Link: rel="next"` address).
    pub next_cursor: Option<String>,
}

/// A file of a repository at a commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct RepoFile {
    pub path: String,
    #[ts(type = "number")]
    pub size: u64,
    /// The content's sha256 (LFS files); the blob's name in the cache.
    pub sha256: Option<String>,
    /// The git blob id (small files stored in git, not LFS).
    pub oid: Option<String>,
}

/// The GGUF files of one quantisation: one file, or a split set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct QuantFiles {
    /// `Q4_K_M`, or the file's name when no quantisation can be read from it.
    pub label: String,
    /// The files in shard order; the first is what llama-server is given.
    pub files: Vec<String>,
    #[ts(type = "number")]
    pub size: u64,
    /// A vision projector (`mmproj`), not a model on its own.
    pub projector: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, schemars::JsonSchema)]
pub struct HubRepo {
    pub id: String,
    /// The commit every download of this listing is pinned to.
    pub commit: String,
    pub gated: Option<String>,
    pub license: Option<String>,
    #[ts(type = "number")]
    pub downloads: u64,
    pub files: Vec<RepoFile>,
    pub quants: Vec<QuantFiles>,
}

/// What huggingface_hub calls a 4xx body: `{"error": "..."}`.
#[derive(Deserialize)]
struct ErrorAnswer {
    error: Option<serde_json::Value>,
}

impl HfClient {
    pub fn new(endpoint: &str, token: Option<String>) -> Result<HfClient, HubError> {
        let endpoint = endpoint.trim().trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&endpoint).map_err(|_| {
            HubError::InvalidInput(format!(
                "the hub endpoint {endpoint:?} is not an address; use e.g. https://hf-mirror.com"
            ))
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(HubError::InvalidInput(format!(
                "the hub endpoint {endpoint:?} must start with https:// (or http://)"
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(15))
            .user_agent(concat!("llmops/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| HubError::Io(error.to_string()))?;
        Ok(HfClient {
            endpoint,
            token,
            http,
        })
    }

    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Headers for a request to the endpoint (the token, if any).
    pub fn auth_headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(token) = &self.token {
            if let Ok(value) = format!("Bearer {token}").parse() {
                headers.insert(AUTHORIZATION, value);
            }
        }
        headers
    }

    /// `{EP}/{repo}/resolve/{commit}/{path}` (path segments escaped, `/` kept).
    pub fn resolve_url(&self, repo: &str, commit: &str, path: &str) -> String {
        let escaped: Vec<String> = path.split('/').map(escape_segment).collect();
        format!(
            "{}/{}/resolve/{}/{}",
            self.endpoint,
            repo,
            escape_segment(commit),
            escaped.join("/")
        )
    }

    /// `GET /api/models?search=…&filter=gguf&sort=downloads&direction=-1`, or the next page.
    pub async fn search(
        &self,
        query: &str,
        limit: u32,
        cursor: Option<&str>,
    ) -> Result<HubSearchPage, HubError> {
        let url = match cursor {
            Some(cursor) => self.same_endpoint(cursor)?,
            None => {
                let mut url = reqwest::Url::parse(&format!("{}/api/models", self.endpoint))
                    .map_err(|e| HubError::InvalidInput(e.to_string()))?;
                url.query_pairs_mut()
                    .append_pair("search", query.trim())
                    .append_pair("filter", "gguf")
                    .append_pair("sort", "downloads")
                    .append_pair("direction", "-1")
                    .append_pair("limit", &limit.clamp(1, MAX_SEARCH_LIMIT).to_string());
                url
            }
        };
        let (answer, headers) = self
            .get_json::<Vec<RawModel>>(url, "the search", "")
            .await?;
        Ok(HubSearchPage {
            models: answer.into_iter().map(RawModel::into_model).collect(),
            next_cursor: next_link(&headers).filter(|link| self.same_endpoint(link).is_ok()),
        })
    }

    /// A repository's files at `revision` (a branch, tag or commit), pinned to its commit.
    pub async fn repo(&self, repo: &str, revision: &str) -> Result<HubRepo, HubError> {
        validate_repo_id(repo)?;
        let info_url = format!(
            "{}/api/models/{repo}/revision/{}",
            self.endpoint,
            escape_segment(revision)
        );
        let url =
            reqwest::Url::parse(&info_url).map_err(|e| HubError::InvalidInput(e.to_string()))?;
        let (info, _) = self
            .get_json::<RawRepoInfo>(url, "the repository", repo)
            .await?;
        let commit = info.sha.clone().ok_or_else(|| HubError::BadAnswer {
            what: repo.into(),
            detail: "no commit (sha) in the repository's answer".into(),
        })?;
        let files = self.tree(repo, &commit).await?;
        Ok(HubRepo {
            id: info.id.unwrap_or_else(|| repo.to_string()),
            gated: gated_text(&info.gated),
            license: info
                .card_data
                .as_ref()
                .and_then(|card| card.get("license"))
                .and_then(|license| license.as_str().map(String::from)),
            downloads: info.downloads.unwrap_or(0),
            quants: group_quants(&files),
            files,
            commit,
        })
    }

    /// `GET /api/models/{repo}/tree/{commit}?recursive=true`, every page.
    async fn tree(&self, repo: &str, commit: &str) -> Result<Vec<RepoFile>, HubError> {
        let mut url = reqwest::Url::parse(&format!(
            "{}/api/models/{repo}/tree/{}?recursive=true",
            self.endpoint,
            escape_segment(commit)
        ))
        .map_err(|e| HubError::InvalidInput(e.to_string()))?;
        let mut files = Vec::new();
        for _page in 0..100 {
            let (entries, headers) = self
                .get_json::<Vec<RawTreeEntry>>(url.clone(), "the file list", repo)
                .await?;
            files.extend(
                entries
                    .into_iter()
                    .filter(|entry| entry.kind == "file")
                    .map(|entry| RepoFile {
                        sha256: entry.lfs.as_ref().and_then(|lfs| lfs.oid.clone()),
                        size: entry
                            .lfs
                            .as_ref()
                            .and_then(|lfs| lfs.size)
                            .unwrap_or(entry.size),
                        oid: entry.oid,
                        path: entry.path,
                    }),
            );
            match next_link(&headers).map(|link| self.same_endpoint(&link)) {
                Some(Ok(next)) => url = next,
                _ => break,
            }
        }
        Ok(files)
    }

    /// A `Link` or cursor address, accepted only on the endpoint's own origin (the token must
    /// not follow a link to another host).
    fn same_endpoint(&self, link: &str) -> Result<reqwest::Url, HubError> {
        let url = reqwest::Url::parse(link)
            .map_err(|_| HubError::InvalidInput("the page cursor is not an address".into()))?;
        let endpoint = reqwest::Url::parse(&self.endpoint).expect("checked in new");
        if url.origin() != endpoint.origin() {
            return Err(HubError::InvalidInput(
                "the page cursor points away from the hub endpoint".into(),
            ));
        }
        Ok(url)
    }

    async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        url: reqwest::Url,
        what: &str,
        repo: &str,
    ) -> Result<(T, HeaderMap), HubError> {
        let response = self
            .http
            .get(url)
            .headers(self.auth_headers())
            .timeout(std::time::Duration::from_secs(60))
            .send()
            .await
            .map_err(|error| HubError::Unreachable {
                endpoint: self.endpoint.clone(),
                detail: error.without_url().to_string(),
            })?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = read_bounded(response, MAX_API_ANSWER)
            .await
            .map_err(|detail| HubError::Unreachable {
                endpoint: self.endpoint.clone(),
                detail,
            })?;
        if !status.is_success() {
            return Err(hub_error(
                status.as_u16(),
                &headers,
                &body,
                repo,
                &self.endpoint,
                what,
            ));
        }
        let value = serde_json::from_slice(&body).map_err(|error| HubError::BadAnswer {
            what: what.into(),
            detail: error.to_string(),
        })?;
        Ok((value, headers))
    }
}

pub use crate::lazy_client::read_bounded;

/// The hub's error as ours: `X-Error-Code` first (GatedRepo, RepoNotFound, EntryNotFound,
/// RevisionNotFound), then the status, as huggingface_hub's `hf_raise_for_status` does.
pub fn hub_error(
    status: u16,
    headers: &HeaderMap,
    body: &[u8],
    repo: &str,
    endpoint: &str,
    what: &str,
) -> HubError {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let code = header("x-error-code");
    let message = header("x-error-message");
    let detail = serde_json::from_slice::<ErrorAnswer>(body)
        .ok()
        .and_then(|answer| answer.error)
        .map(|error| match error {
            serde_json::Value::String(text) => text,
            other => other.to_string(),
        })
        .unwrap_or(message.clone());
    let detail: String = detail.chars().take(500).collect();
    match code.as_str() {
        "GatedRepo" => HubError::Gated {
            repo: repo.into(),
            url: format!("{endpoint}/{repo}"),
        },
        "RepoNotFound" => HubError::RepoNotFound { repo: repo.into() },
        "EntryNotFound" | "RevisionNotFound" => HubError::EntryNotFound {
            what: what.into(),
            detail,
        },
        _ if status == 401 && message != "Invalid credentials in Authorization header" => {
            HubError::RepoNotFound { repo: repo.into() }
        }
        _ if status == 401 => HubError::Forbidden {
            repo: repo.into(),
            detail: "the token was refused (invalid credentials)".into(),
        },
        _ if status == 403 => HubError::Forbidden {
            repo: repo.into(),
            detail,
        },
        _ if status == 404 => HubError::RepoNotFound { repo: repo.into() },
        _ => HubError::HubStatus {
            what: what.into(),
            status,
            detail,
        },
    }
}

/// `<url>; rel="next"` of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (target, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"")
            .then(|| {
                target
                    .trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

/// `org/name`, each part of letters, digits, `-`, `_`, `.` (no `..`), as the hub allows.
pub fn validate_repo_id(repo: &str) -> Result<(), HubError> {
    let part_ok = |part: &str| {
        !part.is_empty()
            && part.len() <= 96
            && part != "."
            && !part.contains("..")
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    match repo.split_once('/') {
        Some((org, name)) if part_ok(org) && part_ok(name) => Ok(()),
        _ => Err(HubError::InvalidInput(format!(
            "{repo:?} is not a repository id; use the form org/name, e.g. Qwen/Qwen2.5-7B-Instruct-GGUF"
        ))),
    }
}

/// Escapes one URL path segment (RFC 3986 unreserved characters kept).
fn escape_segment(segment: &str) -> String {
    let mut out = String::new();
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn gated_text(value: &Option<serde_json::Value>) -> Option<String> {
    match value {
        Some(serde_json::Value::String(text)) => Some(text.clone()),
        Some(serde_json::Value::Bool(true)) => Some("true".into()),
        _ => None,
    }
}

/// The quantisation a GGUF file name carries (`…-Q4_K_M.gguf`, `….IQ3_XS-00001-of-00002.gguf`,
/// a `Q8_0/` folder).
pub fn quant_label(path: &str) -> Option<String> {
    const QUANTS: &[&str] = &[
        "IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ2_M", "IQ3_XXS", "IQ3_XS", "IQ3_S",
        "IQ3_M", "IQ4_XS", "IQ4_NL", "Q2_K_S", "Q2_K_L", "Q2_K", "Q3_K_S", "Q3_K_M", "Q3_K_L",
        "Q3_K_XL", "Q4_K_S", "Q4_K_M", "Q4_K_L", "Q4_K_XL", "Q4_0", "Q4_1", "Q5_K_S", "Q5_K_M",
        "Q5_K_L", "Q5_0", "Q5_1", "Q6_K_L", "Q6_K", "Q8_0", "BF16", "F16", "F32", "MXFP4", "TQ1_0",
        "TQ2_0",
    ];
    let upper = path.to_ascii_uppercase();
    // The longest name that appears as a whole token wins (Q4_K_M before Q4_K).
    QUANTS
        .iter()
        .filter(|quant| {
            upper.match_indices(*quant).any(|(at, _)| {
                let before = upper[..at].chars().last();
                let after = upper[at + quant.len()..].chars().next();
                let boundary =
                    |c: Option<char>| c.is_none_or(|c| !c.is_ascii_alphanumeric() && c != '_');
                boundary(before) && boundary(after)
            })
        })
        .max_by_key(|quant| quant.len())
        .map(|quant| quant.to_string())
}

/// The GGUF files grouped by quantisation: a split set is one entry (shards in order).
pub fn group_quants(files: &[RepoFile]) -> Vec<QuantFiles> {
    let mut groups: BTreeMap<String, QuantFiles> = BTreeMap::new();
    for file in files
        .iter()
        .filter(|f| f.path.to_ascii_lowercase().ends_with(".gguf"))
    {
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        let folder = &file.path[..file.path.len() - name.len()];
        let key = match split_parts(name) {
            Some((prefix, _, count)) => format!("{folder}{prefix}-of-{count}"),
            None => file.path.clone(),
        };
        let group = groups.entry(key).or_insert_with(|| QuantFiles {
            label: quant_label(&file.path).unwrap_or_else(|| name.to_string()),
            files: Vec::new(),
            size: 0,
            projector: name.to_ascii_lowercase().starts_with("mmproj"),
        });
        group.files.push(file.path.clone());
        group.size += file.size;
    }
    let mut out: Vec<QuantFiles> = groups
        .into_values()
        .map(|mut group| {
            group.files.sort();
            group
        })
        .collect();
    out.sort_by_key(|group| (group.projector, group.size));
    out
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawModel {
    /// The hub also sends the same value as `modelId`.
    id: String,
    #[serde(default)]
    downloads: u64,
    #[serde(default)]
    likes: u64,
    #[serde(default)]
    gated: Option<serde_json::Value>,
    #[serde(default)]
    last_modified: Option<String>,
    #[serde(default, rename = "pipeline_tag")]
    pipeline_tag: Option<String>,
}

impl RawModel {
    fn into_model(self) -> HubModel {
        HubModel {
            gated: gated_text(&self.gated),
            id: self.id,
            downloads: self.downloads,
            likes: self.likes,
            last_modified: self.last_modified,
            pipeline_tag: self.pipeline_tag,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRepoInfo {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    sha: Option<String>,
    #[serde(default)]
    gated: Option<serde_json::Value>,
    #[serde(default)]
    downloads: Option<u64>,
    #[serde(default)]
    card_data: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Deserialize)]
struct RawTreeEntry {
    #[serde(rename = "type")]
    kind: String,
    path: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    oid: Option<String>,
    #[serde(default)]
    lfs: Option<RawLfs>,
}

#[derive(Deserialize)]
struct RawLfs {
    #[serde(default)]
    oid: Option<String>,
    #[serde(default)]
    size: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, size: u64) -> RepoFile {
        RepoFile {
            path: path.into(),
            size,
            sha256: None,
            oid: None,
        }
    }

    #[test]
    fn groups_quants_and_split_sets() {
        let files = [
            file("README.md", 1),
            file("m-Q4_K_M.gguf", 40),
            file("m-Q8_0.gguf", 80),
            file("Q6_K/m-Q6_K-00002-of-00002.gguf", 30),
            file("Q6_K/m-Q6_K-00001-of-00002.gguf", 30),
            file("mmproj-m-f16.gguf", 5),
        ];
        let groups = group_quants(&files);
        let labels: Vec<(&str, u64, usize, bool)> = groups
            .iter()
            .map(|g| (g.label.as_str(), g.size, g.files.len(), g.projector))
            .collect();
        assert_eq!(
            labels,
            vec![
                ("Q4_K_M", 40, 1, false),
                ("Q6_K", 60, 2, false),
                ("Q8_0", 80, 1, false),
                ("F16", 5, 1, true)
            ]
        );
        assert_eq!(groups[1].files[0], "Q6_K/m-Q6_K-00001-of-00002.gguf");
    }

    #[test]
    fn quant_labels_take_the_longest_whole_token() {
        assert_eq!(quant_label("x-Q4_K_M.gguf").as_deref(), Some("Q4_K_M"));
        assert_eq!(
            quant_label("x.IQ3_XS-00001-of-00002.gguf").as_deref(),
            Some("IQ3_XS")
        );
        assert_eq!(quant_label("model.gguf"), None);
    }

    #[test]
    fn errors_follow_x_error_code() {
        let mut headers = HeaderMap::new();
        headers.insert("x-error-code", "GatedRepo".parse().unwrap());
        let gated = hub_error(401, &headers, b"{}", "meta/llama", "https://hf.co", "x");
        assert!(matches!(gated, HubError::Gated { .. }));
        let hidden = hub_error(401, &HeaderMap::new(), b"", "a/b", "e", "x");
        assert!(matches!(hidden, HubError::RepoNotFound { .. }));
        let mut bad_token = HeaderMap::new();
        bad_token.insert(
            "x-error-message",
            "Invalid credentials in Authorization header"
                .parse()
                .unwrap(),
        );
        let refused = hub_error(401, &bad_token, b"", "a/b", "e", "x");
        assert!(matches!(refused, HubError::Forbidden { .. }));
    }

    #[test]
    fn links_and_repo_ids() {
        let mut headers = HeaderMap::new();
        headers.insert(
            LINK,
            "<https://hf.co/api/models?cursor=abc>; rel=\"next\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://hf.co/api/models?cursor=abc")
        );
        assert!(validate_repo_id("Qwen/Qwen2.5-7B-Instruct-GGUF").is_ok());
        for bad in ["a", "a/b/c", "../x", "a/..", "a/b c", "/b"] {
            assert!(validate_repo_id(bad).is_err(), "{bad}");
        }
        let client = HfClient::new("https://hf.co/", None).unwrap();
        assert_eq!(
            client.resolve_url("a/b", "c0", "Q8 0/m.gguf"),
            "https://hf.co/a/b/resolve/c0/Q8%200/m.gguf"
        );
        assert!(client.same_endpoint("https://evil.example/api").is_err());
    }
}
