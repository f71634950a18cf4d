import { beforeEach, describe, expect, it } from 'vitest'
import { setLocale } from '../../composables/useI18n'
import { emptyRunFilter, engineName, filterRuns, formatDuration, formatEnergy, formatReading, isLiveRun, modelChoices, runDurationMs, runStateText, shortRunId } from './runFormat'
import { run } from './runs.fixtures'

beforeEach(() => setLocale('en'))

const runs = [
  run({ id: 'live', ended_at: null, state: 'running', tags: ['baseline'], notes: 'Serving the team' }),
  run({ id: 'stopped', model_id: 'm2', model_name: 'Mistral', tags: ['q4', 'Night'] }),
  run({ id: 'failed', state: 'failed', exit_reason: 'out of memory', notes: 'OOM at 32k context' }),
]
const ids = (filter: Partial<ReturnType<typeof emptyRunFilter>>) => filterRuns(runs, { ...emptyRunFilter(), ...filter }).map((r) => r.id)

describe('run filters', () => {
  it('keeps every run with no filter', () => {
    expect(ids({})).toEqual(['live', 'stopped', 'failed'])
  })

  it('filters by model, by tag (any case, part of one), by state', () => {
    expect(ids({ model: 'm2' })).toEqual(['stopped'])
    expect(ids({ tag: 'night' })).toEqual(['stopped'])
    expect(ids({ tag: 'base' })).toEqual(['live'])
    expect(ids({ tag: '  ' })).toEqual(['live', 'stopped', 'failed'])
    expect(ids({ state: 'live' })).toEqual(['live'])
    expect(ids({ state: 'ended' })).toEqual(['stopped', 'failed'])
    expect(ids({ state: 'failed' })).toEqual(['failed'])
  })

  it('searches the model name and the notes', () => {
    expect(ids({ text: 'mistral' })).toEqual(['stopped'])
    expect(ids({ text: '32K' })).toEqual(['failed'])
    expect(ids({ text: 'qwen', state: 'ended' })).toEqual(['failed'])
    expect(ids({ text: 'nowhere' })).toEqual([])
  })

  it('offers the configured models and any other a run names, by name', () => {
    expect(modelChoices(runs, [{ id: 'm1', name: 'Qwen' }])).toEqual([
      { id: 'm2', name: 'Mistral' },
      { id: 'm1', name: 'Qwen' },
    ])
  })
})

describe('run figures', () => {
  it('says whether a run is live and how long it lasted', () => {
    expect(isLiveRun(runs[0])).toBe(true)
    expect(isLiveRun(runs[1])).toBe(false)
    expect(runDurationMs(runs[0])).toBeNull()
    expect(runDurationMs(runs[1])).toBe(180_000)
  })

  it('shortens a run’s id to its first 8 characters', () => {
    expect(shortRunId('3f2b9c1e-77aa-4d0e-9b1a-0c5e8d2f6a10')).toBe('3f2b9c1e')
    expect(shortRunId('r1')).toBe('r1')
  })

  it('formats durations, readings and energy', () => {
    expect(formatDuration(45_400)).toBe('45 s')
    expect(formatDuration(200_000)).toBe('3 min 20 s')
    expect(formatDuration(7_500_000)).toBe('2 h 05 min')
    expect(formatReading('percent', 41.25)).toBe('41.3 %')
    expect(formatReading('bytes', 1024 ** 3)).toBe('1.0 GiB')
    expect(formatReading('watts', 402.7)).toBe('403 W')
    expect(formatReading('watts', null)).toBe('—')
    expect(formatEnergy(10.523)).toBe('10.5 Wh')
    expect(formatEnergy(null)).toBe('—')
  })

  it('names the states it knows in the UI’s language', () => {
    expect(runStateText('stopped')).toBe('Stopped')
    expect(runStateText('weird')).toBe('weird')
    expect(engineName('llama_cpp')).toBe('llama.cpp')
    expect(engineName('tgi')).toBe('tgi')
    setLocale('zh')
    expect(runStateText('failed')).toBe('失败')
    expect(formatDuration(200_000)).toBe('3 分 20 秒')
  })
})
