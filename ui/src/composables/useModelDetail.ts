import { onBeforeUnmount, ref, watch, type Ref } from 'vue'
import { ApiError, getApi, toApiError } from '../api'
import type { ModelDetail } from '../generated/ModelDetail'

export function isNotFound(err: ApiError | null): boolean {
  return !!err && (err.code === 'model_not_found' || err.status === 404)
}

/**
 * A model's detail (settings and instance history), fetched for `id` and fetched again when a
 * `model_status_update` for that model arrives. Overlapping refreshes are coalesced into one.
 */
export function useModelDetail(id: Ref<string>) {
  const detail = ref<ModelDetail | null>(null)
  const error = ref<ApiError | null>(null)
  const loading = ref(false)
  let inFlight = false
  let again = false
  let generation = 0

  async function refresh(): Promise<void> {
    if (inFlight) {
      again = true
      return
    }
    inFlight = true
    loading.value = true
    const gen = generation
    try {
      do {
        again = false
        try {
          const d = await getApi().modelDetail(id.value)
          if (gen !== generation) return
          detail.value = d
          error.value = null
        } catch (err) {
          if (gen !== generation) return
          error.value = toApiError(err)
          if (isNotFound(error.value)) detail.value = null
        }
      } while (again)
    } finally {
      inFlight = false
      if (gen === generation) loading.value = false
      else void refresh()
    }
  }

  const unsubscribe = getApi().onEvent((e) => {
    if (e.type === 'model_status_update' && e.data.model_id === id.value) void refresh()
  })
  onBeforeUnmount(unsubscribe)

  watch(
    id,
    () => {
      generation++
      detail.value = null
      error.value = null
      void refresh()
    },
    { immediate: true },
  )

  return { detail, error, loading, refresh }
}
