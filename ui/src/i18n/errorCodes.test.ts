import { describe, expect, it } from 'vitest'
import { UI_ERROR_PARAMS } from '../api/errors'
import { placeholders } from '../lib/errorText'
import { en } from './en'
import { readRepoFile, rustSources } from '../rust.fixtures'
import { guaranteedParams, maskRust, readHintCodes, readRustErrorCodes, readSummaryCodes, type CodeSource } from './rustErrorCodes'
import { zh } from './zh'

/** Where the codes come from: the core's services, the HTTP server and the desktop adapter. */
const RUST_DIRS = ['crates/core/src', 'crates/server/src', 'src-tauri/src']
/** Where a failed instance's summary codes (`Summary::new`, `Phase::texts`) and hints come from. */
const RUN_RS = 'crates/core/src/supervisor/run.rs'
const HINTS_RS = 'crates/core/src/supervisor/hints.rs'
/** Why there is no GPU reading (`NoGpu::new`), one file per vendor. */
const GPU_BACKEND_RS = ['crates/core/src/monitor/gpu/nvidia.rs', 'crates/core/src/monitor/gpu/amd.rs']
/** Why the OpenAI-compatible gateway (`/v1`) refused or failed a request (read with the rest of the core). */
const GATEWAY_RS = 'crates/core/src/gateway/error.rs'

const rust = readRustErrorCodes(RUST_DIRS.flatMap(rustSources))
const summaries = readSummaryCodes({ path: RUN_RS, text: readRepoFile(RUN_RS) })
const gpuReasons = GPU_BACKEND_RS.map((path) => readSummaryCodes({ path, text: readRepoFile(path) }, 'NoGpu::new'))
const hints = readHintCodes({ path: HINTS_RS, text: readRepoFile(HINTS_RS) })

/** Every code with each way it is sent: the Rust side's errors and failure summaries, and this UI's own. */
const codes = new Map<string, CodeSource[]>(rust.codes)
for (const [code, sources] of [...summaries.codes, ...gpuReasons.flatMap((r) => [...r.codes])]) codes.set(code, [...(codes.get(code) ?? []), ...sources])
for (const [code, params] of Object.entries(UI_ERROR_PARAMS)) {
  codes.set(code, [...(codes.get(code) ?? []), { from: 'ui/src/api', params: [...params] }])
}

const translated = (dict: Record<string, string>) => new Set(Object.keys(dict).filter((k) => k.startsWith('errors.')).map((k) => k.slice(7)))

describe('error translations', () => {
  it('reads the Rust sources', () => {
    expect(rust.problems).toEqual([])
    // A parser that silently found nothing would pass everything below.
    expect(rust.codes.size).toBeGreaterThan(60)
    expect(guaranteedParams(rust.codes.get('model_context_size_invalid')!)).toEqual(['max', 'size'])
    expect(guaranteedParams(rust.codes.get('model_path_duplicate')!)).toEqual(['name', 'path'])
    expect(guaranteedParams(rust.codes.get('engine_unreachable')!)).toEqual(['detail', 'url'])
    // Reached through transparent variants (ChatError → SupervisorError → LibraryError…).
    expect(rust.codes.get('model_not_running')!.map((s) => s.from).sort()).toEqual(['ChatError::ModelNotRunning', 'SupervisorError::ModelNotRunning'])
    expect(rust.codes.has('store_query_failed')).toBe(true)
    // The gateway's codes, with the values each sends; `model_not_found` is also the library's (with another value).
    const gatewayCodes = [...readRepoFile(GATEWAY_RS).matchAll(/GatewayError::\w+[^=\n]*=> "([a-z][a-z0-9_]*)"/g)].map((m) => m[1])
    expect(gatewayCodes.length).toBeGreaterThan(10)
    for (const code of gatewayCodes) expect(rust.codes.has(code), code).toBe(true)
    expect(guaranteedParams(rust.codes.get('gateway_queue_full')!)).toEqual(['model', 'queued'])
    expect(rust.codes.get('model_not_found')!.map((s) => s.from)).toContain('GatewayError::UnknownModel')
    expect(guaranteedParams(rust.codes.get('model_not_found')!)).toEqual([])
    // The server's own codes.
    for (const code of ['bad_request', 'route_not_found', 'too_many_websockets', 'login_required', 'insufficient_scope', 'export_not_saved']) {
      expect(rust.codes.has(code), code).toBe(true)
    }
  })

  it('has an English and a Chinese text for every code', () => {
    for (const [name, dict] of [['en', en], ['zh', zh]] as const) {
      const have = translated(dict)
      expect([...codes.keys()].filter((code) => !have.has(code)).sort(), `missing in ${name}.ts`).toEqual([])
    }
  })

  it('translates no code that nothing sends any more', () => {
    expect([...translated(en)].filter((code) => !codes.has(code)).sort()).toEqual([])
  })

  it('uses only placeholders that every way of sending the code fills', () => {
    const wrong: string[] = []
    for (const [code, sources] of codes) {
      const allowed = guaranteedParams(sources)
      for (const [name, dict] of [['en', en], ['zh', zh]] as const) {
        const text = (dict as Record<string, string>)[`errors.${code}`] ?? ''
        for (const p of placeholders(text)) {
          if (!allowed.includes(p)) wrong.push(`${name} errors.${code}: {${p}} (sent: ${allowed.join(', ') || 'nothing'})`)
        }
      }
    }
    expect(wrong).toEqual([])
  })
})

describe('failure summary and hint translations', () => {
  it('reads the summary codes and their params from run.rs', () => {
    expect(summaries.problems).toEqual([])
    const found = Object.fromEntries([...summaries.codes].map(([code, sources]) => [code, guaranteedParams(sources)]))
    expect(found).toEqual({
      engine_vanished: [],
      engine_exited_before_ready: ['code'],
      engine_killed_before_ready: ['signal'],
      engine_exited_while_running: ['code'],
      engine_killed_while_running: ['signal'],
      engine_not_ready_in_time: ['seconds'],
      engine_unresponsive: ['strikes'],
      engine_exit_unconfirmed: ['detail'],
      engine_wait_failed: ['detail'],
    })
    expect(gpuReasons.flatMap((r) => r.problems)).toEqual([])
    const [nvidia, amd] = gpuReasons.map((r) => Object.fromEntries([...r.codes].map(([code, sources]) => [code, guaranteedParams(sources)])))
    expect(nvidia).toEqual({
      gpu_nvml_unusable: ['detail'],
      gpu_nvml_incomplete: [],
      gpu_driver_lost: ['detail'],
      gpu_nvml_stopped: [],
      gpu_device_lost: ['detail', 'index'],
    })
    expect(amd).toEqual({ gpu_amd_smi_unusable: ['detail'], gpu_amd_smi_stopped: ['detail'] })
    // A spawn failure's summary is the SupervisorError's own body.
    expect(guaranteedParams(rust.codes.get('engine_spawn_failed')!)).toEqual(['detail', 'program'])
  })

  it('reads the hints from hints.rs', () => {
    expect([...hints.keys()].sort()).toEqual([
      'hint_illegal_instruction',
      'hint_missing_library',
      'hint_model_unloadable',
      'hint_out_of_memory',
      'hint_port_in_use',
      'hint_unsupported_architecture',
    ])
  })

  it('has an English and a Chinese text for every hint, with no placeholders, and none for a hint nothing sends', () => {
    for (const [name, dict] of [['en', en], ['zh', zh]] as const) {
      const texts = dict as Record<string, string>
      const have = new Set(Object.keys(texts).filter((k) => k.startsWith('hints.')).map((k) => k.slice(6)))
      expect([...hints.keys()].filter((code) => !have.has(code)).sort(), `missing in ${name}.ts`).toEqual([])
      expect([...have].filter((code) => !hints.has(code)).sort(), `not sent, in ${name}.ts`).toEqual([])
      expect([...hints.keys()].filter((code) => placeholders(texts[`hints.${code}`] ?? '').length > 0), name).toEqual([])
    }
  })

  it('says each hint in English as the core does', () => {
    for (const [code, text] of hints) expect((en as Record<string, string>)[`hints.${code}`], code).toBe(text)
  })
})

describe('readSummaryCodes', () => {
  it('reads literal codes and codes bound from a method’s tuples, with their params', () => {
    const sample = `
      fn a() { let s = Summary::new("gone", Vec::new(), "x".into()); }
      fn b(phase: Phase) -> Summary {
          let (exited, killed, text) = phase.texts();
          if x { Summary::new(killed, vec![("signal", s.to_string())], text) }
          else { Summary::new(exited, vec![("code", c), ("extra", e)], text) }
      }
      impl Phase {
          fn texts(self) -> (&'static str, &'static str, &'static str) {
              match self {
                  Phase::One => ("one_exited", "one_killed", "words, with a comma"),
                  Phase::Two => ("two_exited", "two_killed", "more words"),
              }
          }
      }
      #[cfg(test)]
      mod tests { fn t() { Summary::new("test_only", Vec::new(), String::new()); } }`
    const { codes: found, problems } = readSummaryCodes({ path: 'run.rs', text: sample })
    expect(problems).toEqual([])
    const params = Object.fromEntries([...found].map(([code, sources]) => [code, sources.map((s) => s.params)]))
    expect(params).toEqual({
      gone: [[]],
      one_killed: [['signal']],
      two_killed: [['signal']],
      one_exited: [['code', 'extra']],
      two_exited: [['code', 'extra']],
    })
  })

  it('reports a code it cannot resolve', () => {
    const { problems } = readSummaryCodes({ path: 'run.rs', text: 'fn f() { Summary::new(mystery, Vec::new(), t) }' })
    expect(problems).toHaveLength(1)
  })
})

describe('readRustErrorCodes', () => {
  const sample = `
    #[derive(Debug, Error)]
    pub enum InnerError {
        #[error("Port {port} is busy")]
        Busy { port: u16 },
    }
    impl CodedError for InnerError {
        fn code(&self) -> &'static str {
            match self {
                InnerError::Busy { .. } => "port_busy",
            }
        }
        fn params(&self) -> ErrorParams {
            match self {
                InnerError::Busy { port } => {
                    vec![("port", port.to_string())]
                }
            }
        }
    }
    pub enum OuterError {
        #[error(transparent)]
        Inner(#[from] crate::inner::InnerError),
        #[error("No thing {0:?} // not a comment; see {{braces}}")]
        Missing(String),
        #[error("A '{' and a '}'")]
        Odd,
    }
    impl CodedError for OuterError {
        fn code(&self) -> &'static str {
            match self {
                // A comment with => "not_a_code"
                OuterError::Inner(e) => e.code(),
                OuterError::Missing(_) | OuterError::Odd => "thing_missing",
            }
        }
        fn params(&self) -> ErrorParams {
            match self {
                OuterError::Inner(e) => e.params(),
                OuterError::Missing(id) => vec![("id", id.clone())],
                OuterError::Odd => Vec::new(),
            }
        }
    }`

  it('pairs code and params arms by variant and follows transparent variants', () => {
    const { codes: found, problems } = readRustErrorCodes([{ path: 'crates/core/src/x.rs', text: sample }])
    expect(problems).toEqual([])
    expect(found.get('port_busy')).toEqual([{ from: 'InnerError::Busy', params: ['port'] }])
    expect(found.get('thing_missing')).toEqual([
      { from: 'OuterError::Missing', params: ['id'] },
      { from: 'OuterError::Odd', params: [] },
    ])
    // Sent with and without an id: a text may rely on none.
    expect(guaranteedParams(found.get('thing_missing')!)).toEqual([])
    expect(found.has('not_a_code')).toBe(false)
  })

  it('follows a transparent variant to an error type whose code and params are its own methods', () => {
    const src = `
      pub enum PlaceError {
          #[error("GPU {index} is missing")]
          Unknown { index: u32 },
      }
      impl PlaceError {
          pub fn code(&self) -> &'static str {
              match self {
                  PlaceError::Unknown { .. } => "place_unknown",
              }
          }
          pub fn params(&self) -> ErrorParams {
              match self {
                  PlaceError::Unknown { index } => vec![("index", index.to_string())],
              }
          }
      }
      pub enum RunError {
          #[error(transparent)]
          Place(#[from] crate::place::PlaceError),
      }
      impl CodedError for RunError {
          fn code(&self) -> &'static str {
              match self {
                  RunError::Place(e) => e.code(),
              }
          }
          fn params(&self) -> ErrorParams {
              match self {
                  RunError::Place(e) => e.params(),
              }
          }
      }
      pub enum Unrelated { A }
      impl Unrelated {
          pub fn code(&self) -> &'static str { match self { Unrelated::A => "not_an_error" } }
      }`
    const { codes: found, problems } = readRustErrorCodes([{ path: 'crates/core/src/z.rs', text: src }])
    expect(problems).toEqual([])
    expect(found.get('place_unknown')).toEqual([{ from: 'PlaceError::Unknown', params: ['index'] }])
    expect(found.has('not_an_error')).toBe(false)
  })

  it('reads the codes written literally, leaving test modules out', () => {
    const server = `
      fn refuse() -> Response { (StatusCode::FORBIDDEN, "host_missing", "no Host".to_string()) }
      fn gone() -> AppError { AppError { kind, body: ErrorBody { code: "route_not_found".into(), message, params: None } } }
      #[cfg(test)]
      mod tests { fn t() { ErrorBody::new("test_only", "x"); } }`
    const { codes: found } = readRustErrorCodes([{ path: 'crates/server/src/y.rs', text: server }])
    expect([...found.keys()].sort()).toEqual(['host_missing', 'route_not_found'])
    expect(found.get('route_not_found')).toEqual([{ from: 'crates/server/src/y.rs', params: [] }])
  })

  it('masks comments and literals without moving anything', () => {
    const src = `let a = "x{y}"; // c {\nlet b = '{'; let c: &'static str = r#"{"#;`
    const masked = maskRust(src)
    expect(masked).toHaveLength(src.length)
    expect(masked).not.toMatch(/[{}]/)
    expect(masked).toContain(`&'static str`)
  })
})
