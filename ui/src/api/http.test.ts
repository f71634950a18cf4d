import { describe, expect, it, vi } from 'vitest'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import { ApiError, errorFromResponse, toApiError } from './errors'
import { reconnectDelay } from './events'
import { HttpApi } from './http'

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

function sseResponse(chunks: string[]): Response {
  const enc = new TextEncoder()
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(enc.encode(c))
      controller.close()
    },
  })
  return new Response(stream, { status: 200, headers: { 'Content-Type': 'text/event-stream' } })
}

function apiWith(fetchFn: (url: string, init?: RequestInit) => Promise<Response>) {
  const spy = vi.fn(fetchFn)
  return { api: new HttpApi({ fetch: spy as unknown as typeof fetch, wsUrl: 'ws://test/api/ws' }), spy }
}

async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError)
    return err as ApiError
  }
  throw new Error('expected a rejection')
}

describe('HTTP error mapping', () => {
  it('uses the ErrorBody of a non-2xx answer', async () => {
    const { api } = apiWith(async () => jsonResponse(400, { code: 'model_file_missing', message: 'No file at /x.gguf.' }))
    const err = await rejection(api.addModel({ name: 'x', path: '/x.gguf' }))
    expect(err.code).toBe('model_file_missing')
    expect(err.message).toBe('No file at /x.gguf.')
    expect(err.status).toBe(400)
  })

  it('turns a fetch failure into network_error saying the server is unreachable', async () => {
    const { api } = apiWith(async () => {
      throw new TypeError('Failed to fetch')
    })
    const err = await rejection(api.listModels())
    expect(err.code).toBe('network_error')
    expect(err.message).toMatch(/llmops server is unreachable/)
  })

  it('falls back to an http_<status> code when the body is not an ErrorBody', async () => {
    const err = await errorFromResponse(new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }))
    expect(err.code).toBe('http_502')
    expect(err.message).toContain('502')
  })

  it('rejects an unreadable success body with invalid_response', async () => {
    const { api } = apiWith(async () => new Response('not json', { status: 200 }))
    expect((await rejection(api.systemStatus())).code).toBe('invalid_response')
  })

  it('maps Tauri-style rejections (ErrorBody object or string)', () => {
    expect(toApiError({ code: 'not_found', message: 'No such model.' })).toMatchObject({ code: 'not_found', message: 'No such model.' })
    expect(toApiError('{"code":"busy","message":"Busy."}')).toMatchObject({ code: 'busy', message: 'Busy.' })
    expect(toApiError('boom')).toMatchObject({ code: 'internal', message: 'boom' })
  })

  it('calls the documented endpoints', async () => {
    const { api, spy } = apiWith(async (url) => (url.includes('/api/models/m%2F1') && !url.endsWith('start') ? new Response(null, { status: 204 }) : jsonResponse(200, [])))
    await api.removeModel('m/1')
    await api.instanceLogs('i1', 5, 100)
    await api.startModel('m/1')
    expect(spy.mock.calls.map(([u, init]) => `${init?.method ?? 'GET'} ${u}`)).toEqual([
      'DELETE /api/models/m%2F1',
      'GET /api/instances/i1/logs?since=5&limit=100',
      'POST /api/models/m%2F1/start',
    ])
  })

  it('backs off from 0.5 s doubling to at most 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(reconnectDelay)).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000])
  })
})

describe('HTTP monitoring endpoints', () => {
  const history = { range: '1h', step_ms: 1000, from: 1, to: 2, series: [{ key: 'cpu.usage_percent', points: [{ t: 1, min: 2, avg: 2, max: 2 }] }] }

  it('asks for the history of a range, optionally of some series', async () => {
    const { api, spy } = apiWith(async () => jsonResponse(200, history))
    expect(await api.systemHistory('1h')).toEqual(history)
    await api.systemHistory('7d', ['cpu.usage_percent', 'gpu.0.power_watts'])
    await api.systemHistory('15m', [])
    expect(spy.mock.calls.map(([u, init]) => `${init?.method ?? 'GET'} ${u}`)).toEqual([
      'GET /api/system/history?range=1h',
      'GET /api/system/history?range=7d&series=cpu.usage_percent,gpu.0.power_watts',
      'GET /api/system/history?range=15m',
    ])
  })

  it('lists alerts', async () => {
    const list = { active: [], recent: [] }
    const { api, spy } = apiWith(async () => jsonResponse(200, list))
    expect(await api.listAlerts()).toEqual(list)
    expect(spy.mock.calls[0][0]).toBe('/api/alerts')
  })

  const rules = {
    gpu_temperature_celsius: { enabled: true, raise_at: 85, clear_at: 80 },
    gpu_memory_percent: { enabled: true, raise_at: 95, clear_at: 90 },
    host_memory_percent: { enabled: false, raise_at: 90, clear_at: 85 },
    disk_free_percent: { enabled: true, raise_at: 10, clear_at: 12 },
    instance_failed: true,
  }

  it('reads the alert rules and saves them with PUT', async () => {
    const { api, spy } = apiWith(async () => jsonResponse(200, rules))
    expect(await api.getAlertRules()).toEqual(rules)
    expect(await api.setAlertRules(rules)).toEqual(rules)
    expect(spy.mock.calls.map(([u, init]) => `${init?.method ?? 'GET'} ${u}`)).toEqual([
      'GET /api/alerts/rules',
      'PUT /api/alerts/rules',
    ])
    const init = spy.mock.calls[1][1]
    expect(JSON.parse(String(init?.body))).toEqual(rules)
    expect((init?.headers as Record<string, string>)['Content-Type']).toBe('application/json')
  })

  it('rejects invalid rules with alert_rules_invalid', async () => {
    const { api } = apiWith(async () => jsonResponse(400, { code: 'alert_rules_invalid', message: 'clear_at must be below raise_at.' }))
    const err = await rejection(api.setAlertRules(rules))
    expect(err).toMatchObject({ code: 'alert_rules_invalid', message: 'clear_at must be below raise_at.', status: 400 })
  })
})

describe('HTTP chat stream', () => {
  const request = { instance_id: 'i1', messages: [{ role: 'user' as const, content: 'hi' }] }

  it('delivers events from an SSE body split across chunks', async () => {
    const { api, spy } = apiWith(async () =>
      sseResponse(['data: {"event":"delta","con', 'tent":"Hel"}\r\n\r\n: ping\n\ndata: {"event":"delta","content":"lo"}\n', '\ndata: {"event":"done","finish_reason":"stop","usage":null}\n\n']),
    )
    const events: ChatStreamEvent[] = []
    const handle = await api.chatStream(request, (e) => events.push(e))
    await handle.done
    expect(events).toEqual([
      { event: 'delta', content: 'Hel' },
      { event: 'delta', content: 'lo' },
      { event: 'done', finish_reason: 'stop', usage: null },
    ])
    const init = spy.mock.calls[0][1]
    expect(init?.method).toBe('POST')
    expect(JSON.parse(String(init?.body))).toEqual(request)
  })

  it('rejects before streaming with the ErrorBody', async () => {
    const { api } = apiWith(async () => jsonResponse(409, { code: 'instance_not_running', message: 'Start the model first.' }))
    const err = await rejection(api.chatStream(request, () => {}))
    expect(err.code).toBe('instance_not_running')
  })

  it('reports a stream that ends without done as an error event', async () => {
    const { api } = apiWith(async () => sseResponse(['data: {"event":"delta","content":"x"}\n\n']))
    const events: ChatStreamEvent[] = []
    await (await api.chatStream(request, (e) => events.push(e))).done
    expect(events.map((e) => e.event)).toEqual(['delta', 'error'])
  })

  it('cancel aborts the request and delivers nothing more', async () => {
    let signal: AbortSignal | undefined
    const { api } = apiWith(async (_url, init) => {
      signal = init?.signal ?? undefined
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode('data: {"event":"delta","content":"a"}\n\n'))
          signal?.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')))
        },
      })
      return new Response(stream, { status: 200 })
    })
    const events: ChatStreamEvent[] = []
    const handle = await api.chatStream(request, (e) => events.push(e))
    await new Promise((r) => setTimeout(r, 10))
    await handle.cancel()
    await handle.done
    expect(signal?.aborted).toBe(true)
    expect(events).toEqual([{ event: 'delta', content: 'a' }])
  })
})

describe('HTTP modelDetail', () => {
  it('GETs /api/models/{id} and returns the detail', async () => {
    const detail = {
      model: { id: 'm/1', name: 'M' },
      history: [
        {
          id: 'i1',
          port: 41000,
          pid: 7,
          state: 'failed',
          reason: 'exit 1\nlast output',
          started_at: 1,
          updated_at: 2,
          transitions: [{ state: 'starting', reason: null, at: 1 }],
        },
      ],
    }
    const { api, spy } = apiWith(async () => jsonResponse(200, detail))
    await expect(api.modelDetail('m/1')).resolves.toEqual(detail)
    expect(spy).toHaveBeenCalledTimes(1)
    const [url, init] = spy.mock.calls[0]
    expect(`${init?.method ?? 'GET'} ${url}`).toBe('GET /api/models/m%2F1')
  })

  it('maps a 404 to model_not_found', async () => {
    const { api } = apiWith(async () => jsonResponse(404, { code: 'model_not_found', message: 'No model with id x.' }))
    const err = await rejection(api.modelDetail('x'))
    expect(err.code).toBe('model_not_found')
    expect(err.status).toBe(404)
    expect(err.message).toBe('No model with id x.')
  })
})
