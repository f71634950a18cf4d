import { computed, type Ref } from 'vue'
import type { Model } from '../generated/Model'
import { isActive, isStarting, useModelsStore } from '../stores/models'
import { useI18n } from './useI18n'

/** Start refusals that the model's path fixes (no file there, or not a GGUF file). */
const PATH_ERRORS = new Set(['model_file_missing', 'model_file_not_gguf', 'model_path_invalid'])
/** Start refusals that another setting fixes: the port, the custom command, the engine settings, the GPUs. */
const SETTINGS_ERRORS = new Set([
  'port_in_use', 'engine_command_not_found', 'model_settings_invalid', 'model_args_invalid',
  'model_gpus_invalid', 'gpu_placement_unknown_device', 'gpu_placement_no_room',
])

/** What a model's Start/Stop controls show: its latest instance, state, pending action and error. */
export function useModelControls(model: Ref<Model>) {
  const store = useModelsStore()
  const { errorText } = useI18n()
  const instance = computed(() => store.latestInstance(model.value.id))
  const state = computed(() => instance.value?.state ?? null)
  const pending = computed(() => store.pending[model.value.id])
  const actionError = computed(() => store.errors[model.value.id])
  /** The last action's error, else the failure reason (which carries the engine's last output). */
  const errorMessage = computed(() => {
    if (actionError.value) return errorText(actionError.value)
    const s = state.value
    return s?.kind === 'failed' ? s.reason : ''
  })
  /** The failed state `errorMessage` shows (its summary and hint codes say it in the UI's language), else null. */
  const failure = computed(() => {
    const s = state.value
    return !actionError.value && s?.kind === 'failed' ? s : null
  })
  /** The last action failed on something the model's settings can fix: the field to edit, else null. */
  const fixInSettings = computed((): 'path' | 'settings' | null => {
    const code = actionError.value?.code
    if (!code) return null
    if (PATH_ERRORS.has(code)) return 'path'
    return SETTINGS_ERRORS.has(code) ? 'settings' : null
  })
  /** Where the live instance runs and why; null when nothing runs or its placement is unknown. */
  const gpus = computed(() => (isActive(instance.value) ? (instance.value?.gpus ?? null) : null))
  const canStart = computed(() => !pending.value && !isActive(instance.value))
  const canStop = computed(() => !pending.value && (isStarting(instance.value) || state.value?.kind === 'running'))
  return { store, instance, state, pending, errorMessage, failure, fixInSettings, gpus, canStart, canStop }
}
