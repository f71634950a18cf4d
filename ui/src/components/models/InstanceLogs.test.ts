// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick, reactive } from 'vue'
import { ApiError, setApi, type LlmopsApi } from '../../api'
import { setLocale } from '../../composables/useI18n'
import type { LogBatch } from '../../generated/LogBatch'
import InstanceLogs from './InstanceLogs.vue'

/** A fake transport whose pushed batches and lost streams the test drives. */
function fakeFollow() {
  const follows: { modelId: string; onBatch: (b: LogBatch) => void; onLost: (e: ApiError) => void; closed: boolean }[] = []
  const api = {
    followModelLogs: vi.fn(async (modelId: string, onBatch: (b: LogBatch) => void, onLost: (e: ApiError) => void) => {
      const follow = { modelId, onBatch, onLost, closed: false }
      follows.push(follow)
      return { close: () => (follow.closed = true) }
    }),
  }
  setApi(api as unknown as LlmopsApi)
  return { api, follows }
}

const batch = (instance_id: string, from: number, texts: string[]): LogBatch => ({
  instance_id,
  lines: texts.map((text, i) => ({ seq: from + i, stream: 'stdout', text, at: 0 })),
})

let cleanup: (() => void) | null = null
function mount(props: { modelId: string }) {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const state = reactive({ ...props })
  const app = createApp({ render: () => h(InstanceLogs, { modelId: state.modelId }) })
  app.mount(host)
  cleanup = () => {
    app.unmount()
    host.remove()
  }
  const text = () => host.querySelector('[data-testid="instance-logs"]')!.textContent ?? ''
  return { host, state, text, unmount: () => cleanup?.() }
}

beforeEach(() => setLocale('en'))
afterEach(() => {
  cleanup?.()
  cleanup = null
  setApi(null)
  vi.useRealTimers()
})

describe('InstanceLogs', () => {
  it('shows pushed lines and starts afresh when the model runs a new instance', async () => {
    const { follows } = fakeFollow()
    const view = mount({ modelId: 'm1' })
    await vi.waitFor(() => expect(follows).toHaveLength(1))
    expect(follows[0].modelId).toBe('m1')
    follows[0].onBatch(batch('i1', 0, ['loading model', 'listening on 127.0.0.1']))
    follows[0].onBatch(batch('i1', 2, ['request done']))
    await nextTick()
    expect(view.text()).toContain('loading model')
    expect(view.text()).toContain('request done')
    follows[0].onBatch(batch('i2', 0, ['restarted']))
    await nextTick()
    expect(view.text()).toContain('restarted')
    expect(view.text()).not.toContain('loading model')
  })

  it('says when the stream is lost and follows again; closing stops it', async () => {
    vi.useFakeTimers()
    const { follows } = fakeFollow()
    const view = mount({ modelId: 'm1' })
    await vi.waitFor(() => expect(follows).toHaveLength(1))
    follows[0].onLost(new ApiError('log_stream_lost', 'The live log stopped.'))
    await nextTick()
    expect(view.host.querySelector('[role="alert"]')?.textContent).toContain('The live log stopped: the server is unreachable')
    await vi.advanceTimersByTimeAsync(2000)
    expect(follows).toHaveLength(2)
    view.unmount()
    expect(follows[1].closed).toBe(true)
  })

  it('follows the new model when the prop changes, closing the old stream', async () => {
    const { follows } = fakeFollow()
    const view = mount({ modelId: 'm1' })
    await vi.waitFor(() => expect(follows).toHaveLength(1))
    view.state.modelId = 'm2'
    await vi.waitFor(() => expect(follows).toHaveLength(2))
    expect(follows[0].closed).toBe(true)
    expect(follows[1].modelId).toBe('m2')
  })
})
