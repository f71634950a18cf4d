// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest'
import { defineComponent, h, nextTick, ref, type Ref } from 'vue'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import ModalDialog from './ModalDialog.vue'

/**
 * Mounts a ModalDialog (while `open` is true) with a paragraph and a field inside, and `props`
 * (made from the field's ref); `onClose` counts its `close`.
 */
async function mountDialog(props: (field: Ref<HTMLInputElement | null>) => Record<string, unknown> = () => ({})) {
  const onClose = vi.fn()
  const open = ref(true)
  const field = ref<HTMLInputElement | null>(null)
  const host = defineComponent({
    setup: () => () =>
      open.value
        ? h(
            ModalDialog,
            { titleId: 'test-title', title: 'Test dialog', testid: 'dialog', closeTestid: 'dialog-close', closeLabel: 'Close', onClose, ...props(field) },
            () => [h('p', { 'data-testid': 'inside' }, 'Body'), h('input', { ref: field, 'data-testid': 'field' })],
          )
        : null,
  })
  const app = await mountApp({ component: host, routes: [{ path: '/', component: stubPage }] })
  return { ...app, onClose, open }
}

/** Presses Escape on the window; `handled` marks it handled first (a nearer listener took it). */
function pressEscape(handled = false) {
  const e = new KeyboardEvent('keydown', { key: 'Escape', cancelable: true })
  if (handled) e.preventDefault()
  window.dispatchEvent(e)
  return e
}

usePageTestSetup()

describe('ModalDialog', () => {
  it('is a modal dialog labelled by its title, with the focus on Close', async () => {
    const { q } = await mountDialog()
    const dialog = q('dialog')!
    expect(dialog.tagName).toBe('SECTION')
    expect(dialog.classList).toContain('dialog')
    expect(dialog.classList).toContain('card')
    expect(dialog.parentElement?.classList).toContain('dialog-backdrop')
    expect(dialog.getAttribute('role')).toBe('dialog')
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    expect(dialog.getAttribute('aria-labelledby')).toBe('test-title')
    expect(dialog.hasAttribute('aria-describedby')).toBe(false)
    const title = document.getElementById('test-title')!
    expect(title.tagName).toBe('H2')
    expect(title.textContent).toBe('Test dialog')
    expect(title.parentElement?.classList).toContain('dialog-head')
    expect(q('dialog-close')?.textContent?.trim()).toBe('Close')
    expect(document.activeElement).toBe(q('dialog-close'))
  })

  it('closes on Escape, unless the Escape was handled already', async () => {
    const { onClose } = await mountDialog()
    expect(pressEscape(true).defaultPrevented).toBe(true)
    expect(onClose).not.toHaveBeenCalled()
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', cancelable: true }))
    expect(onClose).not.toHaveBeenCalled()
    const e = pressEscape()
    expect(onClose).toHaveBeenCalledOnce()
    // Handled here: an outer listener (a page's) leaves it alone.
    expect(e.defaultPrevented).toBe(true)
  })

  it('closes on a click on the backdrop or on Close, not on a click inside', async () => {
    const { q, click, onClose } = await mountDialog()
    await click(q('inside'))
    await click(q('dialog'))
    expect(onClose).not.toHaveBeenCalled()
    await click(q('dialog')!.parentElement)
    expect(onClose).toHaveBeenCalledOnce()
    await click(q('dialog-close'))
    expect(onClose).toHaveBeenCalledTimes(2)
  })

  it('stops listening to the keyboard once it is gone', async () => {
    const added = vi.spyOn(window, 'addEventListener')
    const removed = vi.spyOn(window, 'removeEventListener')
    const { q, open, onClose } = await mountDialog()
    const listener = added.mock.calls.find(([type]) => type === 'keydown')?.[1]
    expect(listener).toBeTypeOf('function')
    open.value = false
    await nextTick()
    expect(q('dialog')).toBeNull()
    expect(removed).toHaveBeenCalledWith('keydown', listener)
    expect(pressEscape().defaultPrevented).toBe(false)
    expect(onClose).not.toHaveBeenCalled()
  })

  it('asks without a Close button, with its own role, description, classes, attributes and focus', async () => {
    const { q, all } = await mountDialog((field) => ({
      showClose: false,
      role: 'alertdialog',
      describedby: 'inside',
      sectionClass: 'dialog-wide',
      'data-action': 'deploy',
      initialFocus: () => field.value,
    }))
    const dialog = q('dialog')!
    expect(dialog.getAttribute('role')).toBe('alertdialog')
    expect(dialog.getAttribute('aria-describedby')).toBe('inside')
    expect(dialog.getAttribute('data-action')).toBe('deploy')
    expect([...dialog.classList]).toEqual(['dialog', 'card', 'dialog-wide'])
    // Attributes go to the section, not the backdrop.
    expect(dialog.parentElement?.hasAttribute('data-action')).toBe(false)
    expect(q('dialog-close')).toBeNull()
    expect(all('dialog').length).toBe(1)
    expect(dialog.querySelector('.dialog-head')).toBeNull()
    expect(document.getElementById('test-title')?.parentElement).toBe(dialog)
    expect(document.activeElement).toBe(q('field'))
  })

  it('leaves the focus alone with `initialFocus` false, and takes a title from its slot', async () => {
    const { q } = await mountDialog(() => ({ initialFocus: false, title: undefined }))
    expect(document.activeElement).toBe(document.body)
    expect(q('dialog-close')).not.toBeNull()
    const onClose = vi.fn()
    await mountApp({
      component: defineComponent({
        setup: () => () => h(ModalDialog, { titleId: 'slot-title', testid: 'slotted', onClose }, { title: () => h('em', 'Slotted') }),
      }),
      routes: [{ path: '/', component: stubPage }],
    })
    expect(document.getElementById('slot-title')?.innerHTML).toBe('<em>Slotted</em>')
    expect(document.querySelector('[data-testid="slotted"]')?.getAttribute('aria-labelledby')).toBe('slot-title')
  })
})
