import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ref } from 'vue'
import { ApiError } from '../api'
import { download } from '../lib/hub/hub.fixtures'
import type { Keyed } from '../lib/hub/keyed'
import { emit, installFakeApi, setConnection } from '../testing/fakeApi'
import { followEvents, liveList, loadKeyed, recordActions, reportExport, selection } from './recordActions'

/** A promise and the functions that settle it, for calls a test answers when it wants. */
function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (err: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

const refused = () => new ApiError('benchmark_running', 'It still runs.', 409, {})

describe('recordActions', () => {
  it('marks the action in flight per record, one at a time, and hands the answer over once it succeeded', async () => {
    const actions = recordActions<'saving' | 'deleting'>()
    const answer = deferred<string>()
    const done = vi.fn()
    const running = actions.run('a', 'saving', () => answer.promise, done)
    expect(actions.pending.value).toEqual({ a: 'saving' })
    // Another action on the same record waits its turn (it is refused); another record's runs.
    const second = vi.fn(async () => 'x')
    expect(await actions.run('a', 'deleting', second)).toBe(false)
    expect(second).not.toHaveBeenCalled()
    expect(await actions.run('b', 'deleting', async () => undefined)).toBe(true)
    expect(done).not.toHaveBeenCalled()
    answer.resolve('saved')
    expect(await running).toBe(true)
    expect(done).toHaveBeenCalledWith('saved')
    expect(actions.pending.value).toEqual({})
    expect(actions.errors.value).toEqual({})
  })

  it('keeps the last failure per record with its action, until another action on it starts', async () => {
    const actions = recordActions<'saving' | 'deleting'>()
    const done = vi.fn()
    expect(await actions.run('a', 'deleting', async () => Promise.reject(refused()), done)).toBe(false)
    expect(done).not.toHaveBeenCalled()
    expect(actions.pending.value).toEqual({})
    expect(actions.errorOf('a', 'deleting')?.code).toBe('benchmark_running')
    expect(actions.errorOf('a', 'saving')).toBeNull()
    expect(actions.errorOf('b', 'deleting')).toBeNull()
    // A thrown non-ApiError is made one.
    expect(await actions.run('b', 'saving', async () => Promise.reject(new Error('boom')))).toBe(false)
    expect(actions.errors.value.b.error).toBeInstanceOf(ApiError)
    const answer = deferred<void>()
    const next = actions.run('a', 'saving', () => answer.promise)
    expect(actions.errorOf('a', 'deleting')).toBeNull()
    answer.resolve()
    expect(await next).toBe(true)
  })
})

describe('selection', () => {
  it('ticks in order, unticks, switches, and keeps only what still exists', () => {
    const s = selection()
    s.toggleSelected('a')
    s.toggleSelected('b')
    s.toggleSelected('c')
    expect(s.selected.value).toEqual(['a', 'b', 'c'])
    s.toggleSelected('b')
    expect(s.selected.value).toEqual(['a', 'c'])
    s.toggleSelected('a', true)
    expect(s.selected.value).toEqual(['c', 'a'])
    s.toggleSelected('x', false)
    expect(s.selected.value).toEqual(['c', 'a'])
    s.unselect('c')
    expect(s.selected.value).toEqual(['a'])
    s.toggleSelected('d')
    s.retainSelected(new Set(['d', 'z']))
    expect(s.selected.value).toEqual(['d'])
  })
})

describe('reportExport', () => {
  it('makes one export at a time, says which format, and keeps why the last one failed', async () => {
    const r = reportExport()
    const file = deferred<{ filename: string }>()
    const first = r.exportAs('html', () => file.promise)
    expect(r.exporting.value).toBe('html')
    const other = vi.fn(async () => ({ filename: 'x' }))
    expect(await r.exportAs('csv', other)).toBeNull()
    expect(other).not.toHaveBeenCalled()
    file.resolve({ filename: 'report.html' })
    expect(await first).toEqual({ filename: 'report.html' })
    expect(r.exporting.value).toBeNull()
    expect(await r.exportAs('json', async () => Promise.reject(refused()))).toBeNull()
    expect(r.exportError.value?.code).toBe('benchmark_running')
    expect(r.exporting.value).toBeNull()
    expect(await r.exportAs('csv', async () => 'ok')).toBe('ok')
    expect(r.exportError.value).toBeNull()
  })
})

describe('liveList', () => {
  let fetches: ReturnType<typeof deferred<string[]>>[]
  let settle: ReturnType<typeof vi.fn<(fetched: string[], arrived: string[]) => string[]>>
  const make = () =>
    liveList<string>({
      fetch: () => {
        const answer = deferred<string[]>()
        fetches.push(answer)
        return answer.promise
      },
      settle,
    })

  beforeEach(() => {
    fetches = []
    settle = vi.fn((fetched: string[], arrived: string[]) => [...arrived, ...fetched])
  })

  it('loads once a page follows it, with the updates that arrived meanwhile, and again on reconnect only then', async () => {
    const list = make()
    list.reconnected()
    expect(fetches).toHaveLength(0)
    list.follow()
    list.follow()
    expect(fetches).toHaveLength(1)
    expect(list.loading.value).toBe(true)
    list.arrived('new')
    fetches[0].resolve(['a', 'b'])
    await vi.waitFor(() => expect(list.loaded.value).toBe(true))
    expect(settle).toHaveBeenCalledWith(['a', 'b'], ['new'])
    expect(list.items.value).toEqual(['new', 'a', 'b'])
    expect(list.loading.value).toBe(false)
    // Updates after the fetch are the store's alone.
    list.arrived('later')
    list.follow()
    expect(fetches).toHaveLength(1)
    list.reconnected()
    expect(fetches).toHaveLength(2)
    fetches[1].resolve(['c'])
    await vi.waitFor(() => expect(list.items.value).toEqual(['c']))
  })

  it('drops an answer overtaken by a newer load, and keeps the list when a load fails', async () => {
    const list = make()
    list.follow()
    list.follow(true)
    expect(fetches).toHaveLength(2)
    fetches[1].resolve(['new'])
    await vi.waitFor(() => expect(list.items.value).toEqual(['new']))
    fetches[0].resolve(['old'])
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(list.items.value).toEqual(['new'])
    expect(list.loadError.value).toBeNull()
    void list.load()
    fetches[2].reject(refused())
    await vi.waitFor(() => expect(list.loadError.value?.code).toBe('benchmark_running'))
    expect(list.items.value).toEqual(['new'])
    expect(list.loading.value).toBe(false)
  })

  it('starts again from nothing when followed with `reload` (another query)', async () => {
    const list = make()
    list.follow()
    fetches[0].resolve(['a'])
    await vi.waitFor(() => expect(list.loaded.value).toBe(true))
    list.follow(true)
    expect([list.items.value, list.loaded.value, list.loading.value]).toEqual([[], false, true])
    fetches[1].resolve(['b'])
    await vi.waitFor(() => expect(list.items.value).toEqual(['b']))
  })
})

describe('loadKeyed', () => {
  it('marks the record loading over what it held, settles the answer over what is held then, and keeps it when a fetch fails', async () => {
    const held = ref<Record<string, Keyed<string>>>({ a: { loading: false, value: 'v1', error: null } })
    const answer = deferred<string>()
    const loading = loadKeyed(held, 'a', () => answer.promise, (fetched, now) => `${fetched} over ${now}`)
    expect(held.value.a).toEqual({ loading: true, value: 'v1', error: null })
    held.value = { ...held.value, a: { ...held.value.a, value: 'v2' } }
    answer.resolve('v3')
    expect(await loading).toBe('v3 over v2')
    expect(held.value.a).toEqual({ loading: false, value: 'v3 over v2', error: null })

    expect(await loadKeyed(held, 'a', async () => Promise.reject(refused()))).toBeNull()
    expect(held.value.a).toMatchObject({ loading: false, value: 'v3 over v2' })
    expect(held.value.a.error?.code).toBe('benchmark_running')
    expect(await loadKeyed(held, 'b', async () => 'first')).toBe('first')
    expect(held.value.b).toEqual({ loading: false, value: 'first', error: null })
  })
})

describe('followEvents', () => {
  it('hands over the records of one event type, and says when the connection opens again', () => {
    installFakeApi()
    const apply = vi.fn()
    const reconnected = vi.fn()
    followEvents('download_update', apply, reconnected)
    const d = download({ id: 'd1' })
    emit({ type: 'download_update', data: d })
    emit({ type: 'local_models_changed' })
    emit({ type: 'benchmark_update', data: {} as never })
    expect(apply.mock.calls).toEqual([[d]])
    setConnection('closed')
    setConnection('connecting')
    expect(reconnected).not.toHaveBeenCalled()
    setConnection('open')
    expect(reconnected).toHaveBeenCalledTimes(1)
  })
})
