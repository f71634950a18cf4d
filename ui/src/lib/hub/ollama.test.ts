import { describe, expect, it } from 'vitest'
import { loadedUntil, ollamaChatBase, ollamaChatEndpoint, ollamaPullName, ollamaTime, placement } from './ollama'

describe('Ollama helpers', () => {
  it('takes the model name out of what was typed or pasted', () => {
    expect(ollamaPullName('  qwen2.5:7b ')).toBe('qwen2.5:7b')
    expect(ollamaPullName('ollama pull llama3.2:3b')).toBe('llama3.2:3b')
    expect(ollamaPullName('ollama run hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M')).toBe('hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M')
    expect(ollamaPullName('https://huggingface.co/org/repo/')).toBe('huggingface.co/org/repo')
    expect(ollamaPullName('   ')).toBe('')
    // Anything else is Ollama's (and the server's) to judge.
    expect(ollamaPullName('not a name')).toBe('not a name')
  })

  it('reads Ollama’s times, with nanoseconds, and not Go’s zero time', () => {
    expect(ollamaTime('2025-05-01T12:34:56.123456789+02:00')).toBe(Date.UTC(2025, 4, 1, 10, 34, 56, 123))
    expect(ollamaTime('0001-01-01T00:00:00Z')).toBeNull()
    expect(ollamaTime('yesterday')).toBeNull()
    expect(ollamaTime(null)).toBeNull()
  })

  it('says until when a model stays loaded; kept forever is not a time', () => {
    const now = Date.UTC(2025, 0, 1)
    expect(loadedUntil({ expires_at: '2025-01-01T00:05:00Z' }, now)).toBe(now + 5 * 60_000)
    expect(loadedUntil({ expires_at: '2318-01-01T00:00:00Z' }, now)).toBeNull()
    expect(loadedUntil({ expires_at: null }, now)).toBeNull()
  })

  it('says where a loaded model sits', () => {
    expect(placement({ size: 100, size_vram: 100 })).toEqual({ kind: 'gpu' })
    expect(placement({ size: 100, size_vram: 0 })).toEqual({ kind: 'cpu' })
    expect(placement({ size: 200, size_vram: 50 })).toEqual({ kind: 'split', gpuPercent: 25 })
  })

  it('finds the chat endpoint added for this Ollama at its /v1', () => {
    const endpoint = (id: string, base_url: string) => ({ id, name: id, base_url, has_api_key: false, created_at: 1 })
    const endpoints = [endpoint('lm', 'http://127.0.0.1:1234/v1'), endpoint('ol', 'http://127.0.0.1:11434/v1/')]
    expect(ollamaChatBase('http://127.0.0.1:11434/')).toBe('http://127.0.0.1:11434/v1')
    expect(ollamaChatEndpoint(endpoints, 'http://127.0.0.1:11434')?.id).toBe('ol')
    expect(ollamaChatEndpoint(endpoints, 'http://10.0.0.2:11434')).toBeNull()
    expect(ollamaChatEndpoint(endpoints, null)).toBeNull()
  })
})
