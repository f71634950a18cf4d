import { describe, expect, it } from 'vitest'
import { clientSnippet, gatewayEndpoint, isLoopbackUrl, SNIPPET_KINDS } from './snippets'

const LOCAL = 'http://127.0.0.1:8765/v1'
const LAN = 'http://192.168.1.20:8765/v1'

describe('gatewayEndpoint', () => {
  it('uses the address of the origin this page came from, else the first', () => {
    expect(gatewayEndpoint([LOCAL, LAN], 'http://127.0.0.1:8765')).toEqual({ base: LOCAL, lan: LAN, loopback: true })
    expect(gatewayEndpoint([LOCAL, LAN], 'http://192.168.1.20:8765')).toEqual({ base: LAN, lan: LAN, loopback: false })
    expect(gatewayEndpoint([LOCAL], 'http://localhost:1420')).toEqual({ base: LOCAL, lan: null, loopback: true })
  })

  it('falls back to the browser’s origin when the server names none, and gives nothing in the desktop app', () => {
    expect(gatewayEndpoint([], 'http://127.0.0.1:9000')).toEqual({ base: 'http://127.0.0.1:9000/v1', lan: null, loopback: true })
    expect(gatewayEndpoint([], null)).toBeNull()
    expect(gatewayEndpoint([], 'tauri://localhost')).toBeNull()
  })

  it('tells loopback addresses from the others', () => {
    expect(['http://127.0.0.1:1/v1', 'http://localhost/v1', 'http://[::1]:8765/v1'].map(isLoopbackUrl)).toEqual([true, true, true])
    expect(['http://192.168.1.2/v1', 'https://llm.example.com/v1', 'not a url'].map(isLoopbackUrl)).toEqual([false, false, false])
  })
})

describe('clientSnippet', () => {
  const local = { base: LOCAL, model: 'smollm2-135m-instruct-q4_1', loopback: true }

  it('puts the real base URL and the model’s stable name in every snippet', () => {
    for (const kind of SNIPPET_KINDS) {
      const code = clientSnippet(kind, local)
      expect(code, kind).toContain(LOCAL)
      if (kind !== 'openwebui') expect(code, kind).toContain('smollm2-135m-instruct-q4_1')
    }
    expect(clientSnippet('curl', local)).toContain(`curl 'http://127.0.0.1:8765/v1/chat/completions'`)
    expect(clientSnippet('python', local)).toContain('client = OpenAI(base_url="http://127.0.0.1:8765/v1", api_key="llmops")')
    expect(clientSnippet('python', local)).toContain('model="smollm2-135m-instruct-q4_1"')
    expect(clientSnippet('javascript', local)).toContain('new OpenAI({ baseURL: "http://127.0.0.1:8765/v1", apiKey: "llmops" })')
    expect(clientSnippet('openwebui', local)).toContain(`OPENAI_API_BASE_URL='http://127.0.0.1:8765/v1'`)
    expect(clientSnippet('openwebui', local)).toContain('--network=host')
  })

  it('sends no key from this machine and reads a real one from the environment elsewhere', () => {
    expect(clientSnippet('curl', local)).not.toContain('Authorization')
    const remote = { base: LAN, model: 'qwen', loopback: false }
    expect(clientSnippet('curl', remote)).toContain('-H "Authorization: Bearer $LLMOPS_API_KEY"')
    expect(clientSnippet('python', remote)).toContain('api_key=os.environ["LLMOPS_API_KEY"]')
    expect(clientSnippet('python', remote)).toContain('import os')
    expect(clientSnippet('javascript', remote)).toContain('apiKey: process.env.LLMOPS_API_KEY')
    expect(clientSnippet('openwebui', remote)).toContain('OPENAI_API_KEY="$LLMOPS_API_KEY"')
    expect(clientSnippet('openwebui', remote)).not.toContain('--network=host')
  })

  it('quotes names a shell or a language would otherwise read', () => {
    const odd = { base: LOCAL, model: `it's "odd"`, loopback: true }
    // The JSON body in single quotes: the model's ' closes, escapes and reopens them.
    expect(clientSnippet('curl', odd)).toContain(`"model":"it'\\''s \\"odd\\""`)
    expect(clientSnippet('python', odd)).toContain(`model="it's \\"odd\\""`)
  })
})
