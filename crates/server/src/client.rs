//! The running app or server, asked over its API from a terminal (as `ollama ps` and `lms ps`
//! do): the client, and the tables of `llmops ps | models | status`. It sends the local server token from the data dir, so it
//! also works where loopback needs a login; `--json` prints the API's answer as it is.

use std::time::Duration;

use serde_json::Value;

/// Where the API is and the token to send.
pub struct ApiClient {
    base: String,
    token: Option<String>,
    http: reqwest::Client,
}

impl ApiClient {
    /// The server on `127.0.0.1:port`, with the token of the data dir `data_dir` if it has one.
    pub fn local(port: u16, data_dir: &std::path::Path) -> ApiClient {
        let token = std::fs::read_to_string(data_dir.join("server-token"))
            .ok()
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty());
        ApiClient {
            base: format!("http://127.0.0.1:{port}"),
            token,
            // No overall timeout here: a chat or log stream lasts as long as it lasts. Quick calls
            // set theirs in `call`, streams bound the wait for each chunk.
            http: reqwest::Client::builder()
                .no_proxy()
                .connect_timeout(Duration::from_secs(5))
                .build()
                .expect("an HTTP client builds"),
        }
    }

    /// `GET /api{path}` as JSON; the error says what is wrong and what to do.
    pub async fn get(&self, path: &str) -> Result<Value, String> {
        self.call(reqwest::Method::GET, path, None).await
    }

    /// `POST /api{path}` with a JSON body (or none).
    pub async fn post(&self, path: &str, body: Option<Value>) -> Result<Value, String> {
        self.call(reqwest::Method::POST, path, body).await
    }

    /// `PUT /api{path}` with a JSON body.
    pub async fn put(&self, path: &str, body: Value) -> Result<Value, String> {
        self.call(reqwest::Method::PUT, path, Some(body)).await
    }

    /// `DELETE /api{path}`.
    pub async fn delete(&self, path: &str) -> Result<Value, String> {
        self.call(reqwest::Method::DELETE, path, None).await
    }

    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        let mut request = self
            .request(method, &format!("/api{path}"))
            .timeout(Duration::from_secs(30));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = self.send(request).await?;
        let status = response.status();
        let body: Value = if status == reqwest::StatusCode::NO_CONTENT {
            Value::Null
        } else {
            response
                .json()
                .await
                .map_err(|e| format!("{} answered something that is not JSON: {e}", self.base))?
        };
        if status.is_success() {
            return Ok(body);
        }
        Err(api_error(&body, status))
    }

    /// A request to `path` (from the server's root) with the token.
    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let request = self.http.request(method, format!("{}{path}", self.base));
        match &self.token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Sends, turning "nothing listens" into what to do.
    pub async fn send(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<reqwest::Response, String> {
        request.send().await.map_err(|e| {
            if e.is_connect() {
                format!(
                    "no llmops is listening on {}: start the app or `llmops serve` (or pass --port)",
                    self.base.trim_start_matches("http://")
                )
            } else {
                format!("{} did not answer: {e}", self.base)
            }
        })
    }
}

/// An API error (`{code, message}`) or an OpenAI-shaped one (`{error: {code, message}}`) as
/// one line with its code and HTTP status.
pub fn api_error(body: &Value, status: reqwest::StatusCode) -> String {
    let error = if body["error"].is_object() {
        &body["error"]
    } else {
        body
    };
    let code = error["code"]
        .as_str()
        .or(error["type"].as_str())
        .unwrap_or("error");
    let message = error["message"].as_str().unwrap_or("no message");
    format!("{message} ({code}, HTTP {})", status.as_u16())
}

/// A plain-text table: a header and rows, each column as wide as its widest cell.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c:<width$}", width = widths[i]))
            .collect();
        padded.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(header.iter().map(|h| h.to_string()).collect());
    for row in rows {
        out += &line(row.clone());
    }
    out
}

/// A JSON value as a table cell (`–` for null).
pub fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "–".into(),
        other => other.to_string(),
    }
}

/// Live and recent instances.
pub fn instances_table(instances: &Value) -> String {
    let rows: Vec<Vec<String>> = instances
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            vec![
                text(&i["model_name"]),
                text(&i["state"]["kind"]),
                text(&i["engine"]),
                text(&i["port"]),
                text(&i["pid"]),
                text(&i["base_url"]),
                text(&i["id"]),
            ]
        })
        .collect();
    if rows.is_empty() {
        return "no model is running (`llmops models` lists them)\n".into();
    }
    table(
        &["MODEL", "STATE", "ENGINE", "PORT", "PID", "URL", "ID"],
        &rows,
    )
}

/// The configured models.
pub fn models_table(models: &Value) -> String {
    let rows: Vec<Vec<String>> = models
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            vec![
                text(&m["name"]),
                text(&m["engine"]),
                text(&m["context_size"]),
                text(&m["path"]),
                text(&m["id"]),
            ]
        })
        .collect();
    if rows.is_empty() {
        return "no model is configured (add one on the Deploy page)\n".into();
    }
    table(&["NAME", "ENGINE", "CONTEXT", "PATH", "ID"], &rows)
}

/// The machine in a few lines.
pub fn status_text(snapshot: &Value) -> String {
    let gib = |v: &Value| {
        v.as_f64()
            .map_or("–".into(), |b| format!("{:.1} GiB", b / 1_073_741_824.0))
    };
    let memory = &snapshot["memory"];
    let mut out = format!(
        "host     {}\nCPU      {} ({} cores) {:.0} %\nmemory   {} used of {}\n",
        text(&snapshot["hostname"]),
        text(&snapshot["cpu"]["brand"]),
        text(&snapshot["cpu"]["logical_cores"]),
        snapshot["cpu"]["usage_percent"].as_f64().unwrap_or(0.0),
        gib(&memory["used_bytes"]),
        gib(&memory["total_bytes"]),
    );
    let gpus = snapshot["gpu"]["gpus"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if gpus.is_empty() {
        out += "GPUs     none readable\n";
    }
    for gpu in gpus {
        out += &format!(
            "GPU {}    {} {} % busy, {} of {}\n",
            text(&gpu["index"]),
            text(&gpu["name"]),
            text(&gpu["utilization_percent"]),
            gib(&gpu["memory_used_bytes"]),
            gib(&gpu["memory_total_bytes"]),
        );
    }
    let instances = snapshot["instances"].as_array().map_or(0, Vec::len);
    out += &format!("models   {instances} running\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_line_up_and_say_when_empty() {
        let out = table(&["A", "LONGER"], &[vec!["wide cell".into(), "x".into()]]);
        assert_eq!(out, "A          LONGER\nwide cell  x\n");
        assert!(instances_table(&serde_json::json!([])).contains("no model is running"));
        let one = serde_json::json!([{"model_name": "Qwen", "state": {"kind": "running"}, "engine": "llama_cpp",
            "port": 4100, "pid": 12, "base_url": "http://127.0.0.1:4100/v1", "id": "abc"}]);
        assert!(instances_table(&one).contains("Qwen   running  llama_cpp  4100"));
    }
}
