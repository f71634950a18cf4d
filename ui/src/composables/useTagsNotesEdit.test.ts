import { describe, expect, it, vi } from 'vitest'
import { effectScope, nextTick, reactive, ref } from 'vue'
import { ApiError } from '../api'
import { useTagsNotesEdit, type TaggedRecord } from './useTagsNotesEdit'

interface Rec extends TaggedRecord {
  label: string
}

function setup() {
  const records = reactive<Record<string, Rec>>({
    a: { id: 'a', label: 'A', tags: ['x', 'y'], notes: 'first' },
    b: { id: 'b', label: 'B', tags: [], notes: '' },
  })
  const store = reactive({
    pending: {} as Record<string, string>,
    errors: {} as Record<string, ApiError>,
    errorOf(id: string) {
      return this.errors[id] ?? null
    },
    byId: (id: string): Rec | null => records[id] ?? null,
  })
  const open = ref('a')
  const label = ref('')
  const opened = vi.fn()
  const scope = effectScope()
  const edit = scope.run(() => useTagsNotesEdit(() => records[open.value], store, { fill: (r) => (label.value = r.label), opened }))!
  return { records, store, open, label, opened, edit, scope }
}

describe('useTagsNotesEdit', () => {
  it('fills the fields from the record opened, not from updates of the same one', async () => {
    const { records, open, label, opened, edit, scope } = setup()
    expect(edit.form).toEqual({ tags: 'x, y', notes: 'first' })
    expect(label.value).toBe('A')
    expect(opened).toHaveBeenCalledOnce()
    edit.form.notes = 'typing'
    records.a.notes = 'updated elsewhere'
    await nextTick()
    expect(edit.form.notes).toBe('typing')
    edit.saved.value = true
    open.value = 'b'
    await nextTick()
    expect(edit.form).toEqual({ tags: '', notes: '' })
    expect(label.value).toBe('B')
    expect(edit.saved.value).toBe(false)
    expect(opened).toHaveBeenCalledTimes(2)
    scope.stop()
  })

  it('saves the parsed tags and notes, then refills from the store and says saved', async () => {
    const { records, edit, scope } = setup()
    edit.form.tags = ' baseline,, q4 ,'
    edit.form.notes = 'new notes'
    const update = vi.fn(async (patch: { tags: string[]; notes: string }) => {
      Object.assign(records.a, { ...patch, tags: [...patch.tags, 'server-added'] })
      return true
    })
    await edit.save(update)
    expect(update).toHaveBeenCalledExactlyOnceWith({ tags: ['baseline', 'q4'], notes: 'new notes' })
    expect(edit.form.tags).toBe('baseline, q4, server-added')
    expect(edit.saved.value).toBe(true)
    await edit.save(async () => false)
    expect(edit.saved.value).toBe(false)
    scope.stop()
  })

  it('reads whether the open record is saving, and why its save failed', () => {
    const { store, edit, scope } = setup()
    expect(edit.saving.value).toBe(false)
    expect(edit.error.value).toBeNull()
    store.pending.a = 'saving'
    store.errors.a = new ApiError('internal', 'bad', 500)
    expect(edit.saving.value).toBe(true)
    expect(edit.error.value?.message).toBe('bad')
    store.pending.a = 'deleting'
    expect(edit.saving.value).toBe(false)
    scope.stop()
  })
})
