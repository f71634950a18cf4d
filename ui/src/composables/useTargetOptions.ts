import { computed, watch, type Ref } from 'vue'
import type { ChatTarget } from '../generated/ChatTarget'
import { useChatSettingsStore } from '../stores/chatSettings'
import { useModelsStore } from '../stores/models'
import {
  encodeTarget,
  LOCAL_STATES,
  localOptions,
  localStateOf,
  type LocalModelOption,
  type LocalState,
  type TargetOption,
} from '../lib/chat/chatTarget'
import { useI18n } from './useI18n'

export interface EndpointGroup {
  id: string
  name: string
  options: TargetOption[]
  loading: boolean
  /** Listing its models failed: offer typing a model name. */
  failed: boolean
}

export interface LocalGroup {
  state: LocalState
  options: LocalModelOption[]
}

const OPTION_LABEL = {
  starting: 'chat.target.optStarting',
  stopped: 'chat.target.optStopped',
  failed: 'chat.target.optFailed',
} as const

/**
 * What a target picker offers: every local model, grouped by state (a stopped one can be started
 * from the picker), each endpoint's models, and the current target. `local` and `listed` are
 * the targets one can talk to now.
 */
export function useTargetOptions(current: Ref<ChatTarget | null>, currentLabel: Ref<string>) {
  const models = useModelsStore()
  const settings = useChatSettingsStore()
  const { t } = useI18n()

  if (!settings.endpointsLoaded && !settings.endpointsLoading) void settings.loadEndpoints()
  watch(
    () => settings.endpoints.map((e) => e.id),
    (ids) => ids.forEach((id) => void settings.loadModels(id)),
    { immediate: true },
  )

  const local = computed(() => localOptions(models.runningInstances))
  /** Every local model with its state; a running instance of a model not (yet) listed counts too. */
  const localModels = computed<LocalModelOption[]>(() => {
    const running = new Set(models.runningInstances.map((i) => i.model_id))
    const out: LocalModelOption[] = models.models.map((m) => {
      const state = running.has(m.id) ? 'running' : localStateOf(models.latestInstance(m.id))
      const value = encodeTarget({ kind: 'model', model_id: m.id })
      return { value, modelId: m.id, name: m.name, state, label: state === 'running' ? m.name : t(OPTION_LABEL[state], { name: m.name }) }
    })
    for (const o of local.value) {
      const modelId = o.value.slice('model:'.length)
      if (!out.some((m) => m.modelId === modelId)) out.push({ ...o, modelId, name: o.label, state: 'running' })
    }
    return out
  })
  const localGroups = computed<LocalGroup[]>(() =>
    LOCAL_STATES.map((state) => ({ state, options: localModels.value.filter((o) => o.state === state) })).filter((g) => g.options.length > 0),
  )
  const endpointGroups = computed<EndpointGroup[]>(() =>
    settings.endpoints.map((e) => {
      const held = settings.models[e.id]
      return {
        id: e.id,
        name: e.name,
        options: (held?.models ?? []).map((model) => ({
          value: encodeTarget({ kind: 'endpoint', endpoint_id: e.id, model }),
          label: `${e.name} · ${model}`,
        })),
        loading: !held || held.loading,
        failed: !!held?.error,
      }
    }),
  )
  const listed = computed(() => new Set([...local.value, ...endpointGroups.value.flatMap((g) => g.options)].map((o) => o.value)))

  /** The current target when no option stands for it (model removed, model typed by hand). */
  const extra = computed<TargetOption | null>(() => {
    const target = current.value
    if (!target) return null
    const value = encodeTarget(target)
    if (listed.value.has(value) || localModels.value.some((o) => o.value === value)) return null
    if (target.kind === 'model') {
      const name = currentLabel.value || target.model_id
      return { value, label: models.loaded ? t('chat.target.removed', { name }) : t('chat.target.notRunning', { name }) }
    }
    const endpoint = settings.endpoints.find((e) => e.id === target.endpoint_id)
    return { value, label: `${endpoint?.name ?? currentLabel.value} · ${target.model}` }
  })

  /** The first target one can talk to now. */
  const first = computed<string | null>(() => local.value[0]?.value ?? endpointGroups.value.find((g) => g.options.length)?.options[0].value ?? null)

  return { local, localModels, localGroups, endpointGroups, extra, first, listed }
}
