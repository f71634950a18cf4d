//! A stand-in OpenAI-compatible engine with nothing but the standard library, for the Windows
//! smoke test under Wine (`tests/e2e/windows.mjs`), where neither llama-server nor Python runs.
//! It answers `/health`, `/v1/models` and `/v1/chat/completions` (plain and streamed) with a
//! fixed reply, and starts a helper copy of itself (`--helper`) so that the test can check that
//! stopping the engine also ends what it started.
//!
//! Usage: `stub_engine --port N [--name MODEL] [--pid-file PATH]`

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

const REPLY: &str = "Hello from the stub engine";
/// Longest request head or body read; a larger request is refused.
const MAX_REQUEST_BYTES: usize = 1 << 20;

struct Options {
    port: u16,
    name: String,
    pid_file: Option<String>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--helper") {
        std::thread::sleep(std::time::Duration::from_secs(3600));
        return;
    }
    let options = match parse(&args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("stub_engine: {message}");
            std::process::exit(2);
        }
    };
    let helper = std::process::Command::new(std::env::current_exe().expect("own path"))
        .arg("--helper")
        .spawn()
        .expect("start the helper");
    if let Some(path) = &options.pid_file {
        let pids = format!("{} {}\n", std::process::id(), helper.id());
        std::fs::write(path, pids).expect("write the pid file");
    }
    let listener = TcpListener::bind(("127.0.0.1", options.port)).expect("bind the port");
    eprintln!(
        "stub_engine: serving {} on port {}",
        options.name, options.port
    );
    for stream in listener.incoming().flatten() {
        let name = options.name.clone();
        std::thread::spawn(move || {
            if let Err(err) = answer(stream, &name) {
                eprintln!("stub_engine: {err}");
            }
        });
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        port: 0,
        name: "stub".into(),
        pid_file: None,
    };
    let mut items = args.iter();
    while let Some(flag) = items.next() {
        let value = items.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--port" => options.port = value.parse().map_err(|_| format!("bad port {value}"))?,
            "--name" => options.name = value.clone(),
            "--pid-file" => options.pid_file = Some(value.clone()),
            other => return Err(format!("unknown option {other}")),
        }
    }
    if options.port == 0 {
        return Err("--port is required".into());
    }
    Ok(options)
}

fn answer(stream: TcpStream, name: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut head = String::new();
    let mut content_length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        if let Some((key, value)) = line.split_once(':') {
            if key.eq_ignore_ascii_case("content-length") {
                content_length = value.trim().parse().unwrap_or(0);
            }
        }
        head.push_str(&line);
        if head.len() > MAX_REQUEST_BYTES {
            return respond(stream, "413 Payload Too Large", "application/json", "{}");
        }
    }
    if content_length > MAX_REQUEST_BYTES {
        return respond(stream, "413 Payload Too Large", "application/json", "{}");
    }
    let mut body = vec![0u8; content_length];
    reader.read_exact(&mut body)?;
    let request_line = head.lines().next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    match (method, path) {
        ("GET", "/health") => respond(stream, "200 OK", "application/json", r#"{"status":"ok"}"#),
        ("GET", "/v1/models") => {
            let models = format!(
                r#"{{"object":"list","data":[{{"id":"{name}","object":"model","owned_by":"stub"}}]}}"#
            );
            respond(stream, "200 OK", "application/json", &models)
        }
        ("POST", "/v1/chat/completions") => {
            let streamed = String::from_utf8_lossy(&body).contains(r#""stream":true"#);
            if streamed {
                respond(stream, "200 OK", "text/event-stream", &stream_body(name))
            } else {
                respond(stream, "200 OK", "application/json", &completion(name))
            }
        }
        _ => respond(
            stream,
            "404 Not Found",
            "application/json",
            r#"{"error":"not found"}"#,
        ),
    }
}

fn completion(name: &str) -> String {
    format!(
        r#"{{"id":"stub-1","object":"chat.completion","created":0,"model":"{name}","choices":[{{"index":0,"message":{{"role":"assistant","content":"{REPLY}"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":1,"completion_tokens":5,"total_tokens":6}}}}"#
    )
}

fn stream_body(name: &str) -> String {
    let chunk = |delta: &str, finish: &str| {
        format!(
            "data: {{\"id\":\"stub-1\",\"object\":\"chat.completion.chunk\",\"created\":0,\"model\":\"{name}\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{finish}}}]}}\n\n"
        )
    };
    let mut body = chunk(r#"{"role":"assistant","content":""}"#, "null");
    for word in REPLY.split_inclusive(' ') {
        body.push_str(&chunk(&format!(r#"{{"content":"{word}"}}"#), "null"));
    }
    body.push_str(&chunk("{}", r#""stop""#));
    body.push_str("data: [DONE]\n\n");
    body
}

fn respond(mut stream: TcpStream, status: &str, kind: &str, body: &str) -> std::io::Result<()> {
    write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: {kind}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()
}
