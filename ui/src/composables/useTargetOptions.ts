import { computed, watch, type Ref } from 'vue'
import type { ChatTarget } from '../generated/ChatTarget'
import { useChatSettingsStore } from '../stores/chatSettings'
import { useModelsStore } from '../stores/models'
import { encodeTarget, localOptions, type TargetOption } from '../lib/chat/chatTarget'
import { useI18n } from './useI18n'

export interface EndpointGroup {
  id: string
  name: string
  options: TargetOption[]
  loading: boolean
  /** Listing its models failed: offer typing a model name. */
  failed: boolean
}

/** What a target picker offers: running local models, each endpoint's models, and the current target. */
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

  /** The current target when no option stands for it (model stopped, model typed by hand). */
  const extra = computed<TargetOption | null>(() => {
    const target = current.value
    if (!target) return null
    const value = encodeTarget(target)
    if (listed.value.has(value)) return null
    if (target.kind === 'model') {
      return { value, label: t('chat.target.notRunning', { name: currentLabel.value || target.model_id }) }
    }
    const endpoint = settings.endpoints.find((e) => e.id === target.endpoint_id)
    return { value, label: `${endpoint?.name ?? currentLabel.value} · ${target.model}` }
  })

  /** The first target one can talk to now. */
  const first = computed<string | null>(() => local.value[0]?.value ?? endpointGroups.value.find((g) => g.options.length)?.options[0].value ?? null)

  return { local, endpointGroups, extra, first, listed }
}
