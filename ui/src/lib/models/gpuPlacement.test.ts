import { afterEach, describe, expect, it } from 'vitest'
import { setLocale, t } from '../../composables/useI18n'
import type { GpuPlacement } from '../../generated/GpuPlacement'
import type { NewModel } from '../../generated/NewModel'
import {
  applyGpuForm,
  buildGpuPlacement,
  devicesLabel,
  formatDeviceList,
  gpuFormFromPlacement,
  gpuUse,
  parseDeviceList,
  placementLabel,
  placementReasonText,
  toggleDevice,
} from './gpuPlacement'

const GiB = 1024 ** 3

afterEach(() => setLocale('en'))

describe('parseDeviceList', () => {
  it('reads GPU indexes separated by commas or spaces, sorted and each once', () => {
    expect(parseDeviceList('1, 4')).toEqual([1, 4])
    expect(parseDeviceList('4,1,1')).toEqual([1, 4])
    expect(parseDeviceList(' 2 0 ')).toEqual([0, 2])
    expect(parseDeviceList('  ')).toEqual([])
  })

  it('refuses anything that is not a GPU index', () => {
    for (const text of ['a', '1, b', '-1', '1.5', '4294967296']) expect(parseDeviceList(text), text).toBeNull()
  })
})

describe('toggleDevice', () => {
  it('ticks and unticks one GPU in the list, keeping it sorted', () => {
    expect(toggleDevice('', 1, true)).toBe('1')
    expect(toggleDevice('1, 4', 2, true)).toBe('1, 2, 4')
    expect(toggleDevice('1, 4', 4, true)).toBe('1, 4')
    expect(toggleDevice('1, 4', 1, false)).toBe('4')
    expect(toggleDevice('x', 3, true)).toBe('3')
  })
})

describe('buildGpuPlacement and applyGpuForm', () => {
  it('builds all and auto as they are, and the chosen GPUs from the list', () => {
    expect(buildGpuPlacement({ mode: 'all', devices: '1' })).toEqual({ ok: true, placement: { mode: 'all' } })
    expect(buildGpuPlacement({ mode: 'auto', devices: '' })).toEqual({ ok: true, placement: { mode: 'auto' } })
    expect(buildGpuPlacement({ mode: 'devices', devices: '4, 1' })).toEqual({ ok: true, placement: { mode: 'devices', devices: [1, 4] } })
  })

  it('says what is wrong with an empty or unreadable list', () => {
    expect(buildGpuPlacement({ mode: 'devices', devices: ' ' })).toEqual({ ok: false, key: 'gpus.err.devicesEmpty' })
    expect(buildGpuPlacement({ mode: 'devices', devices: 'first' })).toEqual({ ok: false, key: 'gpus.err.devicesInvalid' })
  })

  it('puts the choice in the request, leaving out "all" (the default)', () => {
    const request = (): NewModel => ({ name: 'Q', path: '/q.gguf' })
    const all = request()
    expect(applyGpuForm({ mode: 'all', devices: '' }, all)).toBeNull()
    expect(all).toEqual({ name: 'Q', path: '/q.gguf' })
    const chosen = request()
    expect(applyGpuForm({ mode: 'devices', devices: '1' }, chosen)).toBeNull()
    expect(chosen.gpus).toEqual({ mode: 'devices', devices: [1] })
    const wrong = request()
    expect(applyGpuForm({ mode: 'devices', devices: '' }, wrong)).toBe('gpus.err.devicesEmpty')
    expect(wrong.gpus).toBeUndefined()
  })

  it('fills the form from a saved placement and builds the same placement back', () => {
    expect(gpuFormFromPlacement({ mode: 'devices', devices: [1, 4] })).toEqual({ mode: 'devices', devices: '1, 4' })
    expect(gpuFormFromPlacement({ mode: 'auto' })).toEqual({ mode: 'auto', devices: '' })
    const saved: GpuPlacement = { mode: 'devices', devices: [0, 3] }
    expect(buildGpuPlacement(gpuFormFromPlacement(saved))).toEqual({ ok: true, placement: saved })
    expect(formatDeviceList([0, 3])).toBe('0, 3')
  })
})

describe('labels', () => {
  it('says where an instance runs', () => {
    expect(devicesLabel([3], t)).toBe('GPU 3')
    expect(devicesLabel([1, 4], t)).toBe('GPUs 1, 4')
    expect(devicesLabel(null, t)).toBe('all GPUs')
    expect(devicesLabel([], t)).toBe('CPU (no GPU)')
    setLocale('zh')
    expect(devicesLabel([], t)).toBe('CPU（无 GPU）')
  })

  it('says a model’s GPU choice', () => {
    expect(placementLabel({ mode: 'all' }, t)).toBe('All GPUs')
    expect(placementLabel({ mode: 'auto' }, t)).toBe('Auto: where there is room')
    expect(placementLabel({ mode: 'devices', devices: [2] }, t)).toBe('GPU 2')
  })
})

describe('placementReasonText', () => {
  const fitsOne = {
    code: 'placement_fits_one',
    message: 'GPU 2 has the most free memory (79.0 GiB); the model needs about 30.0 GiB',
    params: { device: '2', free: String(79 * GiB), need: String(30 * GiB) },
  }

  it('says why in the UI’s language, with the byte counts readable', () => {
    expect(placementReasonText(fitsOne, t)).toBe('GPU 2 has the most free memory (79.0 GiB); the model needs about 30.0 GiB')
    const split = { code: 'placement_split', message: '', params: { devices: '1,4', free: String(35 * GiB), need: String(30 * GiB) } }
    expect(placementReasonText(split, t)).toBe('Split over GPUs 1,4: no single GPU has room for about 30.0 GiB, together they have 35.0 GiB free')
    setLocale('zh')
    expect(placementReasonText(fitsOne, t)).toBe('GPU 2 的可用显存最多（79.0 GiB）；模型约需 30.0 GiB')
    expect(placementReasonText({ code: 'placement_no_gpu', message: 'No GPU detected: it runs on the CPU' }, t)).toBe('未检测到 GPU：在 CPU 上运行')
  })

  it('falls back to the core’s sentence for an unknown reason or a missing value', () => {
    setLocale('zh')
    expect(placementReasonText({ code: 'placement_new', message: 'A new reason' }, t)).toBe('A new reason')
    expect(placementReasonText({ ...fitsOne, params: { device: '2' } }, t)).toBe(fitsOne.message)
  })
})

describe('gpuUse', () => {
  const on = (devices: number[] | null) => ({ placement: { mode: 'auto' as const }, devices, need_bytes: null, reason: { code: 'x', message: '' } })

  it('tells a GPU given to an instance from all GPUs given, and from none', () => {
    expect(gpuUse(on([1, 4]), 4)).toBe('chosen')
    expect(gpuUse(on([1, 4]), 2)).toBeNull()
    expect(gpuUse(on(null), 2)).toBe('all')
    expect(gpuUse(on([]), 0)).toBeNull()
    expect(gpuUse(null, 0)).toBeNull()
  })
})
