import { ref } from 'vue'
import { getApi, toApiError, type ApiError, type ExportResult } from '../api'
import type { ExportFormat } from '../generated/ExportFormat'

/** Exports a conversation, with the format in flight, the last result and the last error. */
export function useExport() {
  const exporting = ref<ExportFormat | null>(null)
  const result = ref<ExportResult | null>(null)
  const error = ref<ApiError | null>(null)

  async function run(conversationId: string, format: ExportFormat) {
    if (exporting.value) return
    exporting.value = format
    result.value = null
    error.value = null
    try {
      result.value = await getApi().exportConversation(conversationId, format)
    } catch (err) {
      error.value = toApiError(err)
    } finally {
      exporting.value = null
    }
  }

  return { exporting, result, error, run }
}
