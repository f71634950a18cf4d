import { computed, type Ref } from 'vue'
import type { Model } from '../generated/Model'
import { isActive, isStarting, useModelsStore } from '../stores/models'
import { useI18n } from './useI18n'

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
  const canStart = computed(() => !pending.value && !isActive(instance.value))
  const canStop = computed(() => !pending.value && (isStarting(instance.value) || state.value?.kind === 'running'))
  return { store, instance, state, pending, errorMessage, canStart, canStop }
}
