//! ModelScope (modelscope.cn), the hub many users in China use instead of Hugging Face: file
//! listings with sha256, downloads, and search where its API allows. Shapes are the SDK's up to
//! June 2026 (`modelscope/hub/api.py`; `shared/research/model-hub-contracts.md` §2): every answer
//! is `{"Code", "Data", "Message", "Success"}`. The search endpoint (`/api/v1/dolphin/models`) is
//! undocumented; when it fails the user opens a repository by its id.

use serde::Deserialize;

use super::error::HubError;
use super::hf::{
    group_quants, read_bounded, validate_repo_id, HubModel, HubRepo, HubSearchPage, RepoFile,
};

pub const DEFAULT_ENDPOINT: &str = "https://www.modelscope.cn";
const MAX_API_ANSWER: usize = 16 << 20;

/// `MODELSCOPE_DOMAIN` (a bare host, as the SDK takes it, or a whole address), else modelscope.cn.
pub fn endpoint_from_env() -> String {
    match std::env::var("MODELSCOPE_DOMAIN")
        .ok()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
    {
        Some(domain) if domain.contains("://") => domain.trim_end_matches('/').to_string(),
        Some(domain) => format!("https://{}", domain.trim_end_matches('/')),
        None => DEFAULT_ENDPOINT.to_string(),
    }
}

/// The download address of one file.
pub fn file_url(endpoint: &str, repo: &str, revision: &str, path: &str) -> String {
    let mut url =
        reqwest::Url::parse(&format!("{endpoint}/api/v1/models/{repo}/repo")).expect("an address");
    url.query_pairs_mut()
        .append_pair("Revision", revision)
        .append_pair("FilePath", path);
    url.to_string()
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Envelope<T> {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    success: Option<bool>,
    data: Option<T>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct FilesData {
    #[serde(default)]
    files: Vec<MsFile>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MsFile {
    path: String,
    #[serde(rename = "Type", default)]
    kind: String,
    #[serde(default)]
    size: u64,
    #[serde(default)]
    sha256: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SearchData {
    model: SearchModels,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SearchModels {
    #[serde(default)]
    models: Vec<SearchModel>,
    #[serde(default)]
    total_count: u64,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SearchModel {
    path: String,
    name: String,
    #[serde(default)]
    downloads: u64,
    #[serde(default)]
    stars: u64,
}

/// A ModelScope request, with its envelope checked.
async fn call<T: serde::de::DeserializeOwned>(
    request: reqwest::RequestBuilder,
    endpoint: &str,
    what: &str,
    repo: &str,
) -> Result<T, HubError> {
    let response = request
        .timeout(std::time::Duration::from_secs(60))
        .send()
        .await
        .map_err(|e| HubError::Unreachable {
            endpoint: endpoint.into(),
            detail: e.without_url().to_string(),
        })?;
    let status = response.status().as_u16();
    let body = read_bounded(response, MAX_API_ANSWER)
        .await
        .map_err(|detail| HubError::Unreachable {
            endpoint: endpoint.into(),
            detail,
        })?;
    let envelope: Option<Envelope<T>> = serde_json::from_slice(&body).ok();
    let message = envelope
        .as_ref()
        .and_then(|e| e.message.clone())
        .unwrap_or_else(|| String::from_utf8_lossy(&body).chars().take(300).collect());
    match (status, envelope) {
        (
            200,
            Some(Envelope {
                data: Some(data),
                success,
                code,
                ..
            }),
        ) if success != Some(false) && code.as_ref().is_none_or(|c| c == 200 || c == "200") => {
            Ok(data)
        }
        (401 | 403, _) if !repo.is_empty() => Err(HubError::Forbidden {
            repo: repo.into(),
            detail: format!("{message} (a private repository needs MODELSCOPE_API_TOKEN)"),
        }),
        (404, _) if !repo.is_empty() => Err(HubError::RepoNotFound { repo: repo.into() }),
        (200, _) => Err(HubError::BadAnswer {
            what: what.into(),
            detail: message,
        }),
        (status, _) => Err(HubError::HubStatus {
            what: what.into(),
            status,
            detail: message,
        }),
    }
}

/// A repository's files at `revision` (ModelScope pins by branch or tag; every file's sha256 is
/// checked after download).
pub async fn repo(
    http: &reqwest::Client,
    endpoint: &str,
    token: Option<&str>,
    id: &str,
    revision: &str,
) -> Result<HubRepo, HubError> {
    validate_repo_id(id)?;
    let mut url = reqwest::Url::parse(&format!("{endpoint}/api/v1/models/{id}/repo/files"))
        .map_err(|e| HubError::InvalidInput(e.to_string()))?;
    url.query_pairs_mut()
        .append_pair("Revision", revision)
        .append_pair("Recursive", "true");
    let data: FilesData = call(
        with_token(http.get(url), token),
        endpoint,
        "the file list",
        id,
    )
    .await?;
    let files: Vec<RepoFile> = data
        .files
        .into_iter()
        .filter(|file| {
            file.kind != "tree" && !matches!(file.path.as_str(), ".gitignore" | ".gitattributes")
        })
        .map(|file| RepoFile {
            path: file.path,
            size: file.size,
            sha256: file
                .sha256
                .filter(|s| !s.is_empty())
                .map(|s| s.to_ascii_lowercase()),
            oid: None,
        })
        .collect();
    Ok(HubRepo {
        id: id.to_string(),
        commit: revision.to_string(),
        gated: None,
        license: None,
        downloads: 0,
        quants: group_quants(&files),
        files,
    })
}

/// Searches GGUF models (the web UI's undocumented endpoint; best effort).
pub async fn search(
    http: &reqwest::Client,
    endpoint: &str,
    token: Option<&str>,
    query: &str,
    page: u32,
    limit: u32,
) -> Result<HubSearchPage, HubError> {
    let body = serde_json::json!({
        "Name": query.trim(),
        "PageSize": limit.clamp(1, 100),
        "PageNumber": page.max(1),
        "SortBy": "DownloadsCount",
        "Target": "",
        "SingleCriterion": [],
        "Criterion": [{"category": "libraries", "predicate": "contains", "values": ["gguf"]}],
    });
    let request = with_token(
        http.put(format!("{endpoint}/api/v1/dolphin/models"))
            .json(&body),
        token,
    );
    let data: SearchData = call(
        request,
        endpoint,
        "the ModelScope search (open a repository by its id instead)",
        "",
    )
    .await?;
    let shown = page.max(1) as u64 * limit.clamp(1, 100) as u64;
    Ok(HubSearchPage {
        models: data
            .model
            .models
            .into_iter()
            .map(|m| HubModel {
                id: format!("{}/{}", m.path, m.name),
                downloads: m.downloads,
                likes: m.stars,
                gated: None,
                last_modified: None,
                pipeline_tag: None,
            })
            .collect(),
        next_cursor: (shown < data.model.total_count).then(|| (page.max(1) + 1).to_string()),
    })
}

fn with_token(request: reqwest::RequestBuilder, token: Option<&str>) -> reqwest::RequestBuilder {
    match token {
        Some(token) => request.bearer_auth(token),
        None => request,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_addresses_escape_the_path() {
        assert_eq!(
            file_url("https://ms.example", "Qwen/Q-GGUF", "master", "Q4 K/m.gguf"),
            "https://ms.example/api/v1/models/Qwen/Q-GGUF/repo?Revision=master&FilePath=Q4+K%2Fm.gguf"
        );
    }
}
