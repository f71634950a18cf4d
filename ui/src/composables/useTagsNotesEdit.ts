import { computed, reactive, ref, watch } from 'vue'
import type { ApiError } from '../api'
import { parseTags } from '../lib/bench/benchFormat'

/** A record whose tags and notes the user edits (a benchmark, a run). */
export interface TaggedRecord {
  id: string
  tags: string[]
  notes: string
}

/** What the edit reads of the record's store. */
export interface TaggedRecordStore<R> {
  pending: Record<string, string>
  errorOf(id: string, action: 'saving'): ApiError | null
  byId(id: string): R | null
}

export interface TagsNotesEditOptions<R> {
  /** Fills the owner's own fields too (a label) from `r`. */
  fill?: (r: R) => void
  /** Another record opened (and the first). */
  opened?: () => void
}

/**
 * The state of a `TagsNotesForm` for `record()`: its fields (filled from the record when another
 * opens; typing is not overwritten by its updates), whether it is saving, saved, or why it failed.
 * `save(update)` sends the tags (parsed) and notes through `update` (the store's), then refills the
 * fields from the store and says saved.
 */
export function useTagsNotesEdit<R extends TaggedRecord>(record: () => R, store: TaggedRecordStore<R>, options: TagsNotesEditOptions<R> = {}) {
  const form = reactive({ tags: '', notes: '' })
  const saved = ref(false)

  function fill(r: R) {
    options.fill?.(r)
    form.tags = r.tags.join(', ')
    form.notes = r.notes
  }
  watch(() => record().id, () => {
    fill(record())
    saved.value = false
    options.opened?.()
  }, { immediate: true })

  const saving = computed(() => store.pending[record().id] === 'saving')
  const error = computed(() => store.errorOf(record().id, 'saving'))

  async function save(update: (patch: { tags: string[]; notes: string }) => Promise<boolean>) {
    saved.value = false
    const ok = await update({ tags: parseTags(form.tags), notes: form.notes })
    if (ok) {
      const r = store.byId(record().id)
      if (r) fill(r)
      saved.value = true
    }
  }

  return { form, saved, saving, error, fill, save }
}
