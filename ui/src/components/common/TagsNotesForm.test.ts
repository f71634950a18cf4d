// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, reactive, type Component } from 'vue'
import { ApiError } from '../../api'
import { useAccessStore } from '../../stores/access'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import TagsNotesForm from './TagsNotesForm.vue'

/** The form with `props` (reactive: a test changes them) and its two models in `values`; submits counted. */
async function mountForm(initial: Record<string, unknown> = {}, scope: 'read' | 'operate' = 'operate') {
  const pinia = createPinia()
  useAccessStore(pinia).caller = { scope, via: 'api_key', key_id: 'k', key_name: 'script' }
  const values = reactive({ tags: 'a, b', notes: 'some notes' })
  const props = reactive<Record<string, unknown>>({
    testid: 'thing',
    tagsLabel: 'Tags',
    notesLabel: 'Notes',
    saveLabel: 'Save',
    saving: false,
    saved: false,
    error: null,
    ...initial,
  })
  let submits = 0
  const component = defineComponent({
    setup: () => () =>
      h(
        TagsNotesForm as Component,
        {
          ...props,
          tags: values.tags,
          notes: values.notes,
          'onUpdate:tags': (v: string) => (values.tags = v),
          'onUpdate:notes': (v: string) => (values.notes = v),
          onSubmit: () => submits++,
        },
        { default: () => h('label', { class: 'field', 'data-testid': 'thing-extra' }, 'extra') },
      ),
  })
  const app = await mountApp({ component, pinia, routes: [{ path: '/', component: stubPage }] })
  return { ...app, props, values, submits: () => submits }
}

usePageTestSetup()

describe('TagsNotesForm', () => {
  it('shows the tags and notes, with the slot first in the grid, and passes edits back', async () => {
    const { q, type, values } = await mountForm()
    const form = q('thing-edit')!
    expect(form.tagName).toBe('FORM')
    expect(form.className).toBe('bench-edit')
    expect(form.querySelector('h3')).toBeNull()
    const grid = form.querySelector('.deploy-grid.bench-grid')!
    expect(grid.firstElementChild).toBe(q('thing-extra'))
    expect(q<HTMLInputElement>('thing-tags')?.value).toBe('a, b')
    expect(q<HTMLInputElement>('thing-tags')?.placeholder).toBe('baseline, q4')
    expect(q<HTMLInputElement>('thing-tags')?.closest('label')?.className).toBe('field field-span')
    expect(q<HTMLTextAreaElement>('thing-notes')?.value).toBe('some notes')
    expect(q<HTMLTextAreaElement>('thing-notes')?.closest('label')?.className).toBe('field field-full')
    await type(q('thing-tags'), 'x, y')
    await type(q('thing-notes'), 'changed')
    expect(values).toEqual({ tags: 'x, y', notes: 'changed' })
  })

  it('asks to save on submit, and says when it is saving and has saved', async () => {
    const { q, click, props, submits, host } = await mountForm({ title: 'Label, tags and notes' })
    expect(q('thing-edit')?.querySelector('h3.sub-title')?.textContent).toBe('Label, tags and notes')
    const save = q<HTMLButtonElement>('thing-save')!
    expect(save.disabled).toBe(false)
    expect(save.hasAttribute('title')).toBe(false)
    await click(save)
    expect(submits()).toBe(1)
    expect(q('thing-saved')).toBeNull()
    props.saving = true
    await nextTick()
    expect(save.disabled).toBe(true)
    expect(save.querySelector('.spinner')).not.toBeNull()
    Object.assign(props, { saving: false, saved: true })
    await nextTick()
    expect(save.disabled).toBe(false)
    expect(q('thing-saved')?.getAttribute('role')).toBe('status')
    expect(q('thing-saved')?.textContent).toBe('Saved.')
    expect(host.querySelector('[role="alert"]')).toBeNull()
  })

  it('shows why the save failed', async () => {
    const { q, props } = await mountForm()
    expect(q('thing-edit-error')).toBeNull()
    props.error = new ApiError('internal', 'the disk is full', 500)
    await nextTick()
    const error = q('thing-edit-error')!
    expect(error.getAttribute('role')).toBe('alert')
    expect(error.className).toBe('error-text small')
    expect(error.textContent).toContain('the disk is full')
  })

  it('turns the fields and button off while disabled, saying why', async () => {
    const { q } = await mountForm({ disabled: true, disabledTitle: 'Not while it runs' })
    expect(q<HTMLInputElement>('thing-tags')?.disabled).toBe(true)
    expect(q<HTMLTextAreaElement>('thing-notes')?.disabled).toBe(true)
    expect(q<HTMLButtonElement>('thing-save')?.disabled).toBe(true)
    expect(q('thing-save')?.title).toBe('Not while it runs')
  })

  it('does not let a caller without the operate scope save', async () => {
    const { q } = await mountForm({}, 'read')
    expect(q<HTMLInputElement>('thing-tags')?.disabled).toBe(false)
    expect(q<HTMLButtonElement>('thing-save')?.disabled).toBe(true)
    expect(q('thing-save')?.title).toBe('Needs the operate scope')
  })
})
