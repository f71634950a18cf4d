import type { ModelSource } from '../../generated/ModelSource'

/** The quantisation names a GGUF file name may carry (as the core's `quant_label` knows them). */
const QUANTS = [
  'IQ1_S', 'IQ1_M', 'IQ2_XXS', 'IQ2_XS', 'IQ2_S', 'IQ2_M', 'IQ3_XXS', 'IQ3_XS', 'IQ3_S',
  'IQ3_M', 'IQ4_XS', 'IQ4_NL', 'Q2_K_S', 'Q2_K_L', 'Q2_K', 'Q3_K_S', 'Q3_K_M', 'Q3_K_L',
  'Q3_K_XL', 'Q4_K_S', 'Q4_K_M', 'Q4_K_L', 'Q4_K_XL', 'Q4_0', 'Q4_1', 'Q5_K_S', 'Q5_K_M',
  'Q5_K_L', 'Q5_0', 'Q5_1', 'Q6_K_L', 'Q6_K', 'Q8_0', 'BF16', 'F16', 'F32', 'MXFP4', 'TQ1_0',
  'TQ2_0',
] as const

/** A character that may stand next to a quantisation name in a file name (not a letter, digit or `_`). */
const boundary = (c: string | undefined) => c === undefined || !/[A-Za-z0-9_]/.test(c)

/**
 * The quantisation a GGUF file's path carries (`…-Q4_K_M.gguf`, `….IQ3_XS-00001-of-00002.gguf`,
 * a `Q8_0/` folder), or null; the longest name that stands alone wins (Q4_K_M before Q4_K).
 */
export function quantFromFile(path: string): string | null {
  const upper = path.toUpperCase()
  let best: string | null = null
  for (const quant of QUANTS) {
    for (let at = upper.indexOf(quant); at >= 0; at = upper.indexOf(quant, at + 1)) {
      if (boundary(upper[at - 1]) && boundary(upper[at + quant.length])) {
        if (!best || quant.length > best.length) best = quant
        break
      }
    }
  }
  return best
}

/** A path's last part, either separator. */
export function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'))
  return cut >= 0 ? path.slice(cut + 1) : path
}

/** A GGUF file's name without `.gguf` and a split set's `-00001-of-00003`. */
export function fileStem(path: string): string {
  return baseName(path)
    .replace(/\.gguf$/i, '')
    .replace(/-\d{3,5}-of-\d{3,5}$/i, '')
}

/** A repository's name without its owner and the `-GGUF` that hub repositories of GGUF files carry. */
export function repoBaseName(repo: string): string {
  const name = repo.split('/').filter(Boolean).pop() ?? repo
  return name.replace(/[-_. ]gguf$/i, '') || name
}

/** Drops a quantisation name (and the separator before it) from the end of a file stem. */
function withoutQuant(stem: string, quant: string): string {
  const upper = stem.toUpperCase()
  if (!upper.endsWith(quant)) return stem
  const rest = stem.slice(0, stem.length - quant.length).replace(/[-_. ]+$/, '')
  return rest || stem
}

export interface NameParts {
  /** `org/name` of a hub repository, `name:tag` of an Ollama model, or null. */
  repo: string | null
  /** The file's path or name (a split set's first shard). */
  file: string
  /** Where it was found; a hub file when absent. */
  source?: ModelSource
  /** The quantisation when known (the hub's label, the header's); else read from the file name. */
  quant?: string | null
}

/**
 * A name for the Deploy form: the repository's name and the quantisation, `SmolLM2-135M-Instruct Q4_1`;
 * an Ollama model by its `name:tag`; a file in a folder by its own name.
 */
export function suggestedModelName(parts: NameParts): string {
  const quant = (parts.quant && /^[A-Za-z0-9_]+$/.test(parts.quant) ? parts.quant.toUpperCase() : null) ?? quantFromFile(parts.file)
  if (parts.source === 'ollama' && parts.repo) return parts.repo
  const fromRepo = parts.repo && parts.repo.includes('/') && parts.source !== 'folder' && parts.source !== 'llmops'
  const base = fromRepo ? repoBaseName(parts.repo!) : quant ? withoutQuant(fileStem(parts.file), quant) : fileStem(parts.file)
  if (!quant || base.toUpperCase().includes(quant)) return base
  return `${base} ${quant}`
}

/** An `owner/name` repository id: letters, digits, `-`, `_` and `.` on both sides. */
const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/

/**
 * The repository a user typed or pasted: `org/name`, or a hub address (`https://huggingface.co/org/name`,
 * `hf-mirror.com/org/name/tree/main`, `hf.co/org/name`, `modelscope.cn/models/owner/name/files`);
 * null when it names none.
 */
export function parseRepoId(text: string): string | null {
  let s = text.trim()
  if (!s) return null
  // An address: any host with a scheme, the known hubs without one.
  const url = /^https?:\/\/[^/]+\/(.*)$/i.exec(s) ?? /^(?:www\.)?(?:huggingface\.co|hf\.co|hf-mirror\.com|modelscope\.cn|modelscope\.ai)\/(.*)$/i.exec(s)
  if (url) {
    const parts = url[1].split(/[?#]/)[0].split('/').filter(Boolean)
    // `/models/org/name` as some mirrors write it; `/datasets/…` and `/spaces/…` are not models.
    if (parts[0] === 'datasets' || parts[0] === 'spaces') return null
    if (parts[0] === 'models') parts.shift()
    s = parts.slice(0, 2).join('/')
  }
  return REPO_ID.test(s) && !s.includes('..') ? s : null
}
