// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../api'
import { fake, installFakeApi } from '../../testing/fakeApi'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import BenchExportButtons from './BenchExportButtons.vue'

let resolveExport: (() => void) | null

function mount(ids = ['b1']) {
  return mountApp({ component: BenchExportButtons, props: { ids }, pinia: createPinia(), routes: [{ path: '/', component: stubPage }] })
}

usePageTestSetup()
beforeEach(() => {
  resolveExport = null
  installFakeApi({
    // As the desktop transport does: the core saves the file and answers its path.
    saveBenchmarkReport: vi.fn(async (r: { ids: string[]; format: string }) => ({ filename: `benchmark.${r.format}`, path: `/home/me/Downloads/benchmark.${r.format}` })),
    exportBenchmarks: vi.fn(
      (r: { ids: string[] }) =>
        new Promise((resolve) => {
          resolveExport = () => resolve({ filename: 'benchmarks.md', content_type: 'text/markdown', content: `# ${r.ids.join(', ')}` })
        }),
    ),
  })
})

describe('the benchmark export buttons', () => {
  it('save each format under the bench testids, and show where the file went', async () => {
    const { q, all, click } = await mount(['b1', 'b2'])
    expect(['markdown', 'csv', 'json', 'html'].map((f) => q(`bench-export-${f}`)?.textContent)).toEqual(['Export Markdown', 'Export CSV', 'Export JSON', 'Export HTML'])
    expect(all('bench-copy-markdown')).toHaveLength(1)
    await click(q('bench-export-html'))
    await vi.waitFor(() => expect(q('bench-export-path')?.textContent).toBe('/home/me/Downloads/benchmark.html'))
    expect(fake.api.saveBenchmarkReport).toHaveBeenCalledWith({ ids: ['b1', 'b2'], format: 'html' })
  })

  it('say the name of a download, and why an export failed', async () => {
    fake.api.saveBenchmarkReport = vi.fn(async () => ({ filename: 'benchmark-b1.csv' }))
    const { q, click } = await mount()
    await click(q('bench-export-csv'))
    await vi.waitFor(() => expect(q('bench-export-done')?.textContent).toBe('Saved as benchmark-b1.csv.'))
    fake.api.saveBenchmarkReport = vi.fn(async () => {
      throw new ApiError('benchmark_not_found', 'No benchmark with id "b1"', 404, { id: 'b1' })
    })
    await click(q('bench-export-json'))
    await vi.waitFor(() => expect(q('bench-export-error')).not.toBeNull())
    expect(q('bench-export-error')?.getAttribute('role')).toBe('alert')
  })

  it('copy the Markdown report: the format buttons wait meanwhile, without a spinner', async () => {
    const writeText = vi.fn(async () => {})
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true })
    const { q, click } = await mount(['b1', 'b2'])
    await click(q('bench-copy-markdown'))
    expect(fake.api.exportBenchmarks).toHaveBeenCalledWith({ ids: ['b1', 'b2'], format: 'markdown' })
    expect(q<HTMLButtonElement>('bench-export-markdown')?.disabled).toBe(true)
    expect(q('bench-export-markdown')?.querySelector('.spinner, [role="status"]')).toBeNull()
    expect(q<HTMLButtonElement>('bench-copy-markdown')?.disabled).toBe(true)
    resolveExport!()
    await vi.waitFor(() => expect(q('bench-copy-done')?.textContent).toBe('Copied.'))
    expect(writeText).toHaveBeenCalledWith('# b1, b2')
    expect(q<HTMLButtonElement>('bench-export-markdown')?.disabled).toBe(false)
  })
})
