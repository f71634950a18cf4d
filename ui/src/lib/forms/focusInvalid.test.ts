// @vitest-environment jsdom
import { describe, expect, it, vi } from 'vitest'
import { addModelErrorField, focusFirstInvalid } from './focusInvalid'

function form(html: string): HTMLFormElement {
  const el = document.createElement('form')
  el.innerHTML = html
  document.body.replaceChildren(el)
  return el
}

describe('focusFirstInvalid', () => {
  it('focuses and scrolls to the first field marked invalid, in document order', () => {
    const f = form('<input id="a"><input id="b" aria-invalid="true"><input id="c" aria-invalid="true">')
    const scrolled = vi.fn()
    HTMLElement.prototype.scrollIntoView = scrolled
    const field = focusFirstInvalid(f)
    expect(field?.id).toBe('b')
    expect(document.activeElement?.id).toBe('b')
    expect(scrolled).toHaveBeenCalledWith({ block: 'center', behavior: 'smooth' })
  })

  it('opens the folded sections around the field first', () => {
    const f = form('<details id="outer"><summary>More</summary><details id="inner"><summary>Advanced</summary><input id="x" aria-invalid="true"></details></details>')
    focusFirstInvalid(f)
    expect((f.querySelector('#outer') as HTMLDetailsElement).open).toBe(true)
    expect((f.querySelector('#inner') as HTMLDetailsElement).open).toBe(true)
    expect(document.activeElement?.id).toBe('x')
  })

  it('does nothing without an invalid field or a form', () => {
    const f = form('<input aria-invalid="false"><input>')
    expect(focusFirstInvalid(f)).toBeNull()
    expect(focusFirstInvalid(null)).toBeNull()
  })
})

describe('addModelErrorField', () => {
  it('points each field-specific API error at its field', () => {
    expect(addModelErrorField('model_name_empty')).toBe('name')
    expect(addModelErrorField('model_path_not_absolute')).toBe('path')
    expect(addModelErrorField('model_file_not_gguf')).toBe('path')
    expect(addModelErrorField('model_context_size_invalid')).toBe('context')
    expect(addModelErrorField('model_port_invalid')).toBe('port')
    expect(addModelErrorField('model_args_invalid')).toBe('extra_args')
  })

  it('leaves errors that are no single field’s fault alone', () => {
    expect(addModelErrorField('network_error')).toBeNull()
    expect(addModelErrorField(undefined)).toBeNull()
  })
})
