import { defineStore } from 'pinia'
import { ref } from 'vue'
import { type ApiError, getApi, toApiError } from '../api'
import type { HubFitReport } from '../generated/HubFitReport'
import type { HubModel } from '../generated/HubModel'
import type { HubRepo } from '../generated/HubRepo'
import type { HubSettings } from '../generated/HubSettings'
import type { HubSettingsView } from '../generated/HubSettingsView'
import type { HubSource } from '../generated/HubSource'
import type { FindSource } from '../lib/hub/hubSource'
import type { Keyed } from '../lib/hub/keyed'

/** The key of a hub file's fit check (the same name may be another repository on the other hub). */
export const fitKey = (source: HubSource, repo: string, file: string) => `${source}|${repo}|${file}`

/**
 * The model hubs (Hugging Face or a mirror, and ModelScope): which one the Find tab uses, the
 * search and its pages, the repository opened from it with its GGUF files, fit checks of those
 * files, and the hub settings. Kept while the user goes to the Deploy page and back.
 */
export const useHubStore = defineStore('hub', () => {
  /** The hub the Find tab searches and opens repositories on. */
  const source = ref<FindSource>('hugging_face')

  // The search.
  const query = ref('')
  /** The query the results are for ('' = none asked yet). */
  const searchedQuery = ref('')
  const results = ref<HubModel[]>([])
  const nextCursor = ref<string | null>(null)
  const searching = ref(false)
  const searchError = ref<ApiError | null>(null)
  const moreLoading = ref(false)
  const moreError = ref<ApiError | null>(null)
  let searchGen = 0

  /** Searches the hub (a new query starts the list again); an empty query clears it. */
  async function search(q: string): Promise<void> {
    const text = q.trim()
    const gen = ++searchGen
    query.value = q
    moreError.value = null
    if (!text) {
      searchedQuery.value = ''
      results.value = []
      nextCursor.value = null
      searchError.value = null
      searching.value = false
      return
    }
    searching.value = true
    try {
      const page = await getApi().searchHub({ source: source.value, q: text })
      if (gen !== searchGen) return
      results.value = page.models
      nextCursor.value = page.next_cursor
      searchedQuery.value = text
      searchError.value = null
    } catch (err) {
      if (gen !== searchGen) return
      searchError.value = toApiError(err)
    } finally {
      if (gen === searchGen) searching.value = false
    }
  }

  /** The next page of the same search ("Load more"). */
  async function loadMore(): Promise<void> {
    const cursor = nextCursor.value
    if (!cursor || moreLoading.value || searching.value) return
    const gen = searchGen
    moreLoading.value = true
    moreError.value = null
    try {
      const page = await getApi().searchHub({ source: source.value, q: searchedQuery.value, cursor })
      if (gen !== searchGen) return
      const seen = new Set(results.value.map((m) => m.id))
      results.value = [...results.value, ...page.models.filter((m) => !seen.has(m.id))]
      nextCursor.value = page.next_cursor
    } catch (err) {
      if (gen === searchGen) moreError.value = toApiError(err)
    } finally {
      moreLoading.value = false
    }
  }

  // The opened repository.
  const repoId = ref<string | null>(null)
  const repo = ref<HubRepo | null>(null)
  const repoLoading = ref(false)
  const repoError = ref<ApiError | null>(null)
  let repoGen = 0

  /**
   * Opens a repository on the chosen hub: its files at `main` pinned to a commit (Hugging Face),
   * or at `master` (ModelScope), GGUF files grouped by quantisation.
   */
  async function openRepo(id: string): Promise<void> {
    const gen = ++repoGen
    repoId.value = id
    repoLoading.value = true
    repoError.value = null
    if (repo.value?.id.toLowerCase() !== id.toLowerCase()) repo.value = null
    try {
      const answer = await getApi().hubRepo({ source: source.value, repo: id })
      if (gen !== repoGen) return
      repo.value = answer
      // The hub's own spelling of the name (it answers `org/Name` for `org/name`).
      repoId.value = answer.id
    } catch (err) {
      if (gen === repoGen) repoError.value = toApiError(err)
    } finally {
      if (gen === repoGen) repoLoading.value = false
    }
  }

  function closeRepo(): void {
    repoGen++
    repoId.value = null
    repo.value = null
    repoError.value = null
    repoLoading.value = false
  }

  // Fit checks of hub files, by `fitKey`.
  const fits = ref<Record<string, Keyed<HubFitReport>>>({})

  /** Whether a hub file fits this machine, from its header read over HTTP (nothing is downloaded). */
  async function checkFit(on: HubSource, repoName: string, file: string): Promise<HubFitReport | null> {
    const key = fitKey(on, repoName, file)
    if (fits.value[key]?.loading) return null
    fits.value = { ...fits.value, [key]: { loading: true, value: fits.value[key]?.value ?? null, error: null } }
    try {
      const report = await getApi().fitHubFile({ source: on, repo: repoName, file })
      fits.value = { ...fits.value, [key]: { loading: false, value: report, error: null } }
      return report
    } catch (err) {
      fits.value = { ...fits.value, [key]: { loading: false, value: null, error: toApiError(err) } }
      return null
    }
  }

  /**
   * Finds on another hub: what was found and opened was the other hub's, so the results and the
   * opened repository go (an answer still on its way is dropped); the typed query stays.
   */
  function setSource(next: FindSource): void {
    if (next === source.value) return
    source.value = next
    searchGen++
    searchedQuery.value = ''
    results.value = []
    nextCursor.value = null
    searching.value = false
    searchError.value = null
    moreLoading.value = false
    moreError.value = null
    closeRepo()
  }

  // The hub settings.
  const settings = ref<HubSettingsView | null>(null)
  const settingsLoading = ref(false)
  const settingsError = ref<ApiError | null>(null)

  async function loadSettings(): Promise<void> {
    settingsLoading.value = true
    try {
      settings.value = await getApi().hubSettings()
      settingsError.value = null
    } catch (err) {
      settingsError.value = toApiError(err)
    } finally {
      settingsLoading.value = false
    }
  }

  /** Saves the settings; rejects with the `ApiError` the form shows. */
  async function saveSettings(next: HubSettings): Promise<HubSettingsView> {
    try {
      settings.value = await getApi().setHubSettings(next)
      return settings.value
    } catch (err) {
      throw toApiError(err)
    }
  }

  /** Keeps a token in the OS keyring (`null` removes it); rejects with the `ApiError` to show. */
  async function saveToken(token: string | null): Promise<HubSettingsView> {
    try {
      settings.value = await getApi().setHubToken({ token })
      return settings.value
    } catch (err) {
      throw toApiError(err)
    }
  }

  return {
    source,
    setSource,
    query,
    searchedQuery,
    results,
    nextCursor,
    searching,
    searchError,
    moreLoading,
    moreError,
    search,
    loadMore,
    repoId,
    repo,
    repoLoading,
    repoError,
    openRepo,
    closeRepo,
    fits,
    checkFit,
    settings,
    settingsLoading,
    settingsError,
    loadSettings,
    saveSettings,
    saveToken,
  }
})
