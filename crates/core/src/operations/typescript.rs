//! The UI's typed client, generated from the operation table: `ui/src/generated/operations.ts`
//! (written by the `bindings` test). It holds every operation as data (`OPERATIONS`), the typed
//! `Operations` interface of the calls that both transports answer with JSON or nothing, and
//! `bindOperations`, which turns one transport function into those typed methods.

use std::collections::BTreeSet;
use std::fmt::Write;

use super::{OperationSpec, OutputKind, Surface};

const HEADER: &str = "// Generated from crates/core/src/operations/table.rs; do not edit.\n\
// `LLMOPS_UPDATE_BINDINGS=1 cargo test -p llmops-core bindings` rewrites it.\n";

const SHAPES: &str = r#"
/** Where an argument travels over HTTP; the desktop app passes every argument by name. */
export type ArgPlace = 'path' | 'query' | 'body'

/** What a successful call answers. */
export type OutputKind = 'json' | 'created' | 'empty' | 'sse' | 'ws' | 'file'

/** One operation of the table. */
export interface OperationSpec {
  /** The Tauri command and the OpenAPI operationId. */
  readonly name: string
  /** Which transports offer it. */
  readonly surface: 'both' | 'http' | 'tauri'
  /** HTTP method and path below `/api`; `null` for desktop-only operations. */
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete' | null
  readonly path: string | null
  /** The arguments in order, each with where it travels over HTTP. */
  readonly args: readonly (readonly [string, ArgPlace])[]
  readonly output: OutputKind
}

/** Sends one operation with its arguments by (Rust) name; each transport has one. */
export type OperationCall = <T>(op: OperationSpec, args: Record<string, unknown>) => Promise<T>
"#;

/// `message_id` → `messageId`.
pub fn camel_case(snake: &str) -> String {
    let mut out = String::with_capacity(snake.len());
    let mut upper = false;
    for c in snake.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// Whether the typed client offers it: both transports answer it with JSON or nothing. Streams,
/// files and one-transport operations are written by hand in each transport, from `OPERATIONS`.
pub fn in_typed_client(spec: &OperationSpec) -> bool {
    spec.surface == Surface::Both
        && matches!(
            spec.output,
            OutputKind::Json | OutputKind::Created | OutputKind::Empty
        )
}

/// The whole generated file.
pub fn typescript_client(specs: &[OperationSpec]) -> String {
    let mut out = String::from(HEADER);
    let typed: Vec<&OperationSpec> = specs.iter().filter(|s| in_typed_client(s)).collect();
    let imports: BTreeSet<&str> = typed
        .iter()
        .flat_map(|s| {
            std::iter::once(s.output_ts.as_str()).chain(s.args.iter().map(|a| a.ts_type.as_str()))
        })
        .flat_map(named_types)
        .collect();
    for name in &imports {
        let _ = writeln!(out, "import type {{ {name} }} from './{name}'");
    }
    out.push_str(SHAPES);
    out.push_str("\n/** Every operation, by its client name. */\nexport const OPERATIONS = {\n");
    for spec in specs {
        let _ = writeln!(out, "  {}: {},", camel_case(spec.name), spec_literal(spec));
    }
    out.push_str("} as const satisfies Record<string, OperationSpec>\n");
    out.push_str("\n/** The calls both transports answer with JSON (or nothing); each rejects with an `ApiError`. */\nexport interface Operations {\n");
    for spec in &typed {
        let _ = writeln!(out, "  /** {} */", spec.doc.replace("*/", "*\\/"));
        let _ = writeln!(
            out,
            "  {}({}): Promise<{}>",
            camel_case(spec.name),
            parameters(spec),
            result_type(spec)
        );
    }
    out.push_str("}\n\n/** The typed methods over one transport's `call`. */\nexport function bindOperations(call: OperationCall): Operations {\n  return {\n");
    for spec in &typed {
        let names: Vec<String> = spec.args.iter().map(|a| camel_case(a.name)).collect();
        let fields: Vec<String> = spec
            .args
            .iter()
            .map(|a| match camel_case(a.name) {
                camel if camel == a.name => camel,
                camel => format!("{}: {camel}", a.name),
            })
            .collect();
        let _ = writeln!(
            out,
            "    {name}: ({params}) => call(OPERATIONS.{name}, {{{fields}}}),",
            name = camel_case(spec.name),
            params = names.join(", "),
            fields = if fields.is_empty() {
                String::new()
            } else {
                format!(" {} ", fields.join(", "))
            },
        );
    }
    out.push_str("  }\n}\n");
    out
}

/// TypeScript's own generic types, which ts-rs uses in names (`Array<Model>`).
const BUILT_IN: &[&str] = &["Array", "Record", "Partial", "Date"];

/// The generated types a TypeScript type expression names: `Array<Model>` → `Model`.
fn named_types(expression: &str) -> impl Iterator<Item = &str> {
    expression
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .filter(|word| word.starts_with(|c: char| c.is_ascii_uppercase()))
        .filter(|word| !BUILT_IN.contains(word))
}

fn spec_literal(spec: &OperationSpec) -> String {
    let quoted = |s: &str| format!("'{s}'");
    let (method, path) = spec
        .http
        .map(|(m, p)| (quoted(m), quoted(p)))
        .unwrap_or(("null".into(), "null".into()));
    let args: Vec<String> = spec
        .args
        .iter()
        .map(|a| format!("['{}', '{}']", a.name, wire(a.place)))
        .collect();
    format!(
        "{{ name: '{}', surface: '{}', method: {method}, path: {path}, args: [{}], output: '{}' }}",
        spec.name,
        wire(spec.surface),
        args.join(", "),
        wire(spec.output),
    )
}

fn parameters(spec: &OperationSpec) -> String {
    spec.args
        .iter()
        .map(|a| format!("{}: {}", camel_case(a.name), a.ts_type))
        .collect::<Vec<_>>()
        .join(", ")
}

fn result_type(spec: &OperationSpec) -> &str {
    match spec.output {
        OutputKind::Empty => "void",
        _ => &spec.output_ts,
    }
}

/// An enum's name on the wire (its serde name).
fn wire<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}
