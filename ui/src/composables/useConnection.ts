import { ref } from 'vue'
import { getApi, type ConnectionState } from '../api'

const state = ref<ConnectionState>('connecting')
let subscribed = false

/** The event transport's state, as a shared reactive ref. */
export function useConnection() {
  if (!subscribed) {
    subscribed = true
    const api = getApi()
    state.value = api.connection
    api.onConnectionChange((s) => (state.value = s))
  }
  return state
}
