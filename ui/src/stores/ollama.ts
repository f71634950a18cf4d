import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import { type ApiError, getApi, toApiError } from '../api'
import type { ChatEndpoint } from '../generated/ChatEndpoint'
import type { Download } from '../generated/Download'
import type { OllamaStatus } from '../generated/OllamaStatus'
import { ollamaChatEndpoint } from '../lib/hub/ollama'
import { useChatSettingsStore } from './chatSettings'
import { useDownloadsStore } from './downloads'

/**
 * A running Ollama (`OLLAMA_HOST`, default 127.0.0.1:11434), as the Models page's Ollama tab
 * shows it: whether it answers (a daemon that does not is a normal answer, with why), its models
 * and the loaded ones; pulls (followed in the downloads list like any download); and its
 * OpenAI-compatible `/v1` as a chat endpoint.
 */
export const useOllamaStore = defineStore('ollama', () => {
  const downloads = useDownloadsStore()
  const chatSettings = useChatSettingsStore()

  const status = ref<OllamaStatus | null>(null)
  const checking = ref(false)
  /** The question itself failed (the llmops server, a scope); an Ollama that does not answer is a `status`. */
  const checkError = ref<ApiError | null>(null)
  let checkGen = 0

  /** Asks the daemon again: reachable or why not, its models, what is loaded. */
  async function check(): Promise<void> {
    const gen = ++checkGen
    checking.value = true
    try {
      const answer = await getApi().ollamaStatus()
      if (gen !== checkGen) return
      status.value = answer
      checkError.value = null
    } catch (err) {
      if (gen === checkGen) checkError.value = toApiError(err)
    } finally {
      if (gen === checkGen) checking.value = false
    }
  }

  // A pull completed: Ollama has a new model. Asked again once the tab asked at all.
  watch(
    () => downloads.ollamaCompletions,
    () => {
      if (status.value || checkError.value) void check()
    },
  )

  // Pulling.
  const pulling = ref(false)
  const pullError = ref<ApiError | null>(null)
  /** The id of the pull last asked for here, shown with its progress under the form. */
  const pulledId = ref<string | null>(null)

  /** Asks Ollama to pull `name`; resolves to its download (now in the list), or null (`pullError` says why). */
  async function pull(name: string): Promise<Download | null> {
    if (pulling.value) return null
    pulling.value = true
    pullError.value = null
    try {
      const d = await getApi().pullOllamaModel({ name })
      downloads.apply(d)
      pulledId.value = d.id
      return d
    } catch (err) {
      pullError.value = toApiError(err)
      return null
    } finally {
      pulling.value = false
    }
  }

  /** The pull last asked for here, as the downloads list has it now (null once removed from it). */
  const lastPull = computed(() => (pulledId.value ? downloads.byId(pulledId.value) : null))

  // Chat.
  const connecting = ref(false)
  const connectError = ref<ApiError | null>(null)
  /** The endpoint `connectChat` answered. */
  const connected = ref<ChatEndpoint | null>(null)

  /** Adds Ollama's `/v1` as a chat endpoint (the server answers the one there is when it was added before). */
  async function connectChat(): Promise<ChatEndpoint | null> {
    if (connecting.value) return null
    connecting.value = true
    connectError.value = null
    try {
      const endpoint = await getApi().connectOllamaChat()
      connected.value = endpoint
      // The chat's endpoint list shows it at once.
      chatSettings.endpoints = [...chatSettings.endpoints.filter((e) => e.id !== endpoint.id), endpoint]
      return endpoint
    } catch (err) {
      connectError.value = toApiError(err)
      return null
    } finally {
      connecting.value = false
    }
  }

  /**
   * The chat endpoint that reaches this Ollama: among the chat's endpoints (the one added here, or
   * one at its `/v1` added before), else the one just added while that list is not loaded. Null
   * once it was removed from the chat.
   */
  const chatEndpoint = computed<ChatEndpoint | null>(() => {
    const added = connected.value
    const listed = (added && chatSettings.endpoints.find((e) => e.id === added.id)) || ollamaChatEndpoint(chatSettings.endpoints, status.value?.base_url)
    if (listed) return listed
    return chatSettings.endpointsLoaded ? null : added
  })

  /** The chat's endpoints are known (to find one added before); loaded once, errors are the chat page's to show. */
  function ensureChatEndpoints(): void {
    if (!chatSettings.endpointsLoaded && !chatSettings.endpointsLoading) void chatSettings.loadEndpoints()
  }

  return {
    status,
    checking,
    checkError,
    check,
    pulling,
    pullError,
    pulledId,
    lastPull,
    pull,
    connecting,
    connectError,
    connected,
    connectChat,
    chatEndpoint,
    ensureChatEndpoints,
  }
})
