import { describe, expect, it } from 'vitest'
import { seriesColumns } from './seriesColumns'

const point = (at: number, model: string, ttft?: number, speed?: number) => ({
  at, model, requests: 1, errors: 0, ...(ttft === undefined ? {} : { ttft_p50_ms: ttft }), ...(speed === undefined ? {} : { tokens_per_second: speed }),
})

describe('seriesColumns', () => {
  it('aligns each model’s values on the buckets, null where a model had no request', () => {
    const c = seriesColumns([point(60_000, 'b', 200), point(60_000, 'a', 100), point(120_000, 'a', 150)], 'ttft_p50_ms', 60_000)
    expect(c).toEqual({ x: [60, 120], models: ['a', 'b'], values: [[100, 150], [200, null]] })
  })

  it('breaks the lines across quiet time and leaves out models without the metric', () => {
    const c = seriesColumns([point(0, 'a', 1, 40), point(300_000, 'a', 2, 50), point(300_000, 'b', 3)], 'tokens_per_second', 60_000)
    expect(c).toEqual({ x: [0, 60, 300], models: ['a'], values: [[40, null, 50]] })
  })
})
