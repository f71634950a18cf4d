import { beforeEach, describe, expect, it, vi } from 'vitest'
import type { ChatStreamEvent } from '../generated/ChatStreamEvent'

const ipc = vi.hoisted(() => ({
  calls: [] as [string, Record<string, unknown> | undefined][],
  answer: (() => null) as (command: string) => unknown,
}))

vi.mock('@tauri-apps/api/core', () => {
  class Channel<T> {
    onmessage: (message: T) => void = () => {}
  }
  return {
    Channel,
    invoke: vi.fn(async (command: string, args?: Record<string, unknown>) => {
      ipc.calls.push([command, args])
      return ipc.answer(command)
    }),
  }
})
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => {}) }))

import { basename, camelArgs, TauriApi } from './tauri'

beforeEach(() => {
  ipc.calls = []
  ipc.answer = () => null
})

describe('Tauri transport', () => {
  it('names the conversation commands and their camelCase arguments', async () => {
    const api = new TauriApi()
    const target = { kind: 'model' as const, model_id: 'm1' }
    await api.listConversations()
    await api.createConversation({ target })
    await api.getConversation('c1')
    await api.updateConversation('c1', { pinned: true })
    await api.deleteConversation('c1')
    await api.deleteChatMessage('c1', 'm1')
    await api.searchConversations({ q: 'sea' })
    await api.listChatEndpoints()
    await api.addChatEndpoint({ name: 'Ollama', base_url: 'http://127.0.0.1:11434/v1' })
    await api.removeChatEndpoint('e1')
    await api.chatEndpointModels('e1')
    await api.listChatPresets()
    await api.saveChatPreset({ name: 'P', params: { stop: [] } })
    await api.deleteChatPreset('p1')
    expect(ipc.calls).toEqual([
      ['list_conversations', {}],
      ['create_conversation', { conversation: { target } }],
      ['get_conversation', { id: 'c1' }],
      ['update_conversation', { id: 'c1', patch: { pinned: true } }],
      ['delete_conversation', { id: 'c1' }],
      ['delete_chat_message', { id: 'c1', messageId: 'm1' }],
      ['search_conversations', { query: { q: 'sea' } }],
      ['list_chat_endpoints', {}],
      ['add_chat_endpoint', { endpoint: { name: 'Ollama', base_url: 'http://127.0.0.1:11434/v1' } }],
      ['remove_chat_endpoint', { id: 'e1' }],
      ['chat_endpoint_models', { id: 'e1' }],
      ['list_chat_presets', {}],
      ['save_chat_preset', { preset: { name: 'P', params: { stop: [] } } }],
      ['delete_chat_preset', { id: 'p1' }],
    ])
  })

  it('names the engine and model commands', async () => {
    ipc.answer = (command) => (command === 'engines_info' || command === 'deploy_presets' ? [] : null)
    const api = new TauriApi()
    expect(await api.enginesInfo()).toEqual([])
    expect(await api.deployPresets()).toEqual([])
    const model = { name: 'Q', path: 'Qwen/Qwen2.5-7B-Instruct', engine: 'vllm' as const, settings: { engine: 'vllm' as const, trust_remote_code: false } }
    await api.addModel(model)
    await api.startModel('m1')
    await api.deployModel(model)
    await api.stopModel('m1')
    await api.removeModel('m1')
    expect(ipc.calls).toEqual([
      ['engines_info', {}],
      ['deploy_presets', {}],
      ['add_model', { model }],
      ['start_model', { id: 'm1' }],
      ['deploy_model', { model }],
      ['stop_model', { id: 'm1' }],
      ['remove_model', { id: 'm1' }],
    ])
  })

  it('names the access commands and their arguments; logging out does nothing', async () => {
    const caller = { scope: 'admin', via: 'local', key_id: null, key_name: null }
    const key = { id: 'k1', name: 'phone', scope: 'read', prefix: 'llm_ab12', created_at: 1n, last_used_at: null }
    const link = { url: null, qr_svg: null, token_file: '/data/server-token', remote_auth: true, note: 'The desktop app serves no network address.' }
    const secrets = { backend: 'keyring', detail: 'Secret Service' }
    const answers: Record<string, unknown> = {
      whoami: caller,
      list_api_keys: [key],
      create_api_key: { key, secret: 'llm_secret' },
      login_link: link,
      secret_store_info: secrets,
    }
    ipc.answer = (command) => answers[command] ?? null
    const api = new TauriApi()
    await api.logout()
    expect(ipc.calls).toEqual([])
    expect(await api.whoami()).toEqual(caller)
    expect(await api.listApiKeys()).toEqual([key])
    expect(await api.createApiKey({ name: 'phone', scope: 'read' })).toEqual({ key, secret: 'llm_secret' })
    await expect(api.revokeApiKey('k1')).resolves.toBeUndefined()
    expect(await api.loginLink()).toEqual(link)
    await expect(api.rotateServerToken()).resolves.toBeUndefined()
    expect(await api.secretStoreInfo()).toEqual(secrets)
    expect(ipc.calls).toEqual([
      ['whoami', {}],
      ['list_api_keys', {}],
      ['create_api_key', { key: { name: 'phone', scope: 'read' } }],
      ['revoke_api_key', { id: 'k1' }],
      ['login_link', {}],
      ['rotate_server_token', {}],
      ['secret_store_info', {}],
    ])
  })

  it('acknowledges an alert with acknowledge_alert and answers the updated alert', async () => {
    const acked = {
      id: 'a1', kind: 'gpu_temperature', subject: 'GPU 0', severity: 'warning', message: 'hot', value: 88, threshold: 85,
      raised_at: 100, cleared_at: null, acknowledged_at: 200,
    }
    ipc.answer = (command) => (command === 'acknowledge_alert' ? acked : null)
    expect(await new TauriApi().acknowledgeAlert('a1')).toEqual(acked)
    expect(ipc.calls).toEqual([['acknowledge_alert', { id: 'a1' }]])
  })

  it('saves a benchmark report in Downloads through the core and answers with its path', async () => {
    ipc.answer = () => '/home/me/Downloads/benchmarks (2).csv'
    const request = { ids: ['a', 'b'], format: 'csv' as const }
    expect(await new TauriApi().saveBenchmarkReport(request)).toEqual({ filename: 'benchmarks (2).csv', path: '/home/me/Downloads/benchmarks (2).csv' })
    expect(ipc.calls).toEqual([['save_benchmark_export', { request }]])
  })

  it('saves run and sweep reports in Downloads through the core and answers with their paths', async () => {
    ipc.answer = (command) => (command === 'save_run_export' ? '/home/me/Downloads/runs.html' : 'C:\\Users\\me\\Downloads\\sweep-s1.md')
    const runs = { ids: ['r1', 'r2'], format: 'html' as const }
    const sweep = { id: 's1', format: 'markdown' as const }
    const api = new TauriApi()
    expect(await api.saveRunReport(runs)).toEqual({ filename: 'runs.html', path: '/home/me/Downloads/runs.html' })
    expect(await api.saveSweepReport(sweep)).toEqual({ filename: 'sweep-s1.md', path: 'C:\\Users\\me\\Downloads\\sweep-s1.md' })
    expect(ipc.calls).toEqual([
      ['save_run_export', { request: runs }],
      ['save_sweep_export', { request: sweep }],
    ])
  })

  it('names the run and sweep commands and their arguments', async () => {
    const api = new TauriApi()
    await api.listRuns({ model_id: 'm1', limit: 500 })
    await api.getRun('r1')
    await api.updateRun('r1', { tags: ['a'], notes: null })
    await api.deleteRun('r1')
    await api.exportRuns({ ids: ['r1'], format: 'csv' })
    await api.listSweeps()
    await api.getSweep('s1')
    await api.cancelSweep('s1')
    await api.deleteSweep('s1')
    await api.applySweep('s1', { config_index: 2 })
    await api.listPromotions({ model_id: 'm1' })
    await api.exportSweep({ id: 's1', format: 'json' })
    expect(ipc.calls).toEqual([
      ['list_runs', { query: { model_id: 'm1', limit: 500 } }],
      ['get_run', { id: 'r1' }],
      ['update_run', { id: 'r1', patch: { tags: ['a'], notes: null } }],
      ['delete_run', { id: 'r1' }],
      ['export_runs', { request: { ids: ['r1'], format: 'csv' } }],
      ['list_sweeps', {}],
      ['get_sweep', { id: 's1' }],
      ['cancel_sweep', { id: 's1' }],
      ['delete_sweep', { id: 's1' }],
      ['apply_sweep', { id: 's1', request: { config_index: 2 } }],
      ['list_promotions', { query: { model_id: 'm1' } }],
      ['export_sweep', { request: { id: 's1', format: 'json' } }],
    ])
  })

  it('saves an export and answers with its path', async () => {
    ipc.answer = () => '/home/me/Downloads/sea.md'
    expect(await new TauriApi().exportConversation('c1', 'markdown')).toEqual({ filename: 'sea.md', path: '/home/me/Downloads/sea.md' })
    expect(ipc.calls).toEqual([['export_conversation', { id: 'c1', query: { format: 'markdown' } }]])
    expect(basename('C:\\Users\\me\\Downloads\\a.json')).toBe('a.json')
  })

  it('streams a turn through a channel and stops it with cancel_stream', async () => {
    ipc.answer = (command) => (command === 'chat_turn' ? 'stream-7' : null)
    const events: ChatStreamEvent[] = []
    const handle = await new TauriApi().chatTurn('c1', { action: 'regenerate' }, (e) => events.push(e))
    const [command, args] = ipc.calls[0]
    expect(command).toBe('chat_turn')
    expect(args).toMatchObject({ id: 'c1', turn: { action: 'regenerate' } })
    const channel = args!.onEvent as { onmessage: (e: ChatStreamEvent) => void }
    channel.onmessage({ event: 'delta', content: 'a' })
    await handle.cancel()
    await handle.done
    channel.onmessage({ event: 'delta', content: 'b' })
    expect(events).toEqual([{ event: 'delta', content: 'a' }])
    expect(ipc.calls[1]).toEqual(['cancel_stream', { streamId: 'stream-7' }])
  })

  it('passes query structs whole and answers nothing for empty operations', async () => {
    ipc.answer = (command) => (command === 'instance_logs' ? [] : null)
    const api = new TauriApi()
    expect(await api.instanceLogs('i1', { since: 5, limit: 100 })).toEqual([])
    await api.systemHistory({ range: '15m' })
    await expect(api.deleteChatPreset('p1')).resolves.toBeUndefined()
    await api.getInstance('i1')
    expect(ipc.calls).toEqual([
      ['instance_logs', { id: 'i1', query: { since: 5, limit: 100 } }],
      ['system_history', { query: { range: '15m' } }],
      ['delete_chat_preset', { id: 'p1' }],
      ['get_instance', { id: 'i1' }],
    ])
  })

  it('follows a model\'s logs through a channel and stops with cancel_stream', async () => {
    ipc.answer = (command) => (command === 'follow_model_logs' ? 'stream-9' : null)
    const batches: unknown[] = []
    const follow = await new TauriApi().followModelLogs('m1', (b) => batches.push(b), () => {})
    const [command, args] = ipc.calls[0]
    expect(command).toBe('follow_model_logs')
    expect(args).toMatchObject({ id: 'm1' })
    const channel = args!.onBatch as { onmessage: (b: unknown) => void }
    const batch = { instance_id: 'i1', lines: [] }
    channel.onmessage(batch)
    follow.close()
    follow.close()
    channel.onmessage(batch)
    expect(batches).toEqual([batch])
    await vi.waitFor(() => expect(ipc.calls.slice(1)).toEqual([['cancel_stream', { streamId: 'stream-9' }]]))
  })

  it('switches "Serve on local network" with set_lan_serving and answers the new status', async () => {
    const status = { addresses: [], lan: { enabled: true, switchable: true }, models: [], settings: { retention_days: 14 } }
    ipc.answer = (command) => (command === 'set_lan_serving' ? status : null)
    expect(await new TauriApi().setLanServing({ enabled: true })).toEqual(status)
    expect(ipc.calls).toEqual([['set_lan_serving', { serving: { enabled: true } }]])
  })

  it('camelCases argument names as Tauri expects', () => {
    expect(camelArgs({ message_id: 'm', id: 'c', stream_id: 's' })).toEqual({ messageId: 'm', id: 'c', streamId: 's' })
  })
})
