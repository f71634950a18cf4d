// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { h, nextTick } from 'vue'
import type { Benchmark } from '../generated/Benchmark'
import type { BenchmarkSpec } from '../generated/BenchmarkSpec'
import type { HardwareSpec } from '../generated/HardwareSpec'

// uPlot draws on a canvas, which jsdom has not: a stand-in that shows what it was given.
vi.mock('../components/bench/BenchChart.vue', () => ({
  default: {
    props: ['testid', 'x', 'series'],
    render(this: { testid: string; x: number[]; series: { label: string }[] }) {
      return h('div', { 'data-testid': this.testid, 'data-x': this.x.join(','), 'data-series': this.series.map((s) => s.label).join('|') })
    },
  },
}))

import { ApiError } from '../api'
import { setLocale } from '../composables/useI18n'
import { gatewayModel, gatewayStatus } from '../lib/gateway/gateway.fixtures'
import { hardwareBenchmark, level, loadBenchmark } from '../lib/bench/bench.fixtures'
import { qwenInstance, qwenModel } from '../components/models/model.fixtures'
import { useBenchmarksStore } from '../stores/benchmarks'
import { useModelsStore } from '../stores/models'
import { emit as emitEvent, fake, installFakeApi } from '../testing/fakeApi'
import { mountApp, stubPage as stub, usePageTestSetup } from '../testing/mountApp'
import BenchmarksPage from './BenchmarksPage.vue'

let stored: Benchmark[]
let saved: { filename: string; href: string }[]

function emit(b: Benchmark) {
  emitEvent({ type: 'benchmark_update', data: b })
}

async function mountPage(path = '/benchmarks', running = true) {
  const pinia = createPinia()
  // As at app start (startup.ts): benchmark events are followed.
  useBenchmarksStore(pinia).connect()
  const models = useModelsStore(pinia)
  models.models = [qwenModel, { ...qwenModel, id: 'm2', name: 'Mistral vLLM', engine: 'vllm', path: 'mistralai/Mistral-7B' }]
  models.instances = running ? [qwenInstance({ kind: 'running' })] : []
  models.loaded = true
  return mountApp({
    path,
    pinia,
    routes: [
      { path: '/', component: stub },
      { path: '/benchmarks/:id?', name: 'benchmarks', component: BenchmarksPage, props: true },
      { path: '/models/:id', name: 'model', component: stub },
    ],
  })
}

usePageTestSetup()
beforeEach(() => {
  saved = []
  stored = [
    loadBenchmark({ id: 'b2', label: 'Qwen · seed 7', started_at: 1_700_000_200_000, tags: ['q4'] }, { seed: 7 as unknown as bigint, ignore_eos: false }),
    hardwareBenchmark({ id: 'h1' }),
    loadBenchmark({
      id: 'b1',
      results: [level(1), level(4, { engine: { client_decode_per_second: 80, engine_decode_per_second: 115, engine_prompt_per_second: 900, difference_percent: -30.4, disagrees: true } })],
    }),
  ]
  URL.createObjectURL = vi.fn(() => 'blob:report')
  URL.revokeObjectURL = vi.fn()
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ filename: this.download, href: this.href })
  })
  installFakeApi({
    listBenchmarks: vi.fn(async () => structuredClone(stored)),
    getBenchmark: vi.fn(async (id: string) => structuredClone(stored.find((b) => b.id === id)!)),
    startBenchmark: vi.fn(async (spec: BenchmarkSpec) =>
      loadBenchmark({
        id: 'new', label: 'Qwen · concurrency 1, 4, 8', state: 'running', started_at: 1_800_000_000_000, ended_at: null, results: [],
        progress: { level: 0, levels: 3, warming_up: true, done: 0, failed: 0, total: 8, in_flight: 1, output_throughput: 0 },
      }, spec),
    ),
    startHardwareBenchmark: vi.fn(async (spec: HardwareSpec) => hardwareBenchmark({ id: 'hw-new', state: 'running', started_at: 1_800_000_000_000, hardware: null, spec: { kind: 'hardware', ...spec } })),
    cancelBenchmark: vi.fn(async (id: string) => loadBenchmark({ id, state: 'cancelled', started_at: 1_800_000_000_000, results: [level(1)] })),
    updateBenchmark: vi.fn(async (id: string, patch: { label: string; tags: string[]; notes: string }) => ({ ...stored.find((b) => b.id === id)!, ...patch })),
    deleteBenchmark: vi.fn(async () => undefined),
    // As the browser's transport does: the export, then a download.
    saveBenchmarkReport: vi.fn(async (r: { ids: string[]; format: string }) => {
      const file = await fake.api.exportBenchmarks(r)
      const a = document.createElement('a')
      a.href = URL.createObjectURL(new Blob([file.content]))
      a.download = file.filename
      a.click()
      return { filename: file.filename }
    }),
    exportBenchmarks: vi.fn(async (r: { ids: string[]; format: string }) => ({
      filename: r.ids.length > 1 ? `benchmarks.${r.format}` : `benchmark-${r.ids[0]}.${r.format}`, content_type: 'text/plain', content: `report of ${r.ids.join(', ')}`,
    })),
    gatewayStatus: vi.fn(async () => gatewayStatus({ models: [gatewayModel({ state: 'running' })] })),
    listChatEndpoints: vi.fn(async () => [{ id: 'e1', name: 'Ollama', base_url: 'http://127.0.0.1:11434/v1', has_api_key: false, created_at: 1 }]),
    chatEndpointModels: vi.fn(async () => ['qwen2.5:7b']),
    listModels: vi.fn(async () => []),
    listInstances: vi.fn(async () => []),
  })
})

describe('the Benchmarks page: new benchmarks', () => {
  it('offers running models first, starts a load benchmark with the spec asked for, and follows it to its end', async () => {
    const { q, all, click, type, options } = await mountPage()
    expect(q('benchmarks-page')?.querySelectorAll('h1')).toHaveLength(1)
    await vi.waitFor(() => expect(options('bench-target')).toEqual(['', 'model:m1', 'gateway:qwen', 'endpoint:e1:qwen2.5:7b']))
    expect(q<HTMLSelectElement>('bench-target')?.value).toBe('model:m1')
    expect(q('bench-none-running')).toBeNull()
    // The defaults.
    expect(q<HTMLInputElement>('bench-input-tokens')?.value).toBe('128')
    expect(q<HTMLInputElement>('bench-output-tokens')?.value).toBe('64')
    expect(q<HTMLInputElement>('bench-levels')?.value).toBe('1, 4')
    expect(q<HTMLInputElement>('bench-requests')?.value).toBe('8')
    expect(q<HTMLInputElement>('bench-warmup')?.value).toBe('1')
    expect(q<HTMLInputElement>('bench-seed')?.value).toBe('0')
    expect(q<HTMLInputElement>('bench-ignore-eos')?.checked).toBe(true)

    await type(q('bench-levels'), '1, 4, 8')
    await type(q('bench-slo-ttft'), '500')
    await click(q('bench-start'))
    await vi.waitFor(() => expect(fake.api.startBenchmark).toHaveBeenCalledTimes(1))
    const spec = fake.api.startBenchmark.mock.calls[0][0] as BenchmarkSpec
    expect(spec.target).toEqual({ kind: 'model', model_id: 'm1' })
    expect(spec.load).toEqual({ kind: 'concurrency', levels: [1, 4, 8] })
    expect(spec.slo).toEqual({ ttft_ms: 500, tpot_ms: null, e2el_ms: null })
    expect(spec.workload).toEqual({ kind: 'synthetic', input: { mean: 128, spread: 0 }, output: { mean: 64, spread: 0 } })
    expect([spec.requests, spec.warmup_requests, spec.seed, spec.ignore_eos, spec.duration_s, spec.label]).toEqual([8, 1, 0, true, null, null])

    // The running card, from the answer and then from events.
    await vi.waitFor(() => expect(q('bench-running')?.dataset.benchmarkId).toBe('new'))
    expect(q('bench-running-level')?.textContent).toBe('Warming up')
    expect(q('bench-progress')?.hasAttribute('value')).toBe(false)
    const started = fake.api.startBenchmark.mock.results[0].value as Promise<Benchmark>
    const running = await started
    emit({ ...running, progress: { level: 1, levels: 3, warming_up: false, done: 3, failed: 1, total: 8, in_flight: 4, output_throughput: 412.5 }, results: [level(1)] })
    await nextTick()
    expect(q('bench-running-level')?.textContent).toBe('Level 2 of 3 · concurrency 4')
    expect(q<HTMLProgressElement>('bench-progress')?.getAttribute('value')).toBe('4')
    expect(q<HTMLProgressElement>('bench-progress')?.getAttribute('max')).toBe('8')
    expect(q('bench-running-in-flight')?.textContent).toBe('4')
    expect(q('bench-running-output')?.textContent).toBe('412.5 tok/s')
    expect(all('bench-item')[0].dataset).toMatchObject({ benchmarkId: 'new', state: 'running' })

    await click(q('bench-cancel'))
    await vi.waitFor(() => expect(fake.api.cancelBenchmark).toHaveBeenCalledWith('new'))
    await vi.waitFor(() => expect(q('bench-running')).toBeNull())
    expect(all('bench-item')[0].dataset.state).toBe('cancelled')
  })

  it('refuses bad input with field errors, focusing the first, and shows the server’s refusal', async () => {
    const { q, all, click, type } = await mountPage()
    await vi.waitFor(() => expect(q<HTMLSelectElement>('bench-target')?.value).toBe('model:m1'))
    await type(q('bench-input-tokens'), '0')
    await type(q('bench-levels'), '1, many')
    await type(q('bench-slo-ttft'), '-5')
    await click(q('bench-start'))
    await vi.waitFor(() => expect(q('bench-fix-errors')).not.toBeNull())
    expect(fake.api.startBenchmark).not.toHaveBeenCalled()
    expect(all('deploy-field-error').map((e) => e.dataset.field)).toEqual(['inputTokens', 'levels', 'sloTtft'])
    expect(q('deploy-field-error')?.textContent).toBe('A whole number from 1 to 131072.')
    expect(document.activeElement).toBe(q('bench-input-tokens'))
    expect(q('bench-input-tokens')?.getAttribute('aria-invalid')).toBe('true')

    fake.api.startBenchmark = vi.fn(async () => {
      throw new ApiError('benchmark_busy', 'busy', 409, { label: 'Qwen · concurrency 1, 4' })
    })
    await type(q('bench-input-tokens'), '128')
    await type(q('bench-levels'), '2')
    await type(q('bench-slo-ttft'), '')
    await click(q('bench-start'))
    await vi.waitFor(() => expect(q('bench-form-error')).not.toBeNull())
    expect(q('bench-fix-errors')).toBeNull()
    expect(q('bench-form-error')?.dataset.code).toBe('benchmark_busy')
    expect(q('bench-form-error')?.textContent).toContain('The benchmark “Qwen · concurrency 1, 4” is running')
  })

  it('reads a JSONL dataset and asks for rates', async () => {
    const { q, click, type } = await mountPage()
    await vi.waitFor(() => expect(q<HTMLSelectElement>('bench-target')?.value).toBe('model:m1'))
    await click(q('bench-workload-dataset'))
    expect(q('bench-input-tokens')).toBeNull()
    const input = q<HTMLInputElement>('bench-dataset')!
    const jsonl = '{"prompt": "Hi", "output_tokens": 8}\n{"prompt": "Bye"}\n'
    Object.defineProperty(input, 'files', { value: [new File([jsonl], 'prompts.jsonl')] })
    input.dispatchEvent(new Event('change'))
    await vi.waitFor(() => expect(q('bench-dataset-info')?.textContent).toContain('prompts.jsonl'))
    expect(q('bench-dataset-info')?.textContent).toContain('2 prompts')
    await click(q('bench-load-rate'))
    await type(q('bench-rates'), '0.5, 2')
    await type(q('bench-max-concurrency'), '4')
    await click(q('bench-start'))
    await vi.waitFor(() => expect(fake.api.startBenchmark).toHaveBeenCalledTimes(1))
    const spec = fake.api.startBenchmark.mock.calls[0][0] as BenchmarkSpec
    expect(spec.workload).toEqual({ kind: 'dataset', jsonl, max_output: 256 })
    expect(spec.load).toEqual({ kind: 'rate', rates: [0.5, 2], max_concurrency: 4 })
  })

  it('says when no library model runs, and links to the dashboard', async () => {
    const { q, options } = await mountPage('/benchmarks', false)
    await vi.waitFor(() => expect(options('bench-target')).toEqual(['', 'gateway:qwen', 'endpoint:e1:qwen2.5:7b']))
    expect(q<HTMLSelectElement>('bench-target')?.value).toBe('')
    expect(q('bench-none-running')?.textContent).toContain('No library model is running')
    expect(q<HTMLAnchorElement>('bench-open-dashboard')?.getAttribute('href')).toBe('/')
  })

  it('runs llama-bench on a llama.cpp model', async () => {
    const { q, click, type, options } = await mountPage()
    expect(options('hw-model')).toEqual(['', 'm1'])
    expect(q<HTMLSelectElement>('hw-model')?.value).toBe('m1')
    expect(q<HTMLInputElement>('hw-prompt')?.value).toBe('512')
    expect(q<HTMLInputElement>('hw-generate')?.value).toBe('128')
    expect(q<HTMLInputElement>('hw-repetitions')?.value).toBe('3')
    await type(q('hw-repetitions'), '0')
    await click(q('hw-start'))
    await vi.waitFor(() => expect(document.activeElement).toBe(q('hw-repetitions')))
    expect(fake.api.startHardwareBenchmark).not.toHaveBeenCalled()
    await type(q('hw-repetitions'), '5')
    await type(q('hw-threads'), '8')
    await click(q('hw-start'))
    await vi.waitFor(() => expect(fake.api.startHardwareBenchmark).toHaveBeenCalledWith({
      model_id: 'm1', prompt_tokens: 512, generate_tokens: 128, repetitions: 5, threads: 8, gpu_layers: null,
    }))
    await vi.waitFor(() => expect(q('bench-running')?.dataset.benchmarkId).toBe('hw-new'))
    expect(q('bench-running-level')?.textContent).toBe('Running llama-bench')
  })
})

describe('the Benchmarks page: results', () => {
  it('lists the benchmarks newest first with their figures, and opens one with its levels, engine flag, tags, export and delete', async () => {
    const { q, all, click, type, router } = await mountPage()
    await vi.waitFor(() => expect(all('bench-item')).toHaveLength(3))
    expect(all('bench-item').map((r) => r.dataset.benchmarkId)).toEqual(['b2', 'h1', 'b1'])
    expect(all('bench-item').map((r) => r.dataset.state)).toEqual(['completed', 'completed', 'completed'])
    expect(q('bench-item-figures', all('bench-item')[2])?.textContent).toBe('best 440 tok/s out · TTFT p50 130 ms')
    expect(q('bench-item-figures', all('bench-item')[1])?.textContent).toBe('pp 5234.5 tok/s · tg 187.2 tok/s')
    expect(q('bench-item-tag', all('bench-item')[0])?.textContent).toBe('q4')

    // A click on the row opens it.
    all('bench-item')[2].querySelector<HTMLElement>('.bench-item-meta')!.click()
    await vi.waitFor(() => expect(q('bench-detail')?.dataset.benchmarkId).toBe('b1'))
    expect(router.currentRoute.value.fullPath).toBe('/benchmarks/b1')
    expect(fake.api.getBenchmark).toHaveBeenCalledWith('b1')
    const detail = q('bench-detail')!
    expect(all('bench-level', detail).map((r) => r.dataset.load)).toEqual(['concurrency 1', 'concurrency 4'])
    const c4 = all('bench-level', detail)[1]
    expect(q('bench-ttft-p50', c4)?.textContent).toBe('160')
    expect(q('bench-output-throughput', c4)?.textContent?.trim()).toBe('440')
    expect(q('bench-completed', c4)?.textContent).toBe('8 / 0')
    expect(all('bench-engine-flag', detail)).toHaveLength(1)
    expect(q('bench-engine-flag', detail)?.closest('tr')?.dataset.load).toBe('concurrency 4')
    expect(q('bench-engine-flag', detail)?.textContent).toContain('Disagrees')
    expect(q('bench-setting-workload', detail)?.textContent).toBe('128 → 64 tokens')
    expect(q('bench-setting-load', detail)?.textContent).toBe('concurrency 1, 4')
    expect(q('bench-chart-levels', detail)?.dataset).toMatchObject({ x: '1,4', series: 'Output tok/s|TTFT p50 (ms)' })
    expect(document.activeElement?.id).toBe('bench-detail-title')

    // Tags and notes.
    await type(q('bench-tags'), 'baseline, q4 ,, baseline')
    await type(q<HTMLTextAreaElement>('bench-notes'), 'Before the driver update.')
    await click(q('bench-save'))
    await vi.waitFor(() => expect(fake.api.updateBenchmark).toHaveBeenCalledWith('b1', {
      label: 'Qwen · concurrency 1, 4', tags: ['baseline', 'q4'], notes: 'Before the driver update.',
    }))
    await vi.waitFor(() => expect(q('bench-saved')).not.toBeNull())
    expect(q<HTMLInputElement>('bench-tags')?.value).toBe('baseline, q4')

    // Export: the file is saved.
    await click(q('bench-export-markdown'))
    await vi.waitFor(() => expect(saved).toEqual([{ filename: 'benchmark-b1.markdown', href: 'blob:report' }]))
    expect(fake.api.exportBenchmarks).toHaveBeenCalledWith({ ids: ['b1'], format: 'markdown' })
    await click(q('bench-export-json'))
    await vi.waitFor(() => expect(fake.api.exportBenchmarks).toHaveBeenLastCalledWith({ ids: ['b1'], format: 'json' }))

    // Delete, after a confirmation.
    await click(q('bench-delete'))
    expect(fake.api.deleteBenchmark).not.toHaveBeenCalled()
    await click(q('bench-delete-confirm'))
    await vi.waitFor(() => expect(fake.api.deleteBenchmark).toHaveBeenCalledWith('b1'))
    await vi.waitFor(() => expect(q('bench-detail')).toBeNull())
    expect(all('bench-item').map((r) => r.dataset.benchmarkId)).toEqual(['b2', 'h1'])
    expect(router.currentRoute.value.fullPath).toBe('/benchmarks')
  })

  it('opens a hardware benchmark with its tests and command; a running one cannot be deleted', async () => {
    stored.push(loadBenchmark({ id: 'run', state: 'running', started_at: 1_900_000_000_000, results: [] }))
    const { q, all } = await mountPage('/benchmarks/h1')
    await vi.waitFor(() => expect(all('hw-test')).toHaveLength(2))
    expect(all('hw-test').map((r) => r.dataset.name)).toEqual(['pp512', 'tg128'])
    expect(q('hw-test-speed')?.textContent).toBe('5234.5 ± 12.3')
    expect(q('hw-command')?.textContent).toBe('llama-bench -m /models/qwen.gguf -p 512 -n 128 -r 3 -o json')
    expect(q('hw-cpu')?.textContent).toBe('AMD Ryzen 9 7950X')
    expect(q('bench-level')).toBeNull()
    expect(q<HTMLButtonElement>('bench-delete')?.disabled).toBe(false)

    const { q: q2 } = await mountPage('/benchmarks/run')
    await vi.waitFor(() => expect(q2('bench-detail')?.dataset.state).toBe('running'))
    expect(q2<HTMLButtonElement>('bench-delete')?.disabled).toBe(true)
    expect(q2<HTMLButtonElement>('bench-save')?.disabled).toBe(true)
  })

  it('shows a failed benchmark’s error', async () => {
    stored.push(loadBenchmark({
      id: 'bad', state: 'failed', results: [],
      error: { code: 'benchmark_all_failed', message: 'Every request failed', params: { detail: 'HTTP 503: overloaded' } },
    }))
    const { q } = await mountPage('/benchmarks/bad')
    await vi.waitFor(() => expect(q('bench-failure')).not.toBeNull())
    expect(q('bench-failure')?.textContent).toBe('Every request failed, so nothing was measured: HTTP 503: overloaded')
    expect(q('bench-no-levels')).not.toBeNull()
  })

  it('compares two or more side by side, highlighting the settings that differ, and exports them together', async () => {
    const { q, all, click, router } = await mountPage()
    await vi.waitFor(() => expect(all('bench-item')).toHaveLength(3))
    expect(q<HTMLButtonElement>('bench-compare')?.disabled).toBe(true)
    const select = (id: string) => q<HTMLInputElement>('bench-select', all('bench-item').find((r) => r.dataset.benchmarkId === id)!)!
    await click(select('b1'))
    expect(q<HTMLButtonElement>('bench-compare')?.disabled).toBe(true)
    await click(select('b2'))
    expect(q('bench-detail')).toBeNull()
    await click(q('bench-compare'))
    await vi.waitFor(() => expect(q('bench-comparison')).not.toBeNull())
    expect(router.currentRoute.value.query.compare).toBe('b1,b2')
    const comparison = q('bench-comparison')!
    expect(all('bench-compare-column', comparison).map((c) => c.dataset.benchmarkId)).toEqual(['b1', 'b2'])
    expect(all('bench-diff-row', comparison).map((r) => r.dataset.field)).toEqual(['seed', 'ignore_eos'])
    expect(all('bench-diff-row', comparison)[0].textContent).toContain('Seed')
    expect(Array.from(all('bench-diff-row', comparison)[0].querySelectorAll('td')).map((c) => c.textContent)).toEqual(['0', '7'])
    expect(all('bench-config-row', comparison).map((r) => r.dataset.field)).toContain('workload')
    expect(all('bench-compare-level', comparison).map((g) => g.dataset.load)).toEqual(['concurrency 1', 'concurrency 4'])
    expect(q('bench-chart-compare', comparison)?.dataset).toMatchObject({ x: '1,4', series: 'Qwen · concurrency 1, 4|Qwen · seed 7' })

    await click(q('bench-export-csv', comparison))
    await vi.waitFor(() => expect(fake.api.exportBenchmarks).toHaveBeenCalledWith({ ids: ['b1', 'b2'], format: 'csv' }))
    await vi.waitFor(() => expect(saved.map((s) => s.filename)).toEqual(['benchmarks.csv']))

    // Opening one leaves the comparison.
    await click(q('bench-open', all('bench-item')[1]))
    await vi.waitFor(() => expect(q('bench-detail')?.dataset.benchmarkId).toBe('h1'))
    expect(q('bench-comparison')).toBeNull()
  })

  it('speaks Chinese', async () => {
    setLocale('zh')
    const { q, all } = await mountPage()
    await vi.waitFor(() => expect(all('bench-item')).toHaveLength(3))
    expect(q('benchmarks-page')?.querySelector('h1')?.textContent).toBe('基准测试')
    expect(q('bench-start')?.textContent?.trim()).toBe('开始基准测试')
    expect(q('bench-state')?.textContent).toBe('已完成')
  })
})
