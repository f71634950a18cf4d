/**
 * Reads the error codes the Rust side can send, and the parameters each sends, from its source
 * text: every `impl CodedError for X` (its `fn code` and `fn params` match arms, following
 * transparent variants to the error type they wrap, which may have the two as its own methods
 * instead) and the codes the server and the desktop
 * adapter write literally. Used by the translations' lockstep test only (no file access here:
 * the test hands the sources in).
 */

/** One way a code is sent: by a variant (`ChatError::Connect`) or a literal in an adapter. */
export interface CodeSource {
  /** `Enum::Variant`, or `file.rs` for a literal. */
  from: string
  /** The parameter names it sends; null when they could not be read (then none may be relied on). */
  params: string[] | null
}

export interface RustErrorCodes {
  /** Every code, with each way it is sent. */
  codes: Map<string, CodeSource[]>
  /** What could not be read (a delegate whose type has no `impl CodedError`, an arm of an unknown shape…). */
  problems: string[]
}

export interface RustFile {
  /** Relative to the repository root, e.g. `crates/core/src/chat/error.rs`. */
  path: string
  text: string
}

/**
 * The text with comments, string and char literal contents replaced by spaces (quotes kept), so
 * that braces and `=>` can be found by position while offsets stay those of the original.
 */
export function maskRust(src: string): string {
  const out = src.split('')
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (out[k] !== '\n') out[k] = ' '
  }
  let i = 0
  while (i < src.length) {
    const c = src[i]
    const next = src[i + 1]
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i)
      const stop = end < 0 ? src.length : end
      blank(i, stop)
      i = stop
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2)
      const stop = end < 0 ? src.length : end + 2
      blank(i, stop)
      i = stop
    } else if (c === 'r' && (next === '"' || next === '#') && !/\w/.test(src[i - 1] ?? '')) {
      // Raw string r"…" / r#"…"#: no escapes, ends at the quote followed by as many #.
      const open = /^r(#*)"/.exec(src.slice(i))
      if (!open) {
        i++
        continue
      }
      const close = `"${open[1]}`
      const start = i + open[0].length
      const end = src.indexOf(close, start)
      const stop = end < 0 ? src.length : end
      blank(start, stop)
      i = stop + close.length
    } else if (c === '"') {
      let j = i + 1
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1
      blank(i + 1, j)
      i = j + 1
    } else if (c === "'") {
      // A char literal ('x', '\n', '{'); a lifetime ('a) is left alone.
      if (next === '\\') {
        const end = src.indexOf("'", i + 2)
        blank(i + 1, end)
        i = end + 1
      } else if (src[i + 2] === "'") {
        blank(i + 1, i + 2)
        i += 3
      } else {
        i++
      }
    } else {
      i++
    }
  }
  return out.join('')
}

const OPEN: Record<string, string> = { '{': '}', '(': ')', '[': ']' }

/** The index just past the bracket that closes the one at `open` (in masked text). */
function closing(masked: string, open: number): number {
  const stack: string[] = []
  for (let i = open; i < masked.length; i++) {
    const c = masked[i]
    if (OPEN[c]) stack.push(OPEN[c])
    else if (c === '}' || c === ')' || c === ']') {
      if (stack.pop() !== c) return -1
      if (!stack.length) return i + 1
    }
  }
  return -1
}

/** The `{ … }` block (contents, without the braces) that follows the first match of `head` from `from`. */
function blockAfter(masked: string, head: RegExp, from = 0): { start: number; end: number } | null {
  const re = new RegExp(head.source, 'g')
  re.lastIndex = from
  const m = re.exec(masked)
  if (!m) return null
  const open = masked.indexOf('{', m.index + m[0].length - 1)
  if (open < 0) return null
  const end = closing(masked, open)
  return end < 0 ? null : { start: open + 1, end: end - 1 }
}

interface Arm {
  /** The variants the pattern names (`_` for a wildcard). */
  variants: string[]
  /** The arm's expression, from the original text. */
  expr: string
}

/** The arms of the `match self { … }` in `[start, end)`: each pattern's variants of `enumName` and its expression. */
function matchArms(src: string, masked: string, start: number, end: number, enumName: string): Arm[] | null {
  const body = blockAfter(masked.slice(0, end), /match\s+self\s*\{/, start)
  if (!body) return null
  const arms: Arm[] = []
  let i = body.start
  while (i < body.end) {
    const arrow = masked.indexOf('=>', i)
    if (arrow < 0 || arrow >= body.end) break
    const pattern = masked.slice(i, arrow)
    let j = arrow + 2
    while (/\s/.test(masked[j])) j++
    let exprEnd: number
    if (masked[j] === '{') {
      exprEnd = closing(masked, j)
    } else {
      // Up to the first comma outside brackets (or the end of the match).
      const stack: string[] = []
      let k = j
      for (; k < body.end; k++) {
        const c = masked[k]
        if (OPEN[c]) stack.push(OPEN[c])
        else if (c === '}' || c === ')' || c === ']') stack.pop()
        else if (c === ',' && !stack.length) break
      }
      exprEnd = k
    }
    if (exprEnd < 0) return null
    const variants = [...pattern.matchAll(new RegExp(`\\b(?:${enumName}|Self)::(\\w+)`, 'g'))].map((m) => m[1])
    arms.push({ variants: variants.length ? variants : pattern.trim() === '_' ? ['_'] : [], expr: src.slice(j, exprEnd).trim() })
    i = exprEnd
    while (i < body.end && /[\s,]/.test(masked[i])) i++
  }
  return arms
}

/** The variants of `enum name { … }` and, for tuple variants, the type of their (first) field. */
function enumVariants(files: { src: string; masked: string }[], name: string): Map<string, string | null> | null {
  for (const f of files) {
    const block = blockAfter(f.masked, new RegExp(`\\benum\\s+${name}\\s*\\{`))
    if (!block) continue
    const variants = new Map<string, string | null>()
    // Split at commas outside brackets; attributes (#[…]) are bracketed, so they stay whole.
    const stack: string[] = []
    let from = block.start
    const pieces: [number, number][] = []
    for (let k = block.start; k <= block.end; k++) {
      const c = f.masked[k]
      if (k === block.end || (c === ',' && !stack.length)) {
        pieces.push([from, k])
        from = k + 1
      } else if (OPEN[c]) stack.push(OPEN[c])
      else if (c === '}' || c === ')' || c === ']') stack.pop()
    }
    for (const [a, b] of pieces) {
      const text = f.masked.slice(a, b).replace(/#\[[^\]]*(\[[^\]]*\][^\]]*)*\]/g, ' ')
      const m = /^\s*(\w+)\s*(\(([^)]*)\))?/.exec(text)
      if (!m) continue
      const field = m[3]?.replace(/#\[\w+\]/g, '').split(',')[0].trim()
      variants.set(m[1], field ? field.split('::').pop()!.trim() : null)
    }
    return variants
  }
  return null
}

/** The source without its `#[cfg(test)] mod … { … }` blocks (blanked, so that offsets stay). */
function withoutTestModules(src: string, masked: string): string {
  let out = src
  for (const m of masked.matchAll(/#\[cfg\(test\)\]\s*mod\s+\w+\s*\{/g)) {
    const end = closing(masked, m.index! + m[0].length - 1)
    const stop = end < 0 ? src.length : end
    out = out.slice(0, m.index!) + ' '.repeat(stop - m.index!) + out.slice(stop)
  }
  return out
}

const CODE = /^"([a-z][a-z0-9_]*)"$/
const DELEGATE = (fn: string) => new RegExp(`^(\\w+)\\.${fn}\\(\\)$`)

/**
 * Every code of the Rust sources: those of each `impl CodedError` (with the parameter names its
 * `fn params` arms send for the same variant) and those written literally (`ErrorBody { code: "…" }`,
 * the server's refusals), which are taken to send no parameters.
 */
export function readRustErrorCodes(files: RustFile[]): RustErrorCodes {
  const problems: string[] = []
  const sources = files.map((f) => ({ ...f, src: f.text, masked: maskRust(f.text) }))
  /** Per error type: its variants' codes (literal or delegated) and params. */
  const impls = new Map<string, { code: Map<string, string | { delegate: string }>; params: Map<string, string[] | { delegate: string } | null> }>()

  /** Reads the `fn code` and `fn params` arms of the impl block of `name` opening at `open` in `f`. */
  const readImpl = (f: (typeof sources)[number], name: string, open: number) => {
    const implEnd = closing(f.masked, open)
    const variants = enumVariants(sources, name)
    if (!variants) {
      problems.push(`${f.path}: no enum ${name}`)
      return
    }
    const fieldType = (variant: string) => variants.get(variant) ?? null
    const arms = (fn: string) => {
      const body = blockAfter(f.masked.slice(0, implEnd), new RegExp(`fn\\s+${fn}\\s*\\(&self\\)[^{]*\\{`), open)
      return body ? matchArms(f.src, f.masked, body.start - 1, body.end + 1, name) : null
    }
    const code = new Map<string, string | { delegate: string }>()
    const codeArms = arms('code')
    if (!codeArms) problems.push(`${f.path}: ${name} has no readable fn code`)
    const unnamed = [...(codeArms ?? []), ...(arms('params') ?? [])].filter((arm) => !arm.variants.length)
    for (const arm of unnamed) problems.push(`${f.path}: ${name}: an arm names no variant (=> ${arm.expr})`)
    for (const arm of codeArms ?? []) {
      const literal = CODE.exec(arm.expr)
      for (const v of arm.variants) {
        if (literal) code.set(v, literal[1])
        else if (DELEGATE('code').test(arm.expr) && fieldType(v)) code.set(v, { delegate: fieldType(v)! })
        else problems.push(`${f.path}: ${name}::${v} => ${arm.expr} (not a code)`)
      }
    }
    const params = new Map<string, string[] | { delegate: string } | null>()
    const paramArms = arms('params')
    // Without `fn params` the trait's default sends none.
    if (!paramArms) for (const v of variants.keys()) params.set(v, [])
    for (const arm of paramArms ?? []) {
      for (const v of arm.variants) {
        if (DELEGATE('params').test(arm.expr)) params.set(v, fieldType(v) ? { delegate: fieldType(v)! } : null)
        else if (/^Vec::new\(\)$|^vec!\[\]$/.test(arm.expr)) params.set(v, [])
        else if (/vec!\[/.test(arm.expr)) params.set(v, [...arm.expr.matchAll(/\(\s*"(\w+)"\s*,/g)].map((p) => p[1]))
        else params.set(v, null)
      }
    }
    impls.set(name, { code, params })
  }
  /** Inherent `impl X { fn code(&self) … }` blocks: read only when a transparent variant wraps X. */
  const inherent = new Map<string, () => void>()
  for (const f of sources) {
    for (const m of f.masked.matchAll(/impl\s+CodedError\s+for\s+(\w+)\s*\{/g)) readImpl(f, m[1], m.index! + m[0].length - 1)
    for (const m of f.masked.matchAll(/impl\s+(\w+)\s*\{/g)) {
      const open = m.index! + m[0].length - 1
      if (/fn\s+code\s*\(&self\)/.test(f.masked.slice(open, closing(f.masked, open)))) inherent.set(m[1], () => readImpl(f, m[1], open))
    }
  }

  const codes = new Map<string, CodeSource[]>()
  const add = (code: string, source: CodeSource) => codes.set(code, [...(codes.get(code) ?? []), source])

  /** The codes one error type sends, with the parameter names of each way (following delegates). */
  const expand = (name: string, seen: string[]): { code: string; source: CodeSource }[] => {
    if (!impls.has(name)) inherent.get(name)?.()
    const impl = impls.get(name)
    if (!impl) {
      problems.push(`${[...seen, name].join(' → ')}: ${name} has no impl CodedError`)
      return []
    }
    if (seen.includes(name)) return []
    const out: { code: string; source: CodeSource }[] = []
    for (const [variant, code] of impl.code) {
      if (typeof code !== 'string') {
        // A transparent variant: its code and its params are those of the error it wraps.
        const params = impl.params.get(variant)
        if (!params || Array.isArray(params) || params.delegate !== code.delegate) {
          problems.push(`${name}::${variant}: its code comes from ${code.delegate} but its params do not`)
        }
        out.push(...expand(code.delegate, [...seen, name]))
        continue
      }
      const p = impl.params.get(variant) ?? impl.params.get('_')
      out.push({ code, source: { from: `${name}::${variant}`, params: Array.isArray(p) ? p : null } })
    }
    return out
  }
  for (const name of [...impls.keys()]) for (const { code, source } of expand(name, [])) add(code, source)

  // Codes written literally (the server's and the desktop adapter's own), test modules left out.
  for (const f of sources) {
    const text = withoutTestModules(f.src, f.masked)
    const literal = [
      /\bcode:\s*"([a-z][a-z0-9_]*)"\s*\.(?:into|to_string|to_owned)\(\)/g,
      /StatusCode::\w+\s*,\s*"([a-z][a-z0-9_]*)"/g,
      /ErrorBody::new\(\s*"([a-z][a-z0-9_]*)"/g,
      /ApiError::conflict\(\s*"([a-z][a-z0-9_]*)"/g,
    ]
    for (const re of literal) for (const m of text.matchAll(re)) add(m[1], { from: f.path, params: [] })
  }
  // Dedupe identical sources (the same variant reached through several wrappers).
  for (const [code, list] of codes) {
    const unique = new Map(list.map((s) => [`${s.from}|${s.params?.join() ?? '?'}`, s]))
    codes.set(code, [...unique.values()])
  }
  return { codes, problems }
}

/** The parameter names every way of sending `code` carries: the placeholders its text may use. */
export function guaranteedParams(sources: CodeSource[]): string[] {
  let common: string[] | null = null
  for (const s of sources) {
    const names = s.params ?? []
    common = common === null ? [...names] : common.filter((n) => names.includes(n))
  }
  return (common ?? []).sort()
}

/** The arguments of the call whose `(` is at `open` (masked text): each one's [start, end). */
function callArgs(masked: string, open: number): [number, number][] | null {
  const end = closing(masked, open)
  if (end < 0) return null
  const args: [number, number][] = []
  const stack: string[] = []
  let from = open + 1
  for (let k = open + 1; k < end - 1; k++) {
    const c = masked[k]
    if (OPEN[c]) stack.push(OPEN[c])
    else if (c === '}' || c === ')' || c === ']') stack.pop()
    else if (c === ',' && !stack.length) {
      args.push([from, k])
      from = k + 1
    }
  }
  if (masked.slice(from, end - 1).trim()) args.push([from, end - 1])
  return args
}

/** The parameter names of a `vec![("name", …), …]` / `Vec::new()` argument, or null when it is neither. */
function paramNames(expr: string): string[] | null {
  if (/^Vec::new\(\)$|^vec!\[\s*\]$/.test(expr)) return []
  if (/^vec!\[/.test(expr)) return [...expr.matchAll(/\(\s*"(\w+)"\s*,/g)].map((p) => p[1])
  return null
}

/**
 * The codes a failed instance's summary is sent with (`supervisor/run.rs`): every
 * `Summary::new("code", vec![("name", …)], …)`, and those whose code is a name bound from a
 * tuple-returning method (`let (exited, killed, text) = phase.texts();`), which stand for the
 * code at that place of each tuple the method's match arms return. Test modules are left out.
 */
export function readSummaryCodes(file: RustFile, call = 'Summary::new'): RustErrorCodes {
  const problems: string[] = []
  const codes = new Map<string, CodeSource[]>()
  const add = (code: string, source: CodeSource) => codes.set(code, [...(codes.get(code) ?? []), source])
  const src = withoutTestModules(file.text, maskRust(file.text))
  const masked = maskRust(src)

  /** Names bound by `let (a, b, …) = x.method();`: each one's method and place in the tuple. */
  const bound = new Map<string, { method: string; index: number }>()
  for (const m of masked.matchAll(/let\s*\(([\w\s,]+)\)\s*=\s*[\w.]*?\.(\w+)\(\)\s*;/g)) {
    m[1].split(',').map((n) => n.trim()).forEach((name, index) => name && bound.set(name, { method: m[2], index }))
  }
  /** The string literals of each tuple a `fn method(self)` returns from its match arms. */
  const tuples = (method: string): string[][] | null => {
    const fn = blockAfter(masked, new RegExp(`fn\\s+${method}\\s*\\(\\s*&?self\\s*\\)[^{]*\\{`))
    if (!fn) return null
    const impls = [...masked.slice(0, fn.start).matchAll(/impl\s+(\w+)\s*\{/g)]
    const enumName = impls.length ? impls[impls.length - 1][1] : 'Self'
    const arms = matchArms(src, masked, fn.start - 1, fn.end + 1, enumName)
    return arms?.map((arm) => [...arm.expr.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((s) => s[1])) ?? null
  }

  const calls = new RegExp(`\\b${call.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\(`, 'g')
  for (const m of masked.matchAll(calls)) {
    const open = m.index! + m[0].length - 1
    const line = src.slice(0, m.index!).split('\n').length
    const args = callArgs(masked, open)
    if (!args || args.length < 2) {
      problems.push(`${file.path}:${line}: ${call} with unreadable arguments`)
      continue
    }
    const [codeArg, paramsArg] = args.map(([a, b]) => src.slice(a, b).trim())
    const params = paramNames(paramsArg)
    if (params === null) problems.push(`${file.path}:${line}: ${call} params are not a vec![…] (${paramsArg})`)
    const literal = CODE.exec(codeArg)
    if (literal) {
      add(literal[1], { from: `${file.path}:${line}`, params })
      continue
    }
    const binding = bound.get(codeArg)
    const returned = binding ? tuples(binding.method) : null
    if (!binding || !returned?.length) {
      problems.push(`${file.path}:${line}: ${call} code ${codeArg} is neither a literal nor bound from a method's tuple`)
      continue
    }
    for (const tuple of returned) {
      const code = tuple[binding.index]
      if (code !== undefined && /^[a-z][a-z0-9_]*$/.test(code)) add(code, { from: `${file.path}:${line} (${binding.method})`, params })
      else problems.push(`${file.path}:${line}: ${binding.method} returns no code at place ${binding.index} (${tuple.join(', ')})`)
    }
  }
  return { codes, problems }
}

/**
 * The hints of `supervisor/hints.rs`: each `(needles, "code", "English text")` entry, as code →
 * text (the text with its escapes undone).
 */
export function readHintCodes(file: RustFile): Map<string, string> {
  const src = withoutTestModules(file.text, maskRust(file.text))
  const hints = new Map<string, string>()
  for (const m of src.matchAll(/\]\s*,\s*"([a-z][a-z0-9_]*)"\s*,\s*"((?:[^"\\]|\\.)*)"/g)) {
    hints.set(m[1], m[2].replace(/\\(.)/g, '$1'))
  }
  return hints
}
