import { describe, expect, it, vi } from 'vitest'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'
import { ApiError, errorFromResponse, toApiError } from './errors'
import { reconnectDelay } from './events'
import { dispositionFilename, HttpApi } from './http'

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
    await api.instanceLogs('i1', { since: 5, limit: 100 })
    await api.startModel('m/1')
    expect(spy.mock.calls.map(([u, init]) => `${init?.method ?? 'GET'} ${u}`)).toEqual([
      'DELETE /api/models/m%2F1',
      'GET /api/instances/i1/logs?since=5&limit=100',
      'POST /api/models/m%2F1/start',
    ])
  })

  it('rejects the desktop app\'s "Serve on local network" with desktop_only, without a request', async () => {
    const { api, spy } = apiWith(async () => jsonResponse(200, {}))
    const err = await rejection(api.setLanServing({ enabled: true }))
    expect(err.code).toBe('desktop_only')
    expect(err.params).toEqual({ operation: 'set_lan_serving' })
    expect(spy).not.toHaveBeenCalled()
  })

  it('reads the engines and the deploy presets', async () => {
    const engines = [
      { engine: 'llama_cpp', binary: '/bin/llama-server', source: 'cache', version: 'b4000', problem: null, verified: true },
      { engine: 'vllm', binary: null, source: null, version: null, problem: { code: 'engine_missing', message: 'vllm was not found.' }, verified: false },
    ]
    const presets = [
      {
        id: 'qwen-vllm', family: 'Qwen', name: 'Qwen2.5 7B Instruct', engine: 'vllm', model: 'Qwen/Qwen2.5-7B-Instruct', source: null,
        context_size: 32768, settings: { engine: 'vllm', trust_remote_code: false, gpu_memory_utilization: 0.9 }, notes: 'n',
      },
    ]
    const { api, spy } = apiWith(async (url) => jsonResponse(200, url.endsWith('/presets') ? presets : engines))
    expect(await api.enginesInfo()).toEqual(engines)
    expect(await api.deployPresets()).toEqual(presets)
    expect(spy.mock.calls.map(([u, init]) => `${init?.method ?? 'GET'} ${u}`)).toEqual(['GET /api/engines', 'GET /api/engines/presets'])
  })

  it('sends a model with its tagged engine settings', async () => {
    const { api, spy } = apiWith(async () => jsonResponse(200, {}))
    const model = {
      name: 'Qwen', path: 'Qwen/Qwen2.5-7B-Instruct', engine: 'vllm_docker' as const,
      settings: { engine: 'vllm_docker' as const, env: ['HF_TOKEN=x'], trust_remote_code: false, image: 'vllm/vllm-openai:latest' },
    }
    await api.addModel(model)
    const [url, init] = spy.mock.calls[0]
    expect(`${init?.method} ${url}`).toBe('POST /api/models')
    expect(JSON.parse(String(init?.body))).toEqual(model)
  })

  it('deploys a model in one request and answers its instance', async () => {
    const instance = { id: 'i1', model_id: 'm1', state: { kind: 'pending' } }
    const { api, spy } = apiWith(async () => jsonResponse(200, instance))
    const model = { name: 'Q', path: 'Qwen/Qwen2.5-7B-Instruct', engine: 'vllm' as const, settings: { engine: 'vllm' as const, trust_remote_code: false } }
    expect(await api.deployModel(model)).toEqual(instance)
    expect(spy).toHaveBeenCalledTimes(1)
    const [url, init] = spy.mock.calls[0]
    expect(`${init?.method} ${url}`).toBe('POST /api/models/deploy')
    expect(new Headers(init?.headers).get('Content-Type')).toBe('application/json')
    expect(JSON.parse(String(init?.body))).toEqual(model)
  })

  it('stops a model by its id, without a body; one not running rejects with model_not_running', async () => {
    const instance = { id: 'i1', model_id: 'm/1', state: { kind: 'stopping' } }
    const { api, spy } = apiWith(async (url) =>
      url.includes('idle') ? jsonResponse(409, { code: 'model_not_running', message: 'The model "idle" is not running.' }) : jsonResponse(200, instance),
    )
    expect(await api.stopModel('m/1')).toEqual(instance)
    const [url, init] = spy.mock.calls[0]
    expect(`${init?.method} ${url}`).toBe('POST /api/models/m%2F1/stop')
    expect(init?.body).toBeUndefined()
    const err = await rejection(api.stopModel('idle'))
    expect(err).toMatchObject({ code: 'model_not_running', status: 409 })
  })

  it('backs off from 0.5 s doubling to at most 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 10].map(reconnectDelay)).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000])
  })
})

describe('HTTP monitoring endpoints', () => {
  const history = { range: '1h', step_ms: 1000, from: 1, to: 2, series: [{ key: 'cpu.usage_percent', points: [{ t: 1, min: 2, avg: 2, max: 2 }] }] }

  it('asks for the history of a range, optionally of some series', async () => {
    const { api, spy } = apiWith(async () => jsonResponse(200, history))
    expect(await api.systemHistory({ range: '1h' })).toEqual(history)
    await api.systemHistory({ range: '7d', series: 'cpu.usage_percent,gpu.0.power_watts' })
    await api.systemHistory({ range: '15m', series: undefined })
    expect(spy.mock.calls.map(([u, init]) => `${init?.method ?? 'GET'} ${u}`)).toEqual([
      'GET /api/system/history?range=1h',
      'GET /api/system/history?range=7d&series=cpu.usage_percent%2Cgpu.0.power_watts',
      'GET /api/system/history?range=15m',
    ])
  })

  it('lists alerts', async () => {
    const list = { active: [], recent: [] }
    const { api, spy } = apiWith(async () => jsonResponse(200, list))
    expect(await api.listAlerts()).toEqual(list)
    expect(spy.mock.calls[0][0]).toBe('/api/alerts')
  })

  it('acknowledges an alert with a bodiless POST and answers the updated alert', async () => {
    const acked = {
      id: 'gpu/0 temp', kind: 'gpu_temperature', subject: 'GPU 0', severity: 'warning', message: 'hot', value: 88, threshold: 85,
      raised_at: 100, cleared_at: null, acknowledged_at: 200,
    }
    const { api, spy } = apiWith(async () => jsonResponse(200, acked))
    expect(await api.acknowledgeAlert('gpu/0 temp')).toEqual(acked)
    expect(spy.mock.calls.map(([u, init]) => `${init?.method ?? 'GET'} ${u}`)).toEqual(['POST /api/alerts/gpu%2F0%20temp/acknowledge'])
    expect(spy.mock.calls[0][1]?.body).toBeUndefined()
  })

  it('rejects acknowledging an alert that is no longer active with alert_not_found', async () => {
    const { api } = apiWith(async () => jsonResponse(404, { code: 'alert_not_found', message: 'No active alert a9.' }))
    const err = await rejection(api.acknowledgeAlert('a9'))
    expect(err).toMatchObject({ code: 'alert_not_found', status: 404 })
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
  const turn = { action: 'send' as const, content: 'hi' }

  it('delivers events from an SSE body split across chunks', async () => {
    const { api, spy } = apiWith(async () =>
      sseResponse(['data: {"event":"delta","con', 'tent":"Hel"}\r\n\r\n: ping\n\ndata: {"event":"delta","content":"lo"}\n', '\ndata: {"event":"done","finish_reason":"stop","usage":null}\n\n']),
    )
    const events: ChatStreamEvent[] = []
    const handle = await api.chatTurn('c1', turn, (e) => events.push(e))
    await handle.done
    expect(events).toEqual([
      { event: 'delta', content: 'Hel' },
      { event: 'delta', content: 'lo' },
      { event: 'done', finish_reason: 'stop', usage: null },
    ])
    const init = spy.mock.calls[0][1]
    expect(init?.method).toBe('POST')
    expect(spy.mock.calls[0][0]).toBe('/api/conversations/c1/turns')
    expect(JSON.parse(String(init?.body))).toEqual(turn)
  })

  it('rejects before streaming with the ErrorBody', async () => {
    const { api } = apiWith(async () => jsonResponse(409, { code: 'instance_not_running', message: 'Start the model first.' }))
    const err = await rejection(api.chatTurn('c1', turn, () => {}))
    expect(err.code).toBe('instance_not_running')
  })

  it('reports a stream that ends without done as an error event', async () => {
    const { api } = apiWith(async () => sseResponse(['data: {"event":"delta","content":"x"}\n\n']))
    const events: ChatStreamEvent[] = []
    await (await api.chatTurn('c1', turn, (e) => events.push(e))).done
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
    const handle = await api.chatTurn('c1', turn, (e) => events.push(e))
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

describe('HTTP conversations', () => {
  const conversation = {
    id: 'c/1',
    title: 'Sea',
    target: { kind: 'model', model_id: 'm1' },
    target_label: 'Qwen',
    params: { stop: [] },
    pinned: false,
    created_at: 1,
    updated_at: 2,
  }
  const calls = (spy: ReturnType<typeof apiWith>['spy']) => spy.mock.calls.map(([u, init]) => `${init?.method ?? 'GET'} ${u}`)
  const body = (spy: ReturnType<typeof apiWith>['spy'], i: number) => JSON.parse(String(spy.mock.calls[i][1]?.body))

  it('lists, creates, reads, updates and deletes conversations and messages', async () => {
    const { api, spy } = apiWith(async (_url, init) => (init?.method === 'DELETE' ? new Response(null, { status: 204 }) : jsonResponse(200, conversation)))
    await api.listConversations()
    await api.createConversation({ target: { kind: 'model', model_id: 'm1' } })
    await api.getConversation('c/1')
    expect(await api.updateConversation('c/1', { title: 'New', pinned: true })).toEqual(conversation)
    await expect(api.deleteConversation('c/1')).resolves.toBeUndefined()
    await expect(api.deleteChatMessage('c/1', 'm 2')).resolves.toBeUndefined()
    expect(calls(spy)).toEqual([
      'GET /api/conversations',
      'POST /api/conversations',
      'GET /api/conversations/c%2F1',
      'PATCH /api/conversations/c%2F1',
      'DELETE /api/conversations/c%2F1',
      'DELETE /api/conversations/c%2F1/messages/m%202',
    ])
    expect(body(spy, 1)).toEqual({ target: { kind: 'model', model_id: 'm1' } })
    expect(body(spy, 3)).toEqual({ title: 'New', pinned: true })
    expect((spy.mock.calls[3][1]?.headers as Record<string, string>)['Content-Type']).toBe('application/json')
  })

  it('rejects a failed update with its ErrorBody', async () => {
    const { api } = apiWith(async () => jsonResponse(400, { code: 'chat_params_invalid', message: 'temperature must be a number from 0 to 2.' }))
    const err = await rejection(api.updateConversation('c1', { params: { stop: [], temperature: 3 } }))
    expect(err).toMatchObject({ code: 'chat_params_invalid', status: 400 })
  })

  it('streams a turn: started, deltas, then done with stats', async () => {
    const user = { id: 'u1', conversation_id: 'c1', role: 'user', content: 'hi', reasoning: '', status: 'complete', error: null, stats: null, created_at: 1, updated_at: 1 }
    const answer = { ...user, id: 'a1', role: 'assistant', content: '', status: 'streaming' }
    const stats = { ttft_ms: 5, duration_ms: 20, tokens_per_second: 100, prompt_tokens: 3, completion_tokens: 2, counted: false }
    const started = JSON.stringify({ event: 'started', user_message: user, assistant_message: answer, conversation })
    const { api, spy } = apiWith(async () =>
      sseResponse([
        `event: started\ndata: ${started.slice(0, 30)}`,
        `${started.slice(30)}\n\nevent: reasoning\ndata: {"event":"reasoning","content":"hm"}\n\n`,
        'event: delta\ndata: {"event":"delta","content":"Hel"}\n\nevent: delta\ndata: {"event":"delta","content":"lo"}\n\n',
        `event: done\ndata: ${JSON.stringify({ event: 'done', finish_reason: 'stop', usage: null, stats })}\n\n`,
      ]),
    )
    const events: ChatStreamEvent[] = []
    const handle = await api.chatTurn('c 1', { action: 'send', content: 'hi' }, (e) => events.push(e))
    await handle.done
    expect(events).toEqual([
      { event: 'started', user_message: user, assistant_message: answer, conversation },
      { event: 'reasoning', content: 'hm' },
      { event: 'delta', content: 'Hel' },
      { event: 'delta', content: 'lo' },
      { event: 'done', finish_reason: 'stop', usage: null, stats },
    ])
    expect(calls(spy)).toEqual(['POST /api/conversations/c%201/turns'])
    expect(body(spy, 0)).toEqual({ action: 'send', content: 'hi' })
    expect((spy.mock.calls[0][1]?.headers as Record<string, string>).Accept).toBe('text/event-stream')
  })

  it('rejects a turn the server refuses before streaming', async () => {
    const { api } = apiWith(async () => jsonResponse(409, { code: 'conversation_busy', message: 'An answer is already streaming.' }))
    const err = await rejection(api.chatTurn('c1', { action: 'regenerate' }, () => {}))
    expect(err).toMatchObject({ code: 'conversation_busy', status: 409 })
  })

  it('stops a turn by aborting its request', async () => {
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
    const handle = await api.chatTurn('c1', { action: 'edit', message_id: 'u1', content: 'x' }, (e) => events.push(e))
    await new Promise((r) => setTimeout(r, 10))
    await handle.cancel()
    expect(signal?.aborted).toBe(true)
    expect(events).toEqual([{ event: 'delta', content: 'a' }])
  })

  it('searches with an encoded query', async () => {
    const hits = [{ conversation_id: 'c1', conversation_title: 'Sea', message_id: null, role: null, snippet: '\u0002Sea\u0003', updated_at: 1 }]
    const { api, spy } = apiWith(async () => jsonResponse(200, hits))
    expect(await api.searchConversations({ q: 'sea & sky' })).toEqual(hits)
    expect(calls(spy)).toEqual(['GET /api/chat/search?q=sea+%26+sky'])
  })

  it('exports through a download named by the server', async () => {
    const download = vi.fn()
    const spy = vi.fn(async () =>
      new Response('# Sea\n', { status: 200, headers: { 'Content-Disposition': 'attachment; filename="sea-chat.md"' } }),
    )
    const api = new HttpApi({ fetch: spy as unknown as typeof fetch, wsUrl: 'ws://test/api/ws', download })
    expect(await api.exportConversation('c1', 'markdown')).toEqual({ filename: 'sea-chat.md' })
    expect(spy.mock.calls[0]).toEqual(['/api/conversations/c1/export?format=markdown', undefined])
    const [file, name] = download.mock.calls[0] as [Blob, string]
    expect(name).toBe('sea-chat.md')
    expect(await file.text()).toBe('# Sea\n')
  })

  it('guesses the export name without a Content-Disposition, and reports a failed export', async () => {
    const download = vi.fn()
    let status = 200
    const fetchFn = vi.fn(async () => (status === 200 ? new Response('{}', { status }) : jsonResponse(status, { code: 'conversation_not_found', message: 'Gone.' })))
    const api = new HttpApi({ fetch: fetchFn as unknown as typeof fetch, wsUrl: 'ws://test/api/ws', download })
    expect(await api.exportConversation('c1', 'json')).toEqual({ filename: 'conversation.json' })
    status = 404
    expect((await rejection(api.exportConversation('c1', 'json'))).code).toBe('conversation_not_found')
    expect(download).toHaveBeenCalledOnce()
  })

  it('downloads run and sweep reports the server writes', async () => {
    const download = vi.fn()
    const spy = vi.fn(async (url: string, _init?: RequestInit) =>
      jsonResponse(200, url.startsWith('/api/runs')
        ? { filename: 'runs-compare.html', content_type: 'text/html', content: '<!doctype html><title>Runs</title>' }
        : { filename: 'sweep-s1.csv', content_type: 'text/csv', content: 'index,outcome\n0,completed\n' }),
    )
    const api = new HttpApi({ fetch: spy as unknown as typeof fetch, wsUrl: 'ws://test/api/ws', download })
    expect(await api.saveRunReport({ ids: ['r1', 'r2'], format: 'html' })).toEqual({ filename: 'runs-compare.html' })
    expect(await api.saveSweepReport({ id: 's1', format: 'csv' })).toEqual({ filename: 'sweep-s1.csv' })
    expect(spy.mock.calls.map(([url, init]) => [url, init?.method, init?.body])).toEqual([
      ['/api/runs/export', 'POST', JSON.stringify({ ids: ['r1', 'r2'], format: 'html' })],
      ['/api/sweeps/export', 'POST', JSON.stringify({ id: 's1', format: 'csv' })],
    ])
    const [[page, pageName], [table, tableName]] = download.mock.calls as [Blob, string][]
    expect([pageName, page.type, await page.text()]).toEqual(['runs-compare.html', 'text/html', '<!doctype html><title>Runs</title>'])
    expect([tableName, table.type, await table.text()]).toEqual(['sweep-s1.csv', 'text/csv', 'index,outcome\n0,completed\n'])
  })

  it('reports a report the server could not write, downloading nothing', async () => {
    const download = vi.fn()
    const spy = vi.fn(async () => jsonResponse(404, { code: 'sweep_not_found', message: 'No sweep with id "x"', params: { id: 'x' } }))
    const api = new HttpApi({ fetch: spy as unknown as typeof fetch, wsUrl: 'ws://test/api/ws', download })
    const err = await rejection(api.saveSweepReport({ id: 'x', format: 'json' }))
    expect([err.code, err.params]).toEqual(['sweep_not_found', { id: 'x' }])
    expect(download).not.toHaveBeenCalled()
  })

  it('reads file names from Content-Disposition', () => {
    expect(dispositionFilename('attachment; filename="a b.md"')).toBe('a b.md')
    expect(dispositionFilename('attachment; filename=plain.json')).toBe('plain.json')
    expect(dispositionFilename(`attachment; filename="x.md"; filename*=UTF-8''%E5%AF%B9%E8%AF%9D.md`)).toBe('对话.md')
    expect(dispositionFilename('attachment')).toBeNull()
    expect(dispositionFilename(null)).toBeNull()
  })
})

describe('HTTP chat endpoints and presets', () => {
  it('calls the documented endpoints', async () => {
    const endpoint = { id: 'e1', name: 'Ollama', base_url: 'http://127.0.0.1:11434/v1', has_api_key: true, created_at: 1 }
    const { api, spy } = apiWith(async (url, init) => {
      if (init?.method === 'DELETE') return new Response(null, { status: 204 })
      if (url.endsWith('/models')) return jsonResponse(200, ['llama3.2'])
      return jsonResponse(200, url.includes('presets') ? { id: 'p1', name: 'Precise', params: { stop: [] }, created_at: 1 } : endpoint)
    })
    await api.addChatEndpoint({ name: 'Ollama', base_url: endpoint.base_url, api_key: 'secret' })
    expect(await api.chatEndpointModels('e1')).toEqual(['llama3.2'])
    await api.removeChatEndpoint('e1')
    await api.saveChatPreset({ name: 'Precise', params: { stop: [], temperature: 0.2 } })
    await api.deleteChatPreset('p1')
    await api.listChatEndpoints()
    await api.listChatPresets()
    expect(spy.mock.calls.map(([u, init]) => `${init?.method ?? 'GET'} ${u}`)).toEqual([
      'POST /api/chat/endpoints',
      'GET /api/chat/endpoints/e1/models',
      'DELETE /api/chat/endpoints/e1',
      'POST /api/chat/presets',
      'DELETE /api/chat/presets/p1',
      'GET /api/chat/endpoints',
      'GET /api/chat/presets',
    ])
    expect(JSON.parse(String(spy.mock.calls[0][1]?.body))).toEqual({ name: 'Ollama', base_url: endpoint.base_url, api_key: 'secret' })
    expect(JSON.parse(String(spy.mock.calls[3][1]?.body))).toEqual({ name: 'Precise', params: { stop: [], temperature: 0.2 } })
  })
})

describe('HTTP access', () => {
  it('calls the documented endpoints, and opens the login page after logging out', async () => {
    const caller = { scope: 'read', via: 'session', key_id: 'k1', key_name: 'phone' }
    const key = { id: 'k/1', name: 'phone', scope: 'read', prefix: 'llm_ab12', created_at: 1, last_used_at: null }
    const link = { url: 'http://192.168.1.5:8765/login#token=t', qr_svg: '<svg/>', token_file: '/data/token', remote_auth: true, note: null }
    const openLogin = vi.fn()
    const spy = vi.fn(async (url: string, init?: RequestInit) => {
      if (init?.method === 'DELETE' || url.endsWith('/logout') || url.endsWith('/rotate-token')) return new Response(null, { status: 204 })
      if (url.endsWith('/whoami')) return jsonResponse(200, caller)
      if (url.endsWith('/login-link')) return jsonResponse(200, link)
      if (url.endsWith('/secrets')) return jsonResponse(200, { backend: 'file', detail: '/data/secrets.json' })
      return jsonResponse(200, init?.method === 'POST' ? { key, secret: 'llm_secret' } : [key])
    })
    const api = new HttpApi({ fetch: spy as unknown as typeof fetch, wsUrl: 'ws://test/api/ws', openLogin })
    expect(await api.whoami()).toEqual(caller)
    expect(await api.listApiKeys()).toEqual([key])
    expect(await api.createApiKey({ name: 'phone', scope: 'read' })).toEqual({ key, secret: 'llm_secret' })
    await api.revokeApiKey('k/1')
    expect(await api.loginLink()).toEqual(link)
    await api.rotateServerToken()
    expect(await api.secretStoreInfo()).toEqual({ backend: 'file', detail: '/data/secrets.json' })
    expect(openLogin).not.toHaveBeenCalled()
    await api.logout()
    expect(spy.mock.calls.map(([u, init]) => `${init?.method ?? 'GET'} ${u}`)).toEqual([
      'GET /api/auth/whoami',
      'GET /api/access/keys',
      'POST /api/access/keys',
      'DELETE /api/access/keys/k%2F1',
      'GET /api/access/login-link',
      'POST /api/access/rotate-token',
      'GET /api/access/secrets',
      'POST /api/auth/logout',
    ])
    expect(JSON.parse(String(spy.mock.calls[2][1]?.body))).toEqual({ name: 'phone', scope: 'read' })
    expect(openLogin).toHaveBeenCalledExactlyOnceWith('/login')
  })

  it('stays on the page when logging out fails', async () => {
    const openLogin = vi.fn()
    const failing = async () => {
      throw new TypeError('Failed to fetch')
    }
    const api = new HttpApi({ fetch: failing as unknown as typeof fetch, wsUrl: 'ws://test/api/ws', openLogin })
    expect((await rejection(api.logout())).code).toBe('network_error')
    expect(openLogin).not.toHaveBeenCalled()
  })
})

describe('HTTP session loss', () => {
  const lost = (code: string) => jsonResponse(401, { code, message: 'Log in again.' })

  function apiAnswering(answer: (url: string) => Response) {
    const openLogin = vi.fn()
    const spy = vi.fn(async (url: string) => answer(url))
    const api = new HttpApi({ fetch: spy as unknown as typeof fetch, wsUrl: 'ws://test/api/ws', openLogin })
    return { api, openLogin, spy }
  }

  it('opens the login page once when the login is gone, however many requests fail', async () => {
    const { api, openLogin } = apiAnswering(() => lost('login_required'))
    const errors = await Promise.all([rejection(api.listModels()), rejection(api.systemStatus()), rejection(api.listAlerts())])
    expect(errors.map((e) => [e.code, e.status])).toEqual([
      ['login_required', 401],
      ['login_required', 401],
      ['login_required', 401],
    ])
    expect((await rejection(api.removeModel('m1'))).code).toBe('login_required')
    expect(openLogin).toHaveBeenCalledExactlyOnceWith('/login')
  })

  it('treats a revoked key or session (invalid_credentials) the same, on every kind of request', async () => {
    for (const call of [
      (api: HttpApi) => api.startModel('m1'),
      (api: HttpApi) => api.revokeApiKey('k1'),
      (api: HttpApi) => api.chatTurn('c1', { action: 'regenerate' }, () => {}),
      (api: HttpApi) => api.exportConversation('c1', 'markdown'),
    ]) {
      const { api, openLogin } = apiAnswering(() => lost('invalid_credentials'))
      expect((await rejection(call(api))).code).toBe('invalid_credentials')
      expect(openLogin).toHaveBeenCalledExactlyOnceWith('/login')
    }
  })

  it('keeps the page for a scope that is too low, a refused origin or host, or another 401', async () => {
    const answers = [
      jsonResponse(403, { code: 'insufficient_scope', message: 'This needs the operate scope.' }),
      jsonResponse(403, { code: 'origin_not_allowed', message: 'Not from here.' }),
      jsonResponse(403, { code: 'host_not_allowed', message: 'Unknown host.' }),
      jsonResponse(401, { code: 'endpoint_unauthorized', message: 'The endpoint refused its key.' }),
      new Response('Unauthorized', { status: 401 }),
    ]
    const { api, openLogin } = apiAnswering(() => answers.shift()!)
    const codes = []
    for (let i = 0; i < 5; i++) codes.push((await rejection(api.startModel('m1'))).code)
    expect(codes).toEqual(['insufficient_scope', 'origin_not_allowed', 'host_not_allowed', 'endpoint_unauthorized', 'http_401'])
    expect(openLogin).not.toHaveBeenCalled()
  })

  it('goes to /login with a full page load by default, below the base URL', async () => {
    const assign = vi.fn()
    vi.stubGlobal('window', { location: { assign } })
    try {
      const api = new HttpApi({ fetch: (async () => lost('login_required')) as unknown as typeof fetch, wsUrl: 'ws://test/api/ws', baseUrl: '/ops' })
      await rejection(api.whoami())
      await rejection(api.whoami())
      expect(assign).toHaveBeenCalledExactlyOnceWith('/ops/login')
    } finally {
      vi.unstubAllGlobals()
    }
  })

  it('does not leave when only the event connection fails', async () => {
    vi.useFakeTimers()
    const sockets: { onclose: (() => void) | null }[] = []
    class ClosingSocket {
      onopen: (() => void) | null = null
      onmessage: (() => void) | null = null
      onerror: (() => void) | null = null
      onclose: (() => void) | null = null
      constructor() {
        sockets.push(this)
        setTimeout(() => this.onclose?.(), 0)
      }
    }
    vi.stubGlobal('WebSocket', ClosingSocket)
    try {
      const { api, openLogin, spy } = apiAnswering(() => jsonResponse(200, []))
      const states: string[] = []
      api.onConnectionChange((s) => states.push(s))
      await vi.advanceTimersByTimeAsync(2000)
      expect(sockets.length).toBeGreaterThan(1)
      expect(states).toContain('closed')
      expect(openLogin).not.toHaveBeenCalled()
      expect(spy).not.toHaveBeenCalled()
    } finally {
      vi.unstubAllGlobals()
      vi.useRealTimers()
    }
  })
})

describe('HTTP live logs', () => {
  /** A WebSocket stand-in the test drives. */
  function fakeSocket() {
    const sockets: { url: string; socket: { onmessage?: (m: { data: unknown }) => void; onclose?: () => void; close: () => void; closed: boolean } }[] = []
    const open = (url: string) => {
      const socket = { closed: false, close() { this.closed = true } } as (typeof sockets)[number]['socket']
      sockets.push({ url, socket })
      return socket as unknown as WebSocket
    }
    return { sockets, open }
  }

  it('follows a model over its WebSocket and reports a lost stream once', async () => {
    const { sockets, open } = fakeSocket()
    const api = new HttpApi({ baseUrl: 'http://127.0.0.1:8765', fetch: vi.fn() as unknown as typeof fetch, wsUrl: 'ws://test/api/ws', webSocket: open })
    const batches: unknown[] = []
    const lost = vi.fn()
    await api.followModelLogs('m/1', (b) => batches.push(b), lost)
    expect(sockets[0].url).toBe('ws://127.0.0.1:8765/api/models/m%2F1/logs')
    const batch = { instance_id: 'i1', lines: [{ seq: 0, stream: 'stdout', text: 'hi', at: 1 }] }
    sockets[0].socket.onmessage!({ data: JSON.stringify(batch) })
    sockets[0].socket.onmessage!({ data: 'not json' })
    expect(batches).toEqual([batch])
    sockets[0].socket.onclose!()
    sockets[0].socket.onclose!()
    expect(lost).toHaveBeenCalledTimes(1)
    expect(lost.mock.calls[0][0]).toMatchObject({ code: 'log_stream_lost' })
  })

  it('stops without reporting a loss when closed by the page', async () => {
    const { sockets, open } = fakeSocket()
    const api = new HttpApi({ baseUrl: 'http://h', fetch: vi.fn() as unknown as typeof fetch, wsUrl: 'ws://test/api/ws', webSocket: open })
    const lost = vi.fn()
    const follow = await api.followModelLogs('m1', () => {}, lost)
    follow.close()
    sockets[0].socket.onclose!()
    expect(sockets[0].socket.closed).toBe(true)
    expect(lost).not.toHaveBeenCalled()
  })
})

