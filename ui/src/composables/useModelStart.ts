import { computed, ref, watch, type Ref } from 'vue'
import { isStarting, useModelsStore } from '../stores/models'
import { useI18n } from './useI18n'

/** Where a local model is on its way to answering chats. */
export type StartPhase = 'stopped' | 'stopping' | 'starting' | 'running' | 'failed'

/**
 * Starts a local model from the chat and follows it until it runs (then `onRunning` is called
 * once) or fails (`reason` says why: the refused start, or the failure with the engine's last
 * output). The state comes from the models store, so a start from elsewhere is followed too.
 */
export function useModelStart(modelId: Ref<string | null>, onRunning: (modelId: string) => void) {
  const models = useModelsStore()
  const { errorText } = useI18n()
  /** Start was pressed here for this model: a refused start is then this panel's failure. */
  const tried = ref(false)

  const instance = computed(() => (modelId.value ? models.latestInstance(modelId.value) : undefined))
  const actionError = computed(() => (modelId.value && tried.value ? models.errors[modelId.value] : undefined))
  const phase = computed<StartPhase | null>(() => {
    const id = modelId.value
    if (!id) return null
    const pending = models.pending[id]
    if (pending === 'starting' || isStarting(instance.value)) return 'starting'
    if (models.runningInstances.some((i) => i.model_id === id)) return 'running'
    if (actionError.value) return 'failed'
    const kind = instance.value?.state.kind
    if (kind === 'failed') return 'failed'
    if (pending === 'stopping' || kind === 'stopping') return 'stopping'
    return 'stopped'
  })
  const reason = computed(() => {
    if (actionError.value) return errorText(actionError.value)
    const state = instance.value?.state
    return state?.kind === 'failed' ? state.reason : ''
  })
  /** The failed state `reason` shows (its summary and hint codes say it in the UI's language), else null. */
  const failure = computed(() => {
    const state = instance.value?.state
    return !actionError.value && state?.kind === 'failed' ? state : null
  })
  const name = computed(() => models.models.find((m) => m.id === modelId.value)?.name ?? instance.value?.model_name ?? '')

  watch(modelId, () => (tried.value = false))
  watch(
    phase,
    (p) => {
      if (p === 'running' && modelId.value) onRunning(modelId.value)
    },
    { immediate: true },
  )

  async function start(): Promise<boolean> {
    const id = modelId.value
    if (!id) return false
    tried.value = true
    return models.start(id)
  }

  return { phase, reason, failure, name, start }
}
