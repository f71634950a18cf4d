import { describe, expect, it } from 'vitest'
import { requestRecord } from './gateway.fixtures'
import { matchesFilter, mergeRequest, mergeRequests, olderCursor } from './requestList'

const ids = (list: { id: string }[]) => list.map((r) => r.id)

describe('mergeRequest', () => {
  it('adds a new request by time, newest first', () => {
    const list = [requestRecord({ id: 'b', received_at: 20 }), requestRecord({ id: 'a', received_at: 10 })]
    expect(ids(mergeRequest(list, requestRecord({ id: 'c', received_at: 15 }), {}))).toEqual(['b', 'c', 'a'])
    expect(ids(mergeRequest(list, requestRecord({ id: 'd', received_at: 30 }), {}))).toEqual(['d', 'b', 'a'])
  })

  it('replaces an in-progress row with its finished record (same id), in place', () => {
    const started = requestRecord({ id: 'x', received_at: 15, outcome: 'in_progress', status: 0, ttft_ms: undefined, e2el_ms: undefined })
    let list = mergeRequests([], [requestRecord({ id: 'new', received_at: 20 }), started, requestRecord({ id: 'old', received_at: 10 })], {})
    list = mergeRequest(list, { ...started, outcome: 'ok', status: 200, ttft_ms: 90, e2el_ms: 400 }, {})
    expect(ids(list)).toEqual(['new', 'x', 'old'])
    expect(list[1]).toMatchObject({ outcome: 'ok', status: 200, ttft_ms: 90 })
  })

  it('never lets a late in-progress event bring a finished row back', () => {
    const finished = requestRecord({ id: 'x', outcome: 'failed' })
    const list = mergeRequest([finished], { ...finished, outcome: 'in_progress' }, {})
    expect(list[0].outcome).toBe('failed')
  })

  it('keeps bodies fetched earlier when an event without them replaces the row', () => {
    const stored = requestRecord({ id: 'x', request_body: '{"model":"qwen"}', response_body: '{}' })
    const list = mergeRequest([stored], requestRecord({ id: 'x', status: 200 }), {})
    expect(list[0].request_body).toBe('{"model":"qwen"}')
  })

  it('drops a row whose finished record the filter leaves out, and ignores records it leaves out', () => {
    const started = requestRecord({ id: 'x', outcome: 'in_progress' })
    const onlyInProgress = { outcome: 'in_progress' as const }
    let list = mergeRequest([], started, onlyInProgress)
    expect(ids(list)).toEqual(['x'])
    list = mergeRequest(list, { ...started, outcome: 'ok' }, onlyInProgress)
    expect(list).toEqual([])
    expect(mergeRequest([], requestRecord({ id: 'y', model_id: 'm2' }), { modelId: 'm1' })).toEqual([])
  })

  it('keeps at most the cap, dropping the oldest', () => {
    let list: ReturnType<typeof requestRecord>[] = []
    for (let i = 0; i < 12; i++) list = mergeRequest(list, requestRecord({ id: `r${i}`, received_at: i }), {}, 10)
    expect(list).toHaveLength(10)
    expect(list[0].id).toBe('r11')
    expect(list[9].id).toBe('r2')
  })
})

describe('matchesFilter', () => {
  it('matches by model id and outcome', () => {
    const r = requestRecord({ model_id: 'm1', outcome: 'rejected' })
    expect(matchesFilter(r, {})).toBe(true)
    expect(matchesFilter(r, { modelId: 'm1', outcome: 'rejected' })).toBe(true)
    expect(matchesFilter(r, { modelId: 'm2' })).toBe(false)
    expect(matchesFilter(requestRecord({ model_id: undefined }), { modelId: 'm1' })).toBe(false)
    expect(matchesFilter(r, { outcome: 'ok' })).toBe(false)
  })

  it('matches one run’s requests by instance id; a request that reached no instance is not one', () => {
    const r = requestRecord({ instance_id: 'run-1' })
    expect(matchesFilter(r, { instanceId: 'run-1' })).toBe(true)
    expect(matchesFilter(r, { instanceId: 'run-2' })).toBe(false)
    expect(matchesFilter(requestRecord({ instance_id: undefined }), { instanceId: 'run-1' })).toBe(false)
    expect(matchesFilter(r, { instanceId: 'run-1', outcome: 'rejected' })).toBe(false)
  })
})

describe('olderCursor', () => {
  it('asks for rows up to the oldest one held (same-millisecond rows come again and merge by id)', () => {
    expect(olderCursor([])).toBeNull()
    expect(olderCursor([requestRecord({ received_at: 50 }), requestRecord({ id: 'b', received_at: 30 })])).toBe(31)
  })
})
