//! `GET /api/openapi.json`: the API document (OpenAPI 3.1), built from the operation table that
//! also builds the router (`app::api_operations`), with JSON Schemas (2020-12) generated from the
//! Rust types the operations take and return. Nothing here is written by hand per route.

use schemars::generate::SchemaSettings;
use schemars::{Schema, SchemaGenerator};
use serde_json::{json, Map, Value};

use llmops_core::access::Scope;

/// What a route reads besides its path.
#[derive(Default)]
pub struct Input {
    /// A JSON body.
    pub body: Option<Schema>,
    /// Query-string parameters: the properties of this object schema.
    pub query: Option<Schema>,
}

/// What a route answers when it succeeds.
pub enum Output {
    /// 200 with a JSON body.
    Json(Schema),
    /// 201 with a JSON body (something was created).
    Created(Schema),
    /// 204, no body.
    Empty(Schema),
    /// 200, `text/event-stream`: one event per line of this schema, named by its `event` tag.
    Sse(Schema),
    /// 101: a WebSocket whose text messages are this schema.
    Ws(Schema),
    /// 200, a file to save (`Content-Disposition: attachment`).
    File(Schema),
}

pub struct Operation {
    pub method: &'static str,
    pub path: &'static str,
    pub scope: Scope,
    /// The operation's name in the table: its `operationId`.
    pub name: &'static str,
    /// The table entry's doc comment.
    pub summary: String,
    pub input: Input,
    pub output: Output,
}

/// The generator every schema of the document comes from: JSON Schema 2020-12 (what OpenAPI 3.1
/// uses), definitions under `#/components/schemas`.
pub fn generator() -> SchemaGenerator {
    SchemaGenerator::new(
        SchemaSettings::draft2020_12().with(|s| s.definitions_path = "/components/schemas".into()),
    )
}

/// The whole document.
pub fn document(
    operations: Vec<Operation>,
    extra: Vec<(&'static str, &'static str, Value)>,
    mut generator: SchemaGenerator,
) -> Value {
    let error = generator.subschema_for::<llmops_core::error::ErrorBody>();
    let mut paths = Map::new();
    for op in &operations {
        let path = format!("/api{}", op.path);
        let entry = paths
            .entry(path.clone())
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .unwrap();
        entry.insert(op.method.to_string(), operation(op, &path, &error));
    }
    for (method, path, doc) in extra {
        let entry = paths
            .entry(path)
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .unwrap();
        entry.insert(method.to_string(), doc);
    }
    let mut schemas = generator.take_definitions(true);
    schemas.retain(|_, v| !v.is_null());
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "LLM Local Ops Center API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Run and watch local LLM inference servers. Loopback clients need no \
                login; others send `Authorization: Bearer <key>` (an API key or the server token) or \
                the session cookie set by `POST /api/auth/login`. Each operation says the scope it \
                needs (`x-llmops-scope`). Errors are `{code, message}` JSON. See docs/API.md."
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "An API key (`llmops_…`) or the server token."},
                "session": {"type": "apiKey", "in": "cookie", "name": "llmops_session"}
            }
        },
        "security": [{}, {"bearer": []}, {"session": []}],
        "paths": paths,
    })
}

fn operation(op: &Operation, path: &str, error: &Schema) -> Value {
    let mut doc = Map::new();
    doc.insert("operationId".into(), json!(op.name));
    doc.insert("summary".into(), json!(op.summary));
    doc.insert("x-llmops-scope".into(), json!(op.scope.as_str()));
    let mut parameters: Vec<Value> = path_parameters(path);
    if let Some(schema) = &op.input.body {
        doc.insert(
            "requestBody".into(),
            json!({"required": true, "content": {"application/json": {"schema": schema}}}),
        );
    }
    if let Some(schema) = &op.input.query {
        parameters.extend(query_parameters(schema));
    }
    if !parameters.is_empty() {
        doc.insert("parameters".into(), Value::Array(parameters));
    }
    let mut responses = Map::new();
    let (status, success) = match &op.output {
        Output::Json(s) => (
            "200",
            json!({"description": "OK", "content": {"application/json": {"schema": s}}}),
        ),
        Output::Created(s) => (
            "201",
            json!({"description": "Created", "content": {"application/json": {"schema": s}}}),
        ),
        Output::Empty(_) => ("204", json!({"description": "Done; no body"})),
        Output::Sse(s) => (
            "200",
            json!({
                "description": "A Server-Sent Events stream: each event's `data` is one JSON object of this schema, its SSE `event` name the object's `event` tag",
                "content": {"text/event-stream": {"schema": {"type": "string"}, "x-llmops-event-schema": s}}
            }),
        ),
        Output::Ws(s) => (
            "101",
            json!({
                "description": "Switching to a WebSocket; each text message is one JSON object of the schema in `x-llmops-message-schema`",
                "x-llmops-message-schema": s
            }),
        ),
        Output::File(_) => (
            "200",
            json!({
                "description": "The file, as an attachment (Markdown or JSON)",
                "content": {"text/markdown": {"schema": {"type": "string"}}, "application/json": {"schema": {}}}
            }),
        ),
    };
    responses.insert(status.into(), success);
    for (code, why) in [
        (
            "400",
            "The input is not valid; `message` says what to change",
        ),
        (
            "401",
            "A login or an API key is needed (clients not on this machine)",
        ),
        (
            "403",
            "Foreign Host or Origin, or a key whose scope is too low",
        ),
        (
            "404",
            "No such model, instance, conversation, endpoint, preset or key",
        ),
        ("408", "The request took longer than 120 s"),
        (
            "409",
            "The current state does not allow it (e.g. nothing to stop)",
        ),
        ("500", "An internal error; details are in the server log"),
        (
            "503",
            "An engine or resource is not available; `message` says what to do",
        ),
    ] {
        responses.insert(
            code.into(),
            json!({"description": why, "content": {"application/json": {"schema": error}}}),
        );
    }
    doc.insert("responses".into(), Value::Object(responses));
    Value::Object(doc)
}

fn path_parameters(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}))
        .collect()
}

/// An object schema's properties as query parameters (the query structs are flat).
fn query_parameters(schema: &Schema) -> Vec<Value> {
    let object = schema.as_object();
    let required: Vec<&str> = object
        .and_then(|o| o.get("required"))
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    object
        .and_then(|o| o.get("properties"))
        .and_then(Value::as_object)
        .map(|props| {
            props
                .iter()
                .map(|(name, schema)| {
                    json!({"name": name, "in": "query", "required": required.contains(&name.as_str()), "schema": schema})
                })
                .collect()
        })
        .unwrap_or_default()
}
