import type { GatewayStatus } from '../../generated/GatewayStatus'

/** The clients the "Connect your tools" panel shows code for. */
export const SNIPPET_KINDS = ['curl', 'python', 'javascript', 'openwebui'] as const
export type SnippetKind = (typeof SNIPPET_KINDS)[number]

/** The placeholder key a loopback client may send (llmops needs none there; the SDKs insist on one). */
export const LOOPBACK_KEY = 'llmops'
/** The environment variable the snippets read a real API key from, when one is needed. */
export const KEY_ENV = 'LLMOPS_API_KEY'

/** Where clients reach the gateway, and which address this browser would use. */
export interface Endpoint {
  /** The base URL to show and use in the snippets (ends in `/v1`). */
  base: string
  /** Another machine's address (the LAN one), when the server is served there too. */
  lan: string | null
  /** The base URL is on this machine only (127.0.0.1, ::1, localhost). */
  loopback: boolean
}

/** Whether a URL's host is this machine only. */
export function isLoopbackUrl(url: string): boolean {
  let host: string
  try {
    host = new URL(url).hostname.toLowerCase()
  } catch {
    return false
  }
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host)
}

/**
 * The gateway's endpoint as this page should show it: the address the server announces for the
 * origin this page came from (a phone on the LAN gets the LAN address), else its first one. When
 * the server announces none (the desktop app serves no HTTP), a browser falls back to its own
 * origin; the desktop app gets null: there is no endpoint to show.
 */
export function gatewayEndpoint(addresses: GatewayStatus['addresses'], origin: string | null): Endpoint | null {
  const normalized = addresses.map((a) => a.replace(/\/+$/, ''))
  const ownOrigin = origin && /^https?:\/\//.test(origin) ? origin.replace(/\/+$/, '') : null
  const base = normalized.find((a) => ownOrigin && a.startsWith(`${ownOrigin}/`)) ?? normalized[0] ?? (ownOrigin ? `${ownOrigin}/v1` : null)
  if (!base) return null
  return { base, lan: normalized.find((a) => !isLoopbackUrl(a)) ?? null, loopback: isLoopbackUrl(base) }
}

export interface SnippetInput {
  /** The base URL, ending in `/v1`. */
  base: string
  /** The model's stable name. */
  model: string
  /** The base URL is on this machine: any key works. Else a real API key (from the environment). */
  loopback: boolean
}

/** A string as a single-quoted shell word. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`
}

/** A string as a Python or JavaScript string literal (JSON's escaping is valid in both). */
function literal(s: string): string {
  return JSON.stringify(s)
}

function curlSnippet({ base, model, loopback }: SnippetInput): string {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello!' }] })
  const lines = [`curl ${shellQuote(`${base}/chat/completions`)}`, `  -H 'Content-Type: application/json'`]
  if (!loopback) lines.push(`  -H "Authorization: Bearer $${KEY_ENV}"`)
  lines.push(`  -d ${shellQuote(body)}`)
  return lines.join(' \\\n')
}

function pythonSnippet({ base, model, loopback }: SnippetInput): string {
  const key = loopback ? literal(LOOPBACK_KEY) : `os.environ[${literal(KEY_ENV)}]`
  return [
    '# pip install openai',
    ...(loopback ? [] : ['import os', '']),
    'from openai import OpenAI',
    '',
    `client = OpenAI(base_url=${literal(base)}, api_key=${key})`,
    'reply = client.chat.completions.create(',
    `    model=${literal(model)},`,
    '    messages=[{"role": "user", "content": "Hello!"}],',
    ')',
    'print(reply.choices[0].message.content)',
  ].join('\n')
}

function javascriptSnippet({ base, model, loopback }: SnippetInput): string {
  const key = loopback ? literal(LOOPBACK_KEY) : `process.env.${KEY_ENV}`
  return [
    '// npm install openai',
    "import OpenAI from 'openai'",
    '',
    `const client = new OpenAI({ baseURL: ${literal(base)}, apiKey: ${key} })`,
    'const reply = await client.chat.completions.create({',
    `  model: ${literal(model)},`,
    "  messages: [{ role: 'user', content: 'Hello!' }],",
    '})',
    'console.log(reply.choices[0].message.content)',
  ].join('\n')
}

/**
 * Open WebUI started with the gateway as its OpenAI connection (the same as Settings →
 * Connections → OpenAI API). On the host network, so that a loopback address reaches llmops.
 */
function openWebUiSnippet({ base, loopback }: SnippetInput): string {
  return [
    'docker run -d --name open-webui \\',
    ...(loopback ? ['  --network=host \\'] : ['  -p 3000:8080 \\']),
    `  -e OPENAI_API_BASE_URL=${shellQuote(base)} \\`,
    `  -e OPENAI_API_KEY=${loopback ? LOOPBACK_KEY : `"$${KEY_ENV}"`} \\`,
    '  -v open-webui:/app/backend/data \\',
    '  ghcr.io/open-webui/open-webui:main',
  ].join('\n')
}

const WRITERS: Record<SnippetKind, (input: SnippetInput) => string> = {
  curl: curlSnippet,
  python: pythonSnippet,
  javascript: javascriptSnippet,
  openwebui: openWebUiSnippet,
}

/** The code of one client, for this endpoint and model. */
export function clientSnippet(kind: SnippetKind, input: SnippetInput): string {
  return WRITERS[kind](input)
}
