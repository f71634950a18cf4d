//! `llmops start | stop | logs | pull | chat | bench`: the terminal commands that act on the
//! running app or server, over its API with the local token (as `ollama` and `lms` do). They
//! print as they go (a progress line, a streamed answer) and end with a short report; every API
//! error is shown with its code. The app decides: these commands never pick an instance or a
//! port themselves (`chat` goes through the `/v1` gateway, which routes by model name).

use std::io::{IsTerminal, Write};
use std::time::Duration;

use serde_json::{json, Value};

use crate::client::{api_error, table, text, ApiClient};

/// How often a command that waits asks again.
const POLL: Duration = Duration::from_millis(300);
/// The longest silence a stream may keep before the command gives up on it.
const STREAM_SILENCE: Duration = Duration::from_secs(300);

/// A configured model by id, by name in any case, or by a part of one name (`smollm`); a clear
/// error when none or several match.
pub async fn find_model(client: &ApiClient, wanted: &str) -> Result<Value, String> {
    let models = client.get("/models").await?;
    let models = models.as_array().cloned().unwrap_or_default();
    if let Some(model) = models.iter().find(|m| m["id"] == wanted) {
        return Ok(model.clone());
    }
    let name = |m: &Value| m["name"].as_str().unwrap_or_default().to_lowercase();
    let wanted_lower = wanted.to_lowercase();
    let mut named: Vec<&Value> = models.iter().filter(|m| name(m) == wanted_lower).collect();
    if named.is_empty() {
        named = models
            .iter()
            .filter(|m| name(m).contains(&wanted_lower))
            .collect();
    }
    match named.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(format!(
            "no model is called {wanted:?}; `llmops models` lists them (by name or id)"
        )),
        _ => Err(format!(
            "{wanted:?} could be {}; give the full name or the id",
            named
                .iter()
                .map(|m| text(&m["name"]))
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}

fn model_path(model: &Value, action: &str) -> String {
    format!(
        "/models/{}/{action}",
        model["id"].as_str().unwrap_or_default()
    )
}

/// Starts a model and, unless `wait` is off, waits until it serves (or fails, with the reason).
pub async fn start(client: &ApiClient, wanted: &str, wait: bool) -> Result<Value, String> {
    let model = find_model(client, wanted).await?;
    let mut instance = client.post(&model_path(&model, "start"), None).await?;
    if !wait {
        return Ok(instance);
    }
    let path = format!("/instances/{}", instance["id"].as_str().unwrap_or_default());
    let mut progress = Progress::new();
    loop {
        match instance["state"]["kind"].as_str().unwrap_or_default() {
            "running" => break,
            "failed" | "stopped" => {
                progress.finish();
                return Err(failure_text(&model, &instance));
            }
            state => progress.show(&format!("{}: {state}…", text(&model["name"]))),
        }
        tokio::time::sleep(POLL).await;
        instance = client.get(&path).await?;
    }
    progress.finish();
    Ok(instance)
}

fn failure_text(model: &Value, instance: &Value) -> String {
    let state = &instance["state"];
    let mut out = format!(
        "{} did not start: {}",
        text(&model["name"]),
        state["reason"].as_str().unwrap_or("it stopped")
    );
    if let Some(code) = state["summary"]["code"].as_str() {
        out += &format!(" ({code})");
    }
    if let Some(hint) = state["hint"].as_str() {
        out += &format!("\n  {hint}");
    }
    out
}

/// Stops a model's live instance.
pub async fn stop(client: &ApiClient, wanted: &str) -> Result<Value, String> {
    let model = find_model(client, wanted).await?;
    client.post(&model_path(&model, "stop"), None).await
}

/// The model's newest instance (the one the app started last), or why there is none.
async fn newest_instance(client: &ApiClient, model: &Value) -> Result<Option<Value>, String> {
    let instances = client.get("/instances").await?;
    Ok(instances
        .as_array()
        .into_iter()
        .flatten()
        .filter(|i| i["model_id"] == model["id"])
        .max_by_key(|i| i["started_at"].as_i64().unwrap_or_default())
        .cloned())
}

/// Prints the last `tail` lines of the model's newest instance; with `follow`, keeps printing new
/// lines (and those of the next instance after a restart) until Ctrl+C.
pub async fn logs(
    client: &ApiClient,
    wanted: &str,
    tail: usize,
    follow: bool,
) -> Result<(), String> {
    let model = find_model(client, wanted).await?;
    let mut shown: Option<(String, u64)> = None;
    let stdout = std::io::stdout();
    loop {
        let Some(instance) = newest_instance(client, &model).await? else {
            if !follow {
                return Err(format!(
                    "{} has not run since the app started; `llmops start {wanted}` starts it",
                    text(&model["name"])
                ));
            }
            tokio::select! {
                _ = tokio::time::sleep(POLL) => continue,
                _ = tokio::signal::ctrl_c() => return Ok(()),
            }
        };
        let id = instance["id"].as_str().unwrap_or_default().to_string();
        let query = match &shown {
            Some((seen, last)) if *seen == id => format!("since={}&limit=5000", last + 1),
            Some(_) => {
                writeln!(
                    stdout.lock(),
                    "── {} restarted ({id}) ──",
                    text(&model["name"])
                )
                .ok();
                "since=0&limit=5000".to_string()
            }
            None => format!("limit={}", tail.clamp(1, 5000)),
        };
        let lines = client.get(&format!("/instances/{id}/logs?{query}")).await?;
        let mut last = shown
            .as_ref()
            .filter(|(seen, _)| *seen == id)
            .map(|(_, last)| *last);
        let mut out = stdout.lock();
        for line in lines.as_array().into_iter().flatten() {
            writeln!(out, "{}", line["text"].as_str().unwrap_or_default()).ok();
            last = line["seq"].as_u64().or(last);
        }
        out.flush().ok();
        drop(out);
        shown = Some((id, last.unwrap_or(0)));
        if !follow {
            return Ok(());
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

/// `REPO[:QUANT]` → the repository and the quantization asked for, if any.
pub fn split_reference(reference: &str) -> Result<(&str, Option<&str>), String> {
    let (repo, quant) = match reference.rsplit_once(':') {
        Some((repo, quant)) => (repo, Some(quant)),
        None => (reference, None),
    };
    let parts: Vec<&str> = repo.split('/').collect();
    if parts.len() != 2 || parts.iter().any(|p| p.is_empty()) || quant == Some("") {
        return Err(format!(
            "{reference:?} is not OWNER/REPO or OWNER/REPO:QUANT (e.g. bartowski/Qwen2.5-7B-Instruct-GGUF:Q4_K_M)"
        ));
    }
    Ok((repo, quant))
}

/// Which of a repository's quantizations to fetch: the one named (any case), else Q4_K_M as
/// Ollama and LM Studio default to, else the only one; otherwise the choices.
pub fn choose_quant<'a>(
    repo: &str,
    quants: &'a [Value],
    wanted: Option<&str>,
) -> Result<&'a Value, String> {
    let label = |q: &Value| q["label"].as_str().unwrap_or_default().to_string();
    let by_label = |name: &str| quants.iter().find(|q| label(q).eq_ignore_ascii_case(name));
    let found = match wanted {
        Some(name) => by_label(name),
        None => by_label("Q4_K_M").or(if quants.len() == 1 {
            quants.first()
        } else {
            None
        }),
    };
    found.ok_or_else(|| {
        let labels: Vec<String> = quants.iter().map(label).collect();
        if labels.is_empty() {
            return format!("{repo} has no GGUF files to run");
        }
        let asked = wanted.map_or("choose one".to_string(), |w| format!("no {w} there"));
        format!(
            "{repo}: {asked}; it has {} (e.g. `llmops pull {repo}:{}`)",
            labels.join(", "),
            labels[0]
        )
    })
}

/// Downloads a quantization of a hub repository with the app's verified, resumable downloader,
/// showing progress until it completes. Ctrl+C leaves it downloading in the app.
pub async fn pull(client: &ApiClient, reference: &str) -> Result<Value, String> {
    let (repo, wanted) = split_reference(reference)?;
    let listing = client
        .get(&format!("/hub/repo?repo={}", query_escape(repo)))
        .await?;
    let quants = listing["quants"].as_array().cloned().unwrap_or_default();
    let quant = choose_quant(repo, &quants, wanted)?;
    let body = json!({ "repo": repo, "files": quant["files"] });
    let download = client.post("/hub/downloads", Some(body)).await?;
    let id = download["id"].as_str().unwrap_or_default().to_string();
    let mut progress = Progress::new();
    loop {
        let downloads = client.get("/hub/downloads").await?;
        let Some(now) = downloads
            .as_array()
            .into_iter()
            .flatten()
            .find(|d| d["id"] == id.as_str())
            .cloned()
        else {
            progress.finish();
            return Err("the download was removed in the app".into());
        };
        match now["state"].as_str().unwrap_or_default() {
            "completed" => {
                progress.finish();
                return Ok(now);
            }
            state @ ("failed" | "cancelled" | "paused") => {
                progress.finish();
                let why = now["error"]["message"]
                    .as_str()
                    .unwrap_or("no reason given");
                return Err(format!("the download {state}: {why}"));
            }
            state => progress.show(&download_line(repo, state, &now)),
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = tokio::signal::ctrl_c() => {
                progress.finish();
                return Err("stopped watching; the download goes on in llmops (see its Hub page)".into());
            }
        }
    }
}

pub(crate) fn download_line(repo: &str, state: &str, download: &Value) -> String {
    let done = download["done_bytes"].as_f64().unwrap_or(0.0);
    let total = download["total_bytes"].as_f64().unwrap_or(0.0);
    let percent = if total > 0.0 {
        done / total * 100.0
    } else {
        0.0
    };
    let mut line = format!(
        "{repo}: {state} {percent:.0} % ({} of {})",
        megabytes(done),
        megabytes(total)
    );
    if let Some(rate) = download["rate_bytes_per_second"].as_f64() {
        line += &format!(", {}/s", megabytes(rate));
    }
    if let Some(eta) = download["eta_seconds"].as_f64() {
        line += &format!(", {eta:.0} s left");
    }
    line
}

pub(crate) fn megabytes(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1e6)
}

/// Percent-encodes a query value or a path segment (a repository id holds `/`, and may hold
/// anything else).
pub fn query_escape(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One chat exchange: the conversation so far in, the streamed answer printed and returned.
/// It goes through `/v1/chat/completions`, so the gateway picks (and may start) the instance.
pub async fn chat_turn(
    client: &ApiClient,
    target: &ChatTarget,
    messages: &[Value],
    out: &mut impl Write,
) -> Result<String, String> {
    let mut body = json!({ "model": target.model, "messages": messages, "stream": true });
    if let Some(max_tokens) = target.max_tokens {
        body["max_tokens"] = json!(max_tokens);
    }
    let request = client
        .request(reqwest::Method::POST, "/v1/chat/completions")
        .json(&body);
    let mut response = client.send(request).await?;
    let status = response.status();
    if !status.is_success() {
        let body: Value = response.json().await.unwrap_or(Value::Null);
        return Err(api_error(&body, status));
    }
    let mut parser = llmops_core::chat::SseParser::new();
    let mut answer = String::new();
    loop {
        let chunk = tokio::time::timeout(STREAM_SILENCE, response.chunk())
            .await
            .map_err(|_| "the model sent nothing for 5 minutes; giving up".to_string())?
            .map_err(|e| format!("the answer stopped: {e}"))?;
        let Some(chunk) = chunk else {
            return Err("the answer ended without [DONE]".into());
        };
        for event in parser.feed(&chunk) {
            if event.data == "[DONE]" {
                return Ok(answer);
            }
            let data: Value = serde_json::from_str(&event.data)
                .map_err(|e| format!("the gateway sent a chunk that is not JSON: {e}"))?;
            if data["error"].is_object() {
                return Err(api_error(&data, status));
            }
            if let Some(delta) = data["choices"][0]["delta"]["content"].as_str() {
                answer += delta;
                write!(out, "{delta}").and_then(|()| out.flush()).ok();
            }
        }
        if parser.overflowed() {
            return Err("the gateway sent a line longer than 1 MiB".into());
        }
    }
}

/// Whom `llmops chat` talks to: a model name the gateway knows, and an answer's length limit.
pub struct ChatTarget {
    pub model: String,
    pub max_tokens: Option<u32>,
}

/// A conversation in the terminal: each line typed is a turn, `/clear` forgets, `/bye` or
/// Ctrl+D ends. With `prompt` (or text piped in), one answer and done.
pub async fn chat(
    client: &ApiClient,
    target: &ChatTarget,
    prompt: Option<String>,
) -> Result<(), String> {
    let stdout = std::io::stdout();
    let one_shot = match prompt {
        Some(prompt) => Some(prompt),
        None if !std::io::stdin().is_terminal() => {
            let mut piped = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut piped)
                .map_err(|e| format!("cannot read the prompt from stdin: {e}"))?;
            Some(piped)
        }
        None => None,
    };
    if let Some(prompt) = one_shot {
        let messages = [json!({ "role": "user", "content": prompt.trim() })];
        chat_turn(client, target, &messages, &mut stdout.lock()).await?;
        println!();
        return Ok(());
    }
    eprintln!(
        "Chatting with {}. /clear forgets the conversation, /bye (or Ctrl+D) ends.",
        target.model
    );
    let mut messages: Vec<Value> = Vec::new();
    loop {
        eprint!(">>> ");
        let mut line = String::new();
        let read = std::io::stdin()
            .read_line(&mut line)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        let line = line.trim();
        match line {
            _ if read == 0 || line == "/bye" => return Ok(()),
            "" => continue,
            "/clear" => {
                messages.clear();
                eprintln!("(forgotten)");
                continue;
            }
            _ => {}
        }
        messages.push(json!({ "role": "user", "content": line }));
        match chat_turn(client, target, &messages, &mut stdout.lock()).await {
            Ok(answer) => messages.push(json!({ "role": "assistant", "content": answer })),
            Err(err) => {
                messages.pop();
                eprintln!("\nllmops: {err}");
            }
        }
        println!();
    }
}

/// What `llmops bench` measures: one concurrency level of synthetic requests.
pub struct BenchOptions {
    pub requests: u32,
    pub concurrency: Vec<u32>,
    pub input_tokens: u32,
    pub output_tokens: u32,
}

/// Runs a benchmark of a model with the app's load generator, showing progress, and answers the
/// finished benchmark (its results are also on the Benchmarks page).
pub async fn bench(
    client: &ApiClient,
    wanted: &str,
    options: &BenchOptions,
) -> Result<Value, String> {
    let model = find_model(client, wanted).await?;
    let spec = json!({
        "target": { "kind": "model", "model_id": model["id"] },
        "workload": { "kind": "synthetic",
            "input": { "mean": options.input_tokens, "spread": 0.0 },
            "output": { "mean": options.output_tokens, "spread": 0.0 } },
        "load": { "kind": "concurrency", "levels": options.concurrency },
        "requests": options.requests,
        "duration_s": null,
        "warmup_requests": 1,
        "seed": 0,
        "ignore_eos": true,
        "slo": { "ttft_ms": null, "tpot_ms": null, "e2el_ms": null },
        "label": format!("llmops bench {}", text(&model["name"])),
    });
    let started = client.post("/benchmarks", Some(spec)).await?;
    let path = format!("/benchmarks/{}", started["id"].as_str().unwrap_or_default());
    let mut progress = Progress::new();
    loop {
        let now = client.get(&path).await?;
        match now["state"].as_str().unwrap_or_default() {
            "running" => progress.show(&bench_line(&now["progress"])),
            "completed" => {
                progress.finish();
                return Ok(now);
            }
            state => {
                progress.finish();
                let why = now["error"]["message"]
                    .as_str()
                    .unwrap_or("no reason given");
                return Err(format!("the benchmark {state}: {why}"));
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(POLL) => {}
            _ = tokio::signal::ctrl_c() => {
                progress.finish();
                client.post(&format!("{path}/cancel"), None).await?;
                return Err("cancelled".into());
            }
        }
    }
}

fn bench_line(progress: &Value) -> String {
    if progress["warming_up"].as_bool() == Some(true) {
        return "warming up…".into();
    }
    format!(
        "level {} of {}: {} of {} done, {} failed, {:.1} tok/s",
        progress["level"].as_u64().unwrap_or(0) + 1,
        text(&progress["levels"]),
        text(&progress["done"]),
        text(&progress["total"]),
        text(&progress["failed"]),
        progress["output_throughput"].as_f64().unwrap_or(0.0),
    )
}

/// A finished benchmark's levels, with vLLM's metric names (milliseconds).
pub fn bench_table(benchmark: &Value) -> String {
    let ms = |d: &Value, p: &str| format!("{:.1}", d[p].as_f64().unwrap_or(0.0));
    let rows: Vec<Vec<String>> = benchmark["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|level| {
            vec![
                text(&level["load"]),
                format!("{}/{}", text(&level["completed"]), text(&level["failed"])),
                format!("{:.1}", level["output_throughput"].as_f64().unwrap_or(0.0)),
                ms(&level["ttft_ms"], "p50"),
                ms(&level["ttft_ms"], "p99"),
                ms(&level["tpot_ms"], "p50"),
                ms(&level["itl_ms"], "p50"),
                ms(&level["e2el_ms"], "p50"),
            ]
        })
        .collect();
    table(
        &[
            "LOAD",
            "OK/FAILED",
            "OUT TOK/S",
            "TTFT P50",
            "TTFT P99",
            "TPOT P50",
            "ITL P50",
            "E2EL P50",
        ],
        &rows,
    )
}

/// One line redrawn in place on a terminal (stderr); on a pipe, each change on its own line.
pub(crate) struct Progress {
    on_terminal: bool,
    last: String,
}

impl Progress {
    pub(crate) fn new() -> Progress {
        Progress {
            on_terminal: std::io::stderr().is_terminal(),
            last: String::new(),
        }
    }

    pub(crate) fn show(&mut self, line: &str) {
        if line == self.last {
            return;
        }
        if self.on_terminal {
            eprint!("\r\x1b[2K{line}");
        } else {
            eprintln!("{line}");
        }
        self.last = line.to_string();
    }

    pub(crate) fn finish(&mut self) {
        if self.on_terminal && !self.last.is_empty() {
            eprintln!();
        }
        self.last.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_name_a_repository_and_maybe_a_quant() {
        assert_eq!(split_reference("a/b").unwrap(), ("a/b", None));
        assert_eq!(split_reference("a/b:Q8_0").unwrap(), ("a/b", Some("Q8_0")));
        for bad in ["a", "a/b/c", "/b", "a/b:", ":Q4"] {
            assert!(
                split_reference(bad).unwrap_err().contains("OWNER/REPO"),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_quant_is_the_named_one_else_q4_k_m_else_the_only_one() {
        let quants = vec![json!({"label": "Q8_0"}), json!({"label": "Q4_K_M"})];
        assert_eq!(
            choose_quant("a/b", &quants, Some("q8_0")).unwrap()["label"],
            "Q8_0"
        );
        assert_eq!(
            choose_quant("a/b", &quants, None).unwrap()["label"],
            "Q4_K_M"
        );
        let missing = choose_quant("a/b", &quants, Some("Q2_K")).unwrap_err();
        assert!(
            missing.contains("no Q2_K there") && missing.contains("Q8_0, Q4_K_M"),
            "{missing}"
        );
        let only = vec![json!({"label": "F16"})];
        assert_eq!(choose_quant("a/b", &only, None).unwrap()["label"], "F16");
        let two = vec![json!({"label": "F16"}), json!({"label": "Q8_0"})];
        assert!(choose_quant("a/b", &two, None)
            .unwrap_err()
            .contains("choose one"));
        assert!(choose_quant("a/b", &[], None)
            .unwrap_err()
            .contains("no GGUF"));
    }

    #[test]
    fn query_values_are_escaped() {
        assert_eq!(query_escape("org/My Model+x"), "org%2FMy%20Model%2Bx");
    }
}
