import type { ChatEndpoint } from '../../generated/ChatEndpoint'
import type { OllamaLoaded } from '../../generated/OllamaLoaded'

/** Names Ollama pulls, offered as examples under the pull field: its library, and a GGUF on Hugging Face. */
export const OLLAMA_EXAMPLES: readonly string[] = ['qwen2.5:7b', 'llama3.2:3b', 'hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M']

/**
 * The model name to pull from what was typed or pasted: trimmed, without a leading `ollama pull`
 * or `ollama run` (a command copied from a model's page) nor an address's `https://`
 * (`https://huggingface.co/org/repo` is `huggingface.co/org/repo` to Ollama). Ollama checks the
 * rest: a bad name is refused by the server (`hub_invalid_input`).
 */
export function ollamaPullName(typed: string): string {
  return typed
    .trim()
    .replace(/^ollama\s+(pull|run)\s+/i, '')
    .replace(/^https?:\/\//i, '')
    .replace(/\/+$/, '')
    .trim()
}

/**
 * An Ollama time (RFC 3339, with nanoseconds) as milliseconds; null when absent, unreadable or
 * Go's zero time (`0001-01-01T00:00:00Z`, "not known").
 */
export function ollamaTime(value: string | null | undefined): number | null {
  if (!value) return null
  const ms = Date.parse(value)
  return Number.isFinite(ms) && ms > 0 ? ms : null
}

/** A loaded model kept "forever" (`keep_alive: -1`) expires in centuries: this far ahead, it is not said. */
const FOREVER_MS = 10 * 365 * 24 * 3600 * 1000

/** When a loaded model is unloaded: its time, or null when it stays until Ollama stops (or is not known). */
export function loadedUntil(loaded: Pick<OllamaLoaded, 'expires_at'>, now = Date.now()): number | null {
  const ms = ollamaTime(loaded.expires_at)
  return ms === null || ms - now > FOREVER_MS ? null : ms
}

/** Where a loaded model sits: all in GPU memory, all in RAM, or split (with the GPU's share, 0..100). */
export type Placement = { kind: 'gpu' } | { kind: 'cpu' } | { kind: 'split'; gpuPercent: number }

export function placement(loaded: Pick<OllamaLoaded, 'size' | 'size_vram'>): Placement {
  if (loaded.size_vram <= 0) return { kind: 'cpu' }
  if (loaded.size <= 0 || loaded.size_vram >= loaded.size) return { kind: 'gpu' }
  return { kind: 'split', gpuPercent: Math.round((loaded.size_vram / loaded.size) * 100) }
}

const trimSlashes = (url: string) => url.trim().replace(/\/+$/, '')

/** Ollama's OpenAI-compatible base, as llmops adds it as a chat endpoint: `<base_url>/v1`. */
export function ollamaChatBase(baseUrl: string): string {
  return `${trimSlashes(baseUrl)}/v1`
}

/** The chat endpoint that reaches this Ollama (at `<base_url>/v1`), if one was added. */
export function ollamaChatEndpoint(endpoints: readonly ChatEndpoint[], baseUrl: string | null | undefined): ChatEndpoint | null {
  if (!baseUrl) return null
  const base = ollamaChatBase(baseUrl)
  return endpoints.find((e) => trimSlashes(e.base_url) === base) ?? null
}
