// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import type { Sweep } from '../generated/Sweep'
import type { SweepSpec } from '../generated/SweepSpec'
import { ApiError } from '../api'
import { setLocale } from '../composables/useI18n'
import { qwenModel } from '../components/models/model.fixtures'
import { promotion, runningSweep, sweep } from '../lib/sweeps/sweeps.fixtures'
import { useModelsStore } from '../stores/models'
import { useSweepsStore } from '../stores/sweeps'
import { emit as emitEvent, fake, installFakeApi } from '../testing/fakeApi'
import { mountApp, stubPage as stub, usePageTestSetup } from '../testing/mountApp'
import SweepsPage from './SweepsPage.vue'

let stored: Sweep[]
let saved: { filename: string; href: string }[]

function emit(s: Sweep) {
  emitEvent({ type: 'sweep_update', data: s })
}

async function mountPage(path = '/sweeps') {
  const pinia = createPinia()
  useSweepsStore(pinia).connect()
  const models = useModelsStore(pinia)
  models.models = [qwenModel, { ...qwenModel, id: 'm2', name: 'Mistral vLLM', engine: 'vllm', path: 'mistralai/Mistral-7B', settings: { engine: 'vllm', trust_remote_code: false } }]
  models.loaded = true
  const page = await mountApp({
    path,
    pinia,
    routes: [
      { path: '/', component: stub },
      { path: '/sweeps/:id?', name: 'sweeps', component: SweepsPage, props: true },
      { path: '/runs/:id?', name: 'runs', component: stub },
      { path: '/benchmarks/:id?', name: 'benchmarks', component: stub },
      { path: '/models/:id', name: 'model', component: stub },
    ],
  })
  const axes = () => Array.from(page.host.querySelectorAll<HTMLElement>('[data-testid^="sweep-axis-"]')).map((e) => e.dataset.testid!.slice('sweep-axis-'.length))
  return { ...page, axes }
}

usePageTestSetup()
beforeEach(() => {
  saved = []
  stored = [sweep(), sweep({ id: 'old', label: 'Qwen · yesterday', started_at: 1_600_000_000_000, ended_at: 1_600_000_100_000, best: null, state: 'cancelled' })]
  URL.createObjectURL = vi.fn(() => 'blob:report')
  URL.revokeObjectURL = vi.fn()
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    if (this.download) saved.push({ filename: this.download, href: this.href })
  })
  installFakeApi({
    listSweeps: vi.fn(async () => structuredClone(stored)),
    getSweep: vi.fn(async (id: string) => {
      const s = stored.find((x) => x.id === id)
      if (!s) throw new ApiError('sweep_not_found', `No sweep with id "${id}"`, 404, { id })
      return structuredClone(s)
    }),
    startSweep: vi.fn(async (spec: SweepSpec) => runningSweep({ id: 'new', started_at: 1_800_000_000_000, spec, current: 0 })),
    cancelSweep: vi.fn(async (id: string) => sweep({ id, state: 'cancelled', started_at: 1_800_000_000_000, best: null })),
    deleteSweep: vi.fn(async () => undefined),
    applySweep: vi.fn(async (_id: string, r: { config_index: number | null }) =>
      promotion({ id: `p-${r.config_index ?? 'best'}`, config_index: r.config_index ?? 1, at: 1_800_000_000_000 })),
    listPromotions: vi.fn(async () => [promotion({ id: 'p0', at: 1_650_000_000_000, sweep_label: 'Qwen · first', config_index: 0, values: { context_size: 2048 } })]),
    // As the browser's transport does: the export, then a download.
    saveSweepReport: vi.fn(async (r: { id: string; format: string }) => {
      const a = document.createElement('a')
      a.href = URL.createObjectURL(new Blob(['report']))
      a.download = `sweep-${r.id}.${r.format}`
      a.click()
      return { filename: a.download }
    }),
    listModels: vi.fn(async () => []),
    listInstances: vi.fn(async () => []),
  })
})

describe('the Sweeps page: a new sweep', () => {
  it('offers the settings of the chosen model’s engine, counts the configurations, and starts the sweep asked for', async () => {
    const { q, click, type, choose, axes } = await mountPage()
    expect(q('sweeps-page')?.querySelectorAll('h1')).toHaveLength(1)
    expect(q<HTMLSelectElement>('sweep-model')?.value).toBe('m1')
    expect(axes()).toEqual(['context_size', 'gpu_layers', 'threads', 'batch_size', 'ubatch_size', 'parallel', 'flash_attention', 'cache_type_k', 'cache_type_v'])
    await choose(q('sweep-model'), 'm2')
    expect(axes()).toEqual(['context_size', 'max_num_seqs', 'gpu_memory_utilization'])
    await choose(q('sweep-model'), 'm1')
    // The defaults.
    expect(q<HTMLSelectElement>('sweep-sampling')?.value).toBe('grid')
    expect(q<HTMLInputElement>('sweep-max-configs')?.value).toBe('16')
    expect(q<HTMLInputElement>('sweep-levels')?.value).toBe('1, 4')
    expect(q<HTMLInputElement>('sweep-skip-unfit')?.checked).toBe(true)
    expect(q<HTMLInputElement>('sweep-ignore-eos')?.checked).toBe(true)
    expect(q<HTMLSelectElement>('sweep-objective')?.value).toBe('output_throughput')
    expect(q('sweep-count')?.textContent?.trim()).toContain('Tick a setting')

    await click(q('sweep-axis-context_size'))
    await type(q('sweep-values-context_size'), '4096, 8192')
    await click(q('sweep-axis-flash_attention'))
    await type(q('sweep-values-flash_attention'), 'on, off')
    expect(q('sweep-count')?.textContent?.trim()).toBe('The grid makes 4 configurations; all 4 will be tried.')
    await type(q('sweep-max-configs'), '3')
    await choose(q('sweep-sampling'), 'random')
    expect(q('sweep-count')?.textContent?.trim()).toBe('The grid makes 4 configurations; 3 of them, picked at random by the seed, will be tried.')
    await type(q('sweep-seed'), '42')
    await type(q('sweep-label'), 'Night sweep')
    await type(q('sweep-levels'), '1, 8')
    await choose(q('sweep-objective'), 'request_throughput')
    await choose(q('sweep-constraint-metric'), 'ttft_p99')
    await type(q('sweep-constraint-max'), '750')
    await type(q('sweep-max-duration'), '3600')
    await type(q('sweep-start-timeout'), '120')
    await click(q('sweep-skip-unfit'))
    await click(q('sweep-start'))
    await vi.waitFor(() => expect(fake.api.startSweep).toHaveBeenCalledTimes(1))
    const spec = fake.api.startSweep.mock.calls[0][0] as SweepSpec
    expect(spec).toMatchObject({
      model_id: 'm1', label: 'Night sweep', sampling: 'random', seed: 42, max_configs: 3, max_duration_s: 3600, skip_unfit: false, start_timeout_s: 120,
      axes: [{ parameter: 'context_size', values: [4096, 8192] }, { parameter: 'flash_attention', values: [true, false] }],
      objective: { metric: 'request_throughput', constraints: [{ metric: 'ttft_p99', at_most: 750, at_least: null }] },
    })
    expect(spec.benchmark).toMatchObject({ load: { kind: 'concurrency', levels: [1, 8] }, requests: 8, warmup_requests: 1, ignore_eos: true })

    // The running card, from the answer and then from events.
    await vi.waitFor(() => expect(q('sweep-running')?.dataset.sweepId).toBe('new'))
    expect(q('sweep-running-current')?.textContent?.trim()).toBe('Configuration 1 of 3: context_size=4096 · gpu_layers=99')
    emit(runningSweep({ id: 'new', started_at: 1_800_000_000_000, current: 1 }))
    await nextTick()
    expect(q('sweep-running-current')?.textContent?.trim()).toBe('Configuration 2 of 3: context_size=4096 · gpu_layers=20')
    const outcomes = Array.from(q('sweep-running')!.querySelectorAll<HTMLElement>('[data-testid="sweep-running-config"]')).map((c) => c.dataset.outcome)
    expect(outcomes).toEqual(['completed', 'running', 'pending'])
    await click(q('sweep-cancel'))
    await vi.waitFor(() => expect(fake.api.cancelSweep).toHaveBeenCalledWith('new'))
    await vi.waitFor(() => expect(q('sweep-running')).toBeNull())
  })

  it('names a bad value and the field to fix, and shows the server’s refusal', async () => {
    const { q, all, click, type } = await mountPage()
    await click(q('sweep-start'))
    await vi.waitFor(() => expect(q('sweep-fix-errors')).not.toBeNull())
    expect(all('deploy-field-error').map((e) => e.dataset.field)).toEqual(['axes'])
    expect(document.activeElement).toBe(q('sweep-axis-context_size'))

    await click(q('sweep-axis-cache_type_k'))
    await type(q('sweep-values-cache_type_k'), 'f16, q3_k')
    await click(q('sweep-start'))
    await vi.waitFor(() => expect(all('deploy-field-error').map((e) => e.dataset.field)).toEqual(['values:cache_type_k']))
    expect(q('deploy-field-error')?.textContent).toBe('“q3_k” is not a cache type: use f32, f16, bf16, q8_0, q4_0, q4_1, iq4_nl, q5_0, q5_1.')
    expect(document.activeElement).toBe(q('sweep-values-cache_type_k'))
    expect(fake.api.startSweep).not.toHaveBeenCalled()

    fake.api.startSweep = vi.fn(async () => {
      throw new ApiError('sweep_benchmark_running', 'A benchmark is running', 409)
    })
    await type(q('sweep-values-cache_type_k'), 'f16, q8_0')
    await click(q('sweep-start'))
    await vi.waitFor(() => expect(q('sweep-form-error')?.dataset.code).toBe('sweep_benchmark_running'))
    expect(q('sweep-fix-errors')).toBeNull()
    expect(q('sweep-form-error')?.textContent).toBe('A benchmark is running; wait for it or cancel it before sweeping.')
  })
})

describe('the Sweeps page: results', () => {
  it('lists the sweeps and opens one: the table, the scatter, the best, its promotions', async () => {
    const { q, all, click, router } = await mountPage()
    await vi.waitFor(() => expect(all('sweep-item')).toHaveLength(2))
    expect(all('sweep-item').map((r) => [r.dataset.sweepId, r.dataset.state])).toEqual([['s1', 'completed'], ['old', 'cancelled']])
    expect(q('sweep-item-best', all('sweep-item')[0])?.textContent).toBe('Best: #2 context_size=4096 · gpu_layers=20 · 510 tok/s')
    await click(q('sweep-open', all('sweep-item')[0]))
    await vi.waitFor(() => expect(q('sweep-detail')?.dataset.sweepId).toBe('s1'))
    expect(router.currentRoute.value.fullPath).toBe('/sweeps/s1')
    const detail = q('sweep-detail')!

    const rows = all('sweep-config', q('sweep-table', detail)!)
    expect(rows.map((r) => [r.dataset.index, r.dataset.outcome, r.dataset.pareto, r.dataset.best])).toEqual([
      ['0', 'completed', 'true', 'false'],
      ['1', 'completed', 'true', 'true'],
      ['2', 'completed', 'false', 'false'],
      ['3', 'skipped', 'false', 'false'],
    ])
    expect(q('sweep-config-objective', rows[1])?.textContent).toBe('510')
    expect(q('sweep-config-reason', rows[3])?.textContent).toContain('cannot fit')
    expect(q('sweep-config-fit', rows[0])?.textContent).toBe('Fit: fits on the GPU (4.61 GiB)')
    expect(q<HTMLAnchorElement>('sweep-config-run', rows[1])?.getAttribute('href')).toBe('/runs/run-1')
    expect(q<HTMLAnchorElement>('sweep-config-benchmark', rows[1])?.getAttribute('href')).toBe('/benchmarks/bench-1')
    expect(all('sweep-apply-config', detail)).toHaveLength(3)
    expect(q('sweep-apply-config', rows[3])).toBeNull()

    const scatter = q('sweep-scatter', detail)!
    expect(scatter.dataset.latency).toBe('ttft_p99')
    expect(Array.from(scatter.querySelectorAll<SVGElement>('[data-testid="sweep-point"]')).map((p) => [p.dataset.index, p.dataset.pareto, p.dataset.best])).toEqual([
      ['0', 'true', 'false'],
      ['1', 'true', 'true'],
      ['2', 'false', 'false'],
    ])
    expect(scatter.querySelector('[data-testid="sweep-front"]')?.getAttribute('points')?.split(' ')).toHaveLength(2)

    expect(q('sweep-best', detail)?.dataset.index).toBe('1')
    expect(q('sweep-best-values', detail)?.textContent).toBe('context_size=4096 · gpu_layers=20')
    expect(q('sweep-best-figures', detail)?.textContent).toContain('Output tok/s 510')

    await vi.waitFor(() => expect(all('promotion', q('sweep-promotions', detail)!)).toHaveLength(1))
    expect(fake.api.listPromotions).toHaveBeenCalledWith({ model_id: 'm1' })
    expect(q('promotion-values', detail)?.textContent).toBe('context_size=2048')
    expect(q<HTMLAnchorElement>('promotion-run', detail)?.getAttribute('href')).toBe('/runs/run-1')
  })

  it('applies the best configuration, or one row’s, and says what changed', async () => {
    const { q, all, click } = await mountPage('/sweeps/s1')
    await vi.waitFor(() => expect(q('sweep-detail')?.dataset.sweepId).toBe('s1'))
    await click(q('sweep-apply'))
    await vi.waitFor(() => expect(fake.api.applySweep).toHaveBeenCalledWith('s1', { config_index: null }))
    await vi.waitFor(() => expect(q('sweep-applied')).not.toBeNull())
    expect(q('sweep-applied-values')?.textContent).toBe('context_size=4096 · gpu_layers=20')
    expect(q('sweep-applied-context')?.textContent).toBe('Context size: 8192 → 4096')
    expect(all('sweep-applied-change').map((c) => c.dataset.key)).toEqual(['context_size', 'gpu_layers'])
    // The model's history gains it, newest first.
    await vi.waitFor(() => expect(all('promotion').map((p) => p.dataset.promotionId)).toEqual(['p-best', 'p0']))
    expect(q('sweep-item-applied')).not.toBeNull()

    await click(all('sweep-apply-config')[0])
    await vi.waitFor(() => expect(fake.api.applySweep).toHaveBeenLastCalledWith('s1', { config_index: 0 }))
    await vi.waitFor(() => expect(q('sweep-applied')?.dataset.configIndex).toBe('0'))

    fake.api.applySweep = vi.fn(async () => {
      throw new ApiError('sweep_model_changed', 'changed', 409, { detail: 'the model was removed' })
    })
    await click(q('sweep-apply'))
    await vi.waitFor(() => expect(q('sweep-apply-error')?.textContent).toBe('The model was changed or removed since the sweep: the model was removed'))
  })

  it('exports in every format and deletes after a confirmation; a running sweep cannot be deleted or applied', async () => {
    stored.push(runningSweep({ started_at: 1_900_000_000_000 }))
    const { q, all, click, router } = await mountPage('/sweeps/s1')
    await vi.waitFor(() => expect(q('sweep-detail')?.dataset.sweepId).toBe('s1'))
    for (const format of ['markdown', 'csv', 'json', 'html']) {
      await click(q(`sweep-export-${format}`))
      await vi.waitFor(() => expect(fake.api.saveSweepReport).toHaveBeenLastCalledWith({ id: 's1', format }))
    }
    expect(saved.map((s) => s.filename)).toEqual(['sweep-s1.markdown', 'sweep-s1.csv', 'sweep-s1.json', 'sweep-s1.html'])
    // A browser downloads: no path to show.
    expect(q('sweep-export-path')).toBeNull()
    await vi.waitFor(() => expect(q('sweep-export-done')?.textContent).toBe('Saved as sweep-s1.html.'))

    await click(q('sweep-delete'))
    await click(q('sweep-delete-confirm'))
    await vi.waitFor(() => expect(fake.api.deleteSweep).toHaveBeenCalledWith('s1'))
    await vi.waitFor(() => expect(q('sweep-detail')).toBeNull())
    expect(router.currentRoute.value.fullPath).toBe('/sweeps')
    expect(all('sweep-item').map((r) => r.dataset.sweepId)).toEqual(['s2', 'old'])

    await router.push('/sweeps/s2')
    await vi.waitFor(() => expect(q('sweep-detail')?.dataset.state).toBe('running'))
    expect(q<HTMLButtonElement>('sweep-delete')?.disabled).toBe(true)
    expect(q<HTMLButtonElement>('sweep-apply')?.disabled).toBe(true)
    expect(all('sweep-apply-config')).toHaveLength(0)
    expect(q('sweep-best-none')?.textContent).toBe('Not known until a configuration completes.')
  })

  it('shows the path of a report the desktop app saved', async () => {
    fake.api.saveSweepReport = vi.fn(async (r: { id: string; format: string }) => ({ filename: `sweep.${r.format}`, path: `/home/me/Downloads/sweep.${r.format}` }))
    const { q, click } = await mountPage('/sweeps/s1')
    await vi.waitFor(() => expect(q('sweep-detail')).not.toBeNull())
    await click(q('sweep-export-html'))
    await vi.waitFor(() => expect(q('sweep-export-path')?.textContent).toBe('/home/me/Downloads/sweep.html'))
  })

  it('speaks Chinese', async () => {
    setLocale('zh')
    const { q, all } = await mountPage()
    await vi.waitFor(() => expect(all('sweep-item')).toHaveLength(2))
    expect(q('sweeps-page')?.querySelector('h1')?.textContent).toBe('参数扫描')
    expect(q('sweep-start')?.textContent?.trim()).toBe('开始扫描')
  })
})
