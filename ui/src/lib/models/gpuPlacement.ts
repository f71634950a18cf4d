import type { ErrorBody } from '../../generated/ErrorBody'
import type { GpuAssignment } from '../../generated/GpuAssignment'
import type { GpuPlacement } from '../../generated/GpuPlacement'
import type { NewModel } from '../../generated/NewModel'
import type { MessageKey } from '../../i18n/en'
import { errorTranslation, messageKey, type Translate } from '../errorText'

export type GpuMode = GpuPlacement['mode']

/** The choices of the GPU select, in its order. */
export const GPU_MODES: readonly GpuMode[] = ['all', 'auto', 'devices']

/** A model's GPU choice as a form holds it: the chosen GPUs as a comma list (typed, or ticked). */
export interface GpuForm {
  mode: GpuMode
  devices: string
}

export type GpuResult = { ok: true; placement: GpuPlacement } | { ok: false; key: MessageKey }

/** The largest GPU index (NVML indexes are 32-bit). */
const MAX_INDEX = 0xffffffff

export function emptyGpuForm(): GpuForm {
  return { mode: 'all', devices: '' }
}

export function gpuFormFromPlacement(placement: GpuPlacement): GpuForm {
  return { mode: placement.mode, devices: placement.mode === 'devices' ? formatDeviceList(placement.devices) : '' }
}

/** "4, 1,1" → [1, 4]: sorted, each once (commas or spaces between); null when an item is not a GPU index. */
export function parseDeviceList(text: string): number[] | null {
  const items = text.split(/[\s,]+/).filter((item) => item.length > 0)
  if (!items.every((item) => /^\d+$/.test(item) && Number(item) <= MAX_INDEX)) return null
  return sortedOnce(items.map(Number))
}

/** [1, 4] → "1, 4". */
export function formatDeviceList(devices: readonly number[]): string {
  return devices.join(', ')
}

function sortedOnce(devices: readonly number[]): number[] {
  return [...new Set(devices)].sort((a, b) => a - b)
}

/** The comma list with GPU `index` ticked or unticked (an unreadable list starts over). */
export function toggleDevice(text: string, index: number, on: boolean): string {
  const current = parseDeviceList(text) ?? []
  return formatDeviceList(on ? sortedOnce([...current, index]) : current.filter((d) => d !== index))
}

/** The placement the form stands for, or the key of what is wrong with its GPU list. */
export function buildGpuPlacement(form: GpuForm): GpuResult {
  if (form.mode !== 'devices') return { ok: true, placement: { mode: form.mode } }
  const devices = parseDeviceList(form.devices)
  if (devices === null) return { ok: false, key: 'gpus.err.devicesInvalid' }
  if (devices.length === 0) return { ok: false, key: 'gpus.err.devicesEmpty' }
  return { ok: true, placement: { mode: 'devices', devices } }
}

/**
 * Puts the form's placement in `model` (left out for "all", the default, like every field the
 * user did not set); returns the key of the problem instead when the GPU list is wrong.
 */
export function applyGpuForm(form: GpuForm, model: NewModel): MessageKey | null {
  const built = buildGpuPlacement(form)
  if (!built.ok) return built.key
  if (built.placement.mode !== 'all') model.gpus = built.placement
  return null
}

/** Where an instance runs: "GPU 3", "GPUs 1, 4", "all GPUs" (`null`: nothing restricted), "CPU (no GPU)" (none). */
export function devicesLabel(devices: readonly number[] | null, t: Translate): string {
  if (devices === null) return t('gpus.onAll')
  if (devices.length === 0) return t('gpus.onCpu')
  if (devices.length === 1) return t('gpus.onOne', { device: devices[0] })
  return t('gpus.onMany', { devices: formatDeviceList(devices) })
}

/** A model's GPU choice as its settings show it: "All GPUs", "Auto: …", "GPU 3", "GPUs 1, 4". */
export function placementLabel(placement: GpuPlacement, t: Translate): string {
  return placement.mode === 'devices' ? devicesLabel(placement.devices, t) : t(`gpus.mode.${placement.mode}`)
}

const reasonKey = (code: string) => messageKey(`placement.reason.${code}`)

/** Why a start runs where it does, in the UI's language (byte counts formatted); the core's sentence for an unknown reason. */
export function placementReasonText(reason: ErrorBody, t: Translate): string {
  return errorTranslation(reason, t, reasonKey) ?? reason.message
}

/** How an instance uses GPU `index`: given it (`chosen`), given every GPU (`all`), or not (null; also when its placement is unknown). */
export function gpuUse(assignment: GpuAssignment | null, index: number): 'chosen' | 'all' | null {
  if (!assignment) return null
  if (assignment.devices === null) return 'all'
  return assignment.devices.includes(index) ? 'chosen' : null
}
