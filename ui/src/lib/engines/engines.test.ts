import { describe, expect, it } from 'vitest'
import { en } from '../../i18n/en'
import { actionSection, buildStatus, fallbackSourceKey, needsEngine, pinnedRuntimeId, preselectedVariant, rollBackTarget, runtimeId, variantName, withRuntime } from './engines'
import { build, entry, overview, release, runtime } from './engines.fixtures'

const t = (key: keyof typeof en) => en[key]

describe('engine runtimes', () => {
  it('names a runtime and its build as the core does', () => {
    expect(runtimeId('b6000', 'cuda12')).toBe('llama.cpp-b6000-cuda12')
    expect(variantName(build('b6000', 'cuda12'), t)).toBe('cuda-12.4')
    expect(variantName(build('b6000', 'cpu'), t)).toBe('CPU')
    expect(fallbackSourceKey('cache')).toBe('engines.fallback.source.cache')
    expect(fallbackSourceKey('PATH')).toBe('engines.fallback.source.PATH')
    expect(fallbackSourceKey('elsewhere')).toBeNull()
  })

  it('needs an engine only with no installed runtime and no fallback, once loaded', () => {
    expect(needsEngine(null)).toBe(false)
    expect(needsEngine(overview())).toBe(false)
    expect(needsEngine(overview({ fallback: null }))).toBe(true)
    expect(needsEngine(overview({ fallback: null, runtimes: [entry(runtime({ state: 'installing' }))] }))).toBe(true)
    expect(needsEngine(overview({ fallback: null, runtimes: [entry(runtime())] }))).toBe(false)
  })

  it('rolls back only to an earlier default still installed', () => {
    const a = runtime({ version: 'b1' })
    const b = runtime({ version: 'b2', state: 'failed' })
    expect(rollBackTarget(overview({ runtimes: [entry(a)] }))).toBeNull()
    expect(rollBackTarget(overview({ previous_default_id: a.id, runtimes: [entry(a)] }))?.runtime.id).toBe(a.id)
    expect(rollBackTarget(overview({ previous_default_id: b.id, runtimes: [entry(a), entry(b)] }))).toBeNull()
    expect(rollBackTarget(overview({ previous_default_id: 'gone', runtimes: [entry(a)] }))).toBeNull()
  })

  it('reads pins, and puts a runtime update in place', () => {
    const a = runtime({ version: 'b1' })
    const o = overview({ runtimes: [entry(a, { pinned_models: [{ id: 'm1', name: 'Qwen' }], is_default: true })] })
    expect(pinnedRuntimeId(o, 'm1')).toBe(a.id)
    expect(pinnedRuntimeId(o, 'm2')).toBe('')
    const updated = withRuntime(o, { ...a, state: 'failed' })
    expect(updated.runtimes).toHaveLength(1)
    expect(updated.runtimes[0]).toMatchObject({ is_default: true, runtime: { state: 'failed' } })
    expect(o.runtimes[0].runtime.state).toBe('installed')
  })

  it('preselects the recommended build, and says what installing a build would do', () => {
    expect(preselectedVariant(release('b1'), 'vulkan')).toBe('vulkan')
    expect(preselectedVariant(release('b1', { builds: [build('b1', 'cpu')] }), 'cuda13')).toBe('cpu')
    expect(preselectedVariant(release('b1', { builds: [] }), 'cpu')).toBeNull()
    const o = overview({ runtimes: [entry(runtime({ version: 'b1' })), entry(runtime({ version: 'b2', state: 'downloading' })), entry(runtime({ version: 'b3', state: 'failed' }))] })
    expect(buildStatus(o, 'b1', 'cpu')).toBe('installed')
    expect(buildStatus(o, 'b1', 'vulkan')).toBe('new')
    expect(buildStatus(o, 'b2', 'cpu')).toBe('installing')
    expect(buildStatus(o, 'b3', 'cpu')).toBe('failed')
  })

  it('shows an action’s failure in the section it was asked from', () => {
    expect(actionSection('install:recommended')).toBe('first-run')
    expect(actionSection('install:b1-cpu')).toBe('releases')
    expect(actionSection('pin:m1')).toBe('pins')
    expect(actionSection('source')).toBe('source')
    expect(actionSection('remove:x')).toBe('installed')
    expect(actionSection('rollback')).toBe('installed')
    expect(actionSection(null)).toBeNull()
  })
})
