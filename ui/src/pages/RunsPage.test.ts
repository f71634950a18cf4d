// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { h, nextTick } from 'vue'
import type { Run } from '../generated/Run'
import type { RunDetail } from '../generated/RunDetail'

// uPlot draws on a canvas, which jsdom has not: a stand-in that shows what it was given.
vi.mock('../components/runs/RunChart.vue', () => ({
  default: {
    props: ['testid', 'reading', 'x', 'series', 'unit', 'title'],
    render(this: { testid: string; reading: string; x: number[]; series: { label: string; values: (number | null)[] }[]; unit: string }) {
      return h('div', {
        'data-testid': this.testid,
        'data-reading': this.reading,
        'data-unit': this.unit,
        'data-x': this.x.join(','),
        'data-series': this.series.map((s) => s.label).join('|'),
      })
    },
  },
}))

import { ApiError } from '../api'
import { setLocale } from '../composables/useI18n'
import { qwenModel } from '../components/models/model.fixtures'
import { points, rollup, run, runDetail, runEnvironment } from '../lib/runs/runs.fixtures'
import { useModelsStore } from '../stores/models'
import { useRunsStore } from '../stores/runs'
import { emit as emitEvent, fake, installFakeApi } from '../testing/fakeApi'
import { mountApp, stubPage as stub, usePageTestSetup } from '../testing/mountApp'
import RunsPage from './RunsPage.vue'

let stored: Run[]
let details: Record<string, RunDetail>

function emit(r: Run) {
  emitEvent({ type: 'run_update', data: r })
}

async function mountPage(path = '/runs') {
  const pinia = createPinia()
  useRunsStore(pinia).connect()
  const models = useModelsStore(pinia)
  models.models = [qwenModel, { ...qwenModel, id: 'm2', name: 'Mistral vLLM', engine: 'vllm', path: 'mistralai/Mistral-7B' }]
  models.loaded = true
  const page = await mountApp({
    path,
    pinia,
    routes: [
      { path: '/', component: stub },
      { path: '/runs/:id?', name: 'runs', component: RunsPage, props: true },
      { path: '/sweeps/:id?', name: 'sweeps', component: stub },
      { path: '/benchmarks/:id?', name: 'benchmarks', component: stub },
      { path: '/requests', name: 'requests', component: stub },
      { path: '/models/:id', name: 'model', component: stub },
    ],
  })
  const rowIds = () => page.all('run-item').map((r) => r.dataset.runId)
  return { ...page, rowIds }
}

usePageTestSetup()
beforeEach(() => {
  stored = [
    run({ id: 'live', started_at: 1_700_000_900_000, ended_at: null, state: 'running', tags: ['baseline'], rollup: rollup({ samples: 0 }), requests: null }),
    run({
      id: 'r2', model_id: 'm2', model_name: 'Mistral vLLM', engine: 'vllm', started_at: 1_700_000_500_000, ended_at: 1_700_000_560_000,
      sweep_id: 's1', tags: ['q4', 'night'], notes: 'Sweep config 2',
      environment: runEnvironment({ engine: 'vllm', context_size: 8192 }), settings: { engine: 'vllm', max_num_seqs: 128 },
    }),
    run({ id: 'r1', state: 'failed', exit_reason: 'engine exited before it was ready\nCUDA out of memory', notes: 'OOM at 32k' }),
  ]
  details = Object.fromEntries(stored.map((r) => [r.id, runDetail(r, { resources: points(3), benchmarks: r.id === 'r1' ? runDetail().benchmarks : [] })]))
  installFakeApi({
    listRuns: vi.fn(async (query: { model_id?: string }) => structuredClone(stored.filter((r) => !query.model_id || r.model_id === query.model_id))),
    getRun: vi.fn(async (id: string) => {
      const d = details[id]
      if (!d) throw new ApiError('run_not_found', `No run with id "${id}"`, 404, { id })
      return structuredClone(d)
    }),
    instanceLogs: vi.fn(async (id: string) =>
      id === 'r1'
        ? [
            { seq: 1, stream: 'stdout', text: 'llama_model_loader: loaded meta data', at: 1 },
            { seq: 2, stream: 'stderr', text: 'CUDA error: out of memory', at: 2 },
          ]
        : [],
    ),
    updateRun: vi.fn(async (id: string, patch: { tags: string[]; notes: string }) => ({ ...stored.find((r) => r.id === id)!, ...patch })),
    deleteRun: vi.fn(async () => undefined),
    // As the desktop transport does: the core saves the file and answers its path.
    saveRunReport: vi.fn(async (r: { ids: string[]; format: string }) => ({
      filename: `runs.${r.format}`, path: `/home/me/Downloads/${r.ids.length > 1 ? 'runs-compare' : `run-${r.ids[0]}`}.${r.format}`,
    })),
    listModels: vi.fn(async () => []),
    listInstances: vi.fn(async () => []),
  })
})

describe('the Runs page: the list', () => {
  it('lists every run newest first with its model, time, duration, state, exit reason, tags and sweep', async () => {
    const { q, all, rowIds } = await mountPage()
    await vi.waitFor(() => expect(rowIds()).toEqual(['live', 'r2', 'r1']))
    expect(q('runs-page')?.querySelectorAll('h1')).toHaveLength(1)
    expect(all('run-item').map((r) => r.dataset.state)).toEqual(['running', 'stopped', 'failed'])
    const [live, r2, r1] = all('run-item')
    expect(q('run-open', live)?.textContent).toBe('Qwen')
    expect(q('run-duration', live)?.textContent).toBe('running')
    expect(q('run-duration', r2)?.textContent).toBe('1 min 00 s')
    expect(q('run-state', r1)?.textContent).toBe('Failed')
    expect(q('run-exit-reason', r1)?.textContent).toBe('engine exited before it was ready')
    expect(all('run-item-tag', r2).map((t) => t.textContent)).toEqual(['q4', 'night'])
    expect(q<HTMLAnchorElement>('run-sweep-link', r2)?.getAttribute('href')).toBe('/sweeps/s1')
    expect(q('run-sweep-link', r1)).toBeNull()
    expect(fake.api.listRuns).toHaveBeenCalledWith({ limit: 1000 })
  })

  it('filters by state, tag and text on the page, and by model through the core and the address', async () => {
    const { q, choose, type, options, rowIds, router } = await mountPage()
    await vi.waitFor(() => expect(rowIds()).toHaveLength(3))
    expect(options('run-filter-state')).toEqual(['all', 'live', 'ended', 'failed'])
    await choose(q('run-filter-state'), 'live')
    expect(rowIds()).toEqual(['live'])
    await choose(q('run-filter-state'), 'ended')
    expect(rowIds()).toEqual(['r2', 'r1'])
    await choose(q('run-filter-state'), 'failed')
    expect(rowIds()).toEqual(['r1'])
    await choose(q('run-filter-state'), 'all')
    await type(q('run-filter-tag'), 'nig')
    expect(rowIds()).toEqual(['r2'])
    await type(q('run-filter-tag'), '')
    await type(q('run-filter-text'), 'oom')
    expect(rowIds()).toEqual(['r1'])
    await type(q('run-filter-text'), 'zzz')
    expect(q('run-none-match')).not.toBeNull()
    await type(q('run-filter-text'), '')

    expect(options('run-filter-model')).toEqual(['', 'm2', 'm1'])
    await choose(q('run-filter-model'), 'm2')
    await vi.waitFor(() => expect(router.currentRoute.value.query.model).toBe('m2'))
    await vi.waitFor(() => expect(fake.api.listRuns).toHaveBeenLastCalledWith({ model_id: 'm2', limit: 1000 }))
    await vi.waitFor(() => expect(rowIds()).toEqual(['r2']))
  })

  it('reads the model filter from the address (a model’s "Runs of this model" link)', async () => {
    const { q, rowIds } = await mountPage('/runs?model=m1')
    await vi.waitFor(() => expect(rowIds()).toEqual(['live', 'r1']))
    expect(fake.api.listRuns).toHaveBeenCalledWith({ model_id: 'm1', limit: 1000 })
    expect(q<HTMLSelectElement>('run-filter-model')?.value).toBe('m1')
  })

  it('keeps the list live from run_update events', async () => {
    const { all, rowIds } = await mountPage()
    await vi.waitFor(() => expect(rowIds()).toHaveLength(3))
    emit(run({ id: 'new', started_at: 1_800_000_000_000, ended_at: null, state: 'starting' }))
    await nextTick()
    expect(rowIds()[0]).toBe('new')
    emit({ ...stored[0], state: 'stopped', ended_at: 1_700_001_000_000 })
    await nextTick()
    expect(all('run-item')[1].dataset.state).toBe('stopped')
    emit(stored[0])
    await nextTick()
    expect(all('run-item')[1].dataset.state).toBe('stopped')
  })
})

describe('the Runs page: one run', () => {
  it('opens a run with its configuration, rollups, charts, requests, log and benchmarks', async () => {
    const { q, all, click, rowIds, router } = await mountPage()
    await vi.waitFor(() => expect(rowIds()).toHaveLength(3))
    await click(q('run-open', all('run-item')[2]))
    await vi.waitFor(() => expect(q('run-detail')?.dataset.runId).toBe('r1'))
    expect(router.currentRoute.value.fullPath).toBe('/runs/r1')
    expect(fake.api.getRun).toHaveBeenCalledWith('r1')
    const detail = q('run-detail')!
    expect(q('run-failure', detail)?.textContent).toBe('engine exited before it was ready')

    const config = q('run-config', detail)!
    expect(q('run-config-engine', config)?.textContent).toBe('llama.cpp')
    expect(q('run-config-engine_version', config)?.textContent).toBe('b7000')
    expect(q('run-config-argv', config)?.textContent).toBe('/opt/llama/llama-server -m /models/qwen.gguf --port 41000 -c 4096 -ngl 99')
    expect(q('run-config-context_size', config)?.textContent).toBe('4096')
    expect(q('run-config-model_sha256', config)?.textContent).toBe('ab12cd34ef56')
    expect(q('run-config-cpu', config)?.textContent).toBe('AMD Ryzen 9 7950X')
    expect(q('run-config-gpu_driver', config)?.textContent).toBe('570.86')
    expect(all('run-setting', config).map((s) => [s.dataset.field, s.textContent])).toEqual([
      ['settings.flash_attention', 'true'], ['settings.gpu_layers', '99'], ['settings.threads', '8'],
    ])

    const rollupTable = q('run-rollup', detail)!
    expect(all('run-rollup-row', rollupTable).map((r) => r.dataset.key)).toEqual(['cpu', 'instanceCpu', 'instanceRss', 'instanceVram', 'gpuUtilization', 'gpuPower'])
    const power = all('run-rollup-row', rollupTable).find((r) => r.dataset.key === 'gpuPower')!
    expect(Array.from(power.querySelectorAll('td')).map((c) => c.textContent)).toEqual(['210 W', '380 W', '403 W'])
    expect(q('run-rollup-energy', rollupTable)?.textContent).toContain('10.5 Wh')
    expect(q('run-rollup-samples', rollupTable)?.textContent).toBe('180')

    expect(all('run-chart', detail).map((c) => c.dataset.reading)).toEqual(['cpu', 'memory', 'gpuUtilization', 'gpuPower'])
    expect(all('run-chart', detail)[0].dataset).toMatchObject({ unit: 'percent', x: '0,1,2', series: 'CPU (whole machine)|Engine CPU (100 % = one core)' })

    const requests = q('run-requests', detail)!
    expect(q('run-requests-count', requests)?.textContent).toBe('42')
    expect(q('run-requests-outcomes', requests)?.textContent).toBe('39 ok · 2 failed · 1 closed by the client')
    expect(q('run-requests-tokens', requests)?.textContent).toBe('12,800 in · 5,400 out')
    expect(q('run-requests-ttft', requests)?.textContent).toBe('p50 130 ms · p95 410 ms')
    expect(q('run-requests-tpot', requests)?.textContent).toBe('11.5 ms')
    // The link lists this run's requests alone (the Requests page reads `?instance=`).
    expect(q<HTMLAnchorElement>('run-requests-link', requests)?.getAttribute('href')).toBe('/requests?instance=r1')
    expect(q('run-requests-link', requests)?.textContent).toBe('Open this run’s requests')

    await vi.waitFor(() => expect(q('run-log-lines', detail)?.textContent).toContain('CUDA error: out of memory'))
    expect(fake.api.instanceLogs).toHaveBeenCalledWith('r1', { limit: 500 })
    expect(q('run-log-lines', detail)?.querySelector('.log-stderr')?.textContent).toContain('CUDA error')

    expect(all('run-benchmark-link', detail).map((a) => a.getAttribute('href'))).toEqual(['/benchmarks/b1'])
    expect(q<HTMLButtonElement>('run-delete', detail)?.disabled).toBe(false)
  })

  it('says when a run has no output or benchmarks, and cannot delete a live run', async () => {
    const { q } = await mountPage('/runs/live')
    await vi.waitFor(() => expect(q('run-detail')?.dataset.state).toBe('running'))
    await vi.waitFor(() => expect(q('run-log-empty')).not.toBeNull())
    expect(q('run-log-empty')?.textContent).toContain('No output is kept')
    expect(q('run-benchmarks-none')).not.toBeNull()
    expect(q('run-requests-none')).not.toBeNull()
    expect(q('run-detail-duration')?.textContent).toBe('running')
    expect(q<HTMLButtonElement>('run-delete')?.disabled).toBe(true)
    // It ends while open: fetched again, and deletable.
    details.live = runDetail({ ...stored[0], state: 'stopped', ended_at: 1_700_001_000_000 }, { resources: points(3), benchmarks: [] })
    emit(details.live.run)
    await vi.waitFor(() => expect(q<HTMLButtonElement>('run-delete')?.disabled).toBe(false))
    expect(fake.api.getRun).toHaveBeenCalledTimes(2)
  })

  it('saves tags and notes, exports in every format showing the saved path, and deletes after a confirmation', async () => {
    const { q, type, click, rowIds, router } = await mountPage('/runs/r2')
    await vi.waitFor(() => expect(q('run-detail')?.dataset.runId).toBe('r2'))
    expect(q<HTMLInputElement>('run-tags')?.value).toBe('q4, night')
    await type(q('run-tags'), 'fast, q4 ,, fast')
    await type(q<HTMLTextAreaElement>('run-notes'), 'Best of the night.')
    await click(q('run-save'))
    await vi.waitFor(() => expect(fake.api.updateRun).toHaveBeenCalledWith('r2', { tags: ['fast', 'q4'], notes: 'Best of the night.' }))
    await vi.waitFor(() => expect(q('run-saved')).not.toBeNull())

    for (const format of ['markdown', 'csv', 'json', 'html']) {
      await click(q(`run-export-${format}`))
      await vi.waitFor(() => expect(fake.api.saveRunReport).toHaveBeenLastCalledWith({ ids: ['r2'], format }))
      await vi.waitFor(() => expect(q('run-export-path')?.textContent).toBe(`/home/me/Downloads/run-r2.${format}`))
    }

    await click(q('run-delete'))
    expect(fake.api.deleteRun).not.toHaveBeenCalled()
    await click(q('run-delete-confirm'))
    await vi.waitFor(() => expect(fake.api.deleteRun).toHaveBeenCalledWith('r2'))
    await vi.waitFor(() => expect(q('run-detail')).toBeNull())
    expect(rowIds()).toEqual(['live', 'r1'])
    expect(router.currentRoute.value.fullPath).toBe('/runs')
  })

  it('shows why a delete was refused', async () => {
    fake.api.deleteRun = vi.fn(async () => {
      throw new ApiError('run_still_running', 'still going', 409, { model: 'Mistral vLLM' })
    })
    const { q, click } = await mountPage('/runs/r2')
    await vi.waitFor(() => expect(q('run-detail')?.dataset.runId).toBe('r2'))
    await click(q('run-delete'))
    await click(q('run-delete-confirm'))
    await vi.waitFor(() => expect(q('run-delete-error')?.textContent).toBe('The run of Mistral vLLM is still going; stop the model first.'))
  })
})

describe('the Runs page: comparing', () => {
  it('compares the runs ticked: what differs, rollups side by side, readings overlaid, and exports them together', async () => {
    const { q, all, click, rowIds, router } = await mountPage()
    await vi.waitFor(() => expect(rowIds()).toHaveLength(3))
    expect(q<HTMLButtonElement>('run-compare')?.disabled).toBe(true)
    const select = (id: string) => q<HTMLInputElement>('run-select', all('run-item').find((r) => r.dataset.runId === id)!)!
    await click(select('r1'))
    expect(q<HTMLButtonElement>('run-compare')?.disabled).toBe(true)
    await click(select('r2'))
    expect(q<HTMLButtonElement>('run-compare')?.disabled).toBe(false)
    await click(q('run-compare'))
    await vi.waitFor(() => expect(q('run-compare-view')).not.toBeNull())
    expect(router.currentRoute.value.query.compare).toBe('r1,r2')
    const view = q('run-compare-view')!
    expect(all('run-compare-column', view).map((c) => c.dataset.runId)).toEqual(['r1', 'r2'])
    const diff = q('run-diff', view)!
    expect(all('run-diff-row', diff).map((r) => r.dataset.field)).toEqual(['engine', 'context_size', 'settings.flash_attention', 'settings.gpu_layers', 'settings.max_num_seqs', 'settings.threads'])
    const context = all('run-diff-row', diff).find((r) => r.dataset.field === 'context_size')!
    expect(Array.from(context.querySelectorAll('td')).map((c) => c.textContent)).toEqual(['4096', '8192'])
    expect(all('run-compare-reading', q('run-compare-rollup', view)!).map((g) => g.dataset.key)).toContain('gpuPower')
    await vi.waitFor(() => expect(all('run-compare-chart', view)).toHaveLength(6))
    expect(all('run-compare-chart', view)[0].dataset).toMatchObject({ reading: 'cpu', x: '0,1,2' })
    expect(all('run-compare-chart', view)[0].dataset.series?.split('|')).toHaveLength(2)

    await click(q('run-compare-export-csv', view))
    await vi.waitFor(() => expect(fake.api.saveRunReport).toHaveBeenCalledWith({ ids: ['r1', 'r2'], format: 'csv' }))
    await vi.waitFor(() => expect(q('run-compare-export-path', view)?.textContent).toBe('/home/me/Downloads/runs-compare.csv'))

    await click(q('run-compare-close', view))
    await vi.waitFor(() => expect(q('run-compare-view')).toBeNull())
  })

  it('speaks Chinese', async () => {
    setLocale('zh')
    const { q, rowIds } = await mountPage()
    await vi.waitFor(() => expect(rowIds()).toHaveLength(3))
    expect(q('runs-page')?.querySelector('h1')?.textContent).toBe('运行记录')
    expect(q('run-duration')?.textContent).toBe('运行中')
  })
})
