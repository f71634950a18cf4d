// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, ref, type Component } from 'vue'
import { ApiError } from '../../api'
import { en } from '../../i18n/en'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import BenchCheckField from './BenchCheckField.vue'
import BenchFormActions from './BenchFormActions.vue'
import BenchModelSelect from './BenchModelSelect.vue'

usePageTestSetup()

/** Mounts `field` bound to a model that starts at `initial`; answers the model with the mounted app. */
async function bound<T>(field: Component, initial: T, props: Record<string, unknown>) {
  const value = ref(initial)
  const host = defineComponent({ render: () => h(field, { ...props, modelValue: value.value, 'onUpdate:modelValue': (v: T) => (value.value = v) }) })
  const app = await mountApp({ component: host, pinia: createPinia(), routes: [{ path: '/', component: stubPage }] })
  return { value, ...app }
}

describe('the shared benchmark and sweep form fields', () => {
  it('a checkbox: bound, labelled, and pointing at its hint when it has one', async () => {
    const { value, q, click, host } = await bound(BenchCheckField, true, { label: 'Ignore EOS', testid: 'x-eos', hint: 'Keeps generating.' })
    const box = q<HTMLInputElement>('x-eos')!
    expect(box.checked).toBe(true)
    expect(box.closest('label')?.textContent).toContain('Ignore EOS')
    expect(box.getAttribute('aria-describedby')).toBe('x-eos-hint')
    expect(host.querySelector('#x-eos-hint')?.textContent).toBe('Keeps generating.')
    await click(box)
    expect(value.value).toBe(false)

    const { q: q2, host: host2 } = await bound(BenchCheckField, false, { label: 'Skip', testid: 'y-skip' })
    expect(q2('y-skip')?.hasAttribute('aria-describedby')).toBe(false)
    expect(host2.querySelector('small')).toBeNull()
  })

  it('a model select: the models by id, a disabled prompt, and its problem', async () => {
    const models = [{ id: 'm1', name: 'Qwen (llama.cpp)' }, { id: 'm2', name: 'Mistral (vLLM)' }]
    const { value, q, options, choose } = await bound(BenchModelSelect, '', { label: 'Model', choose: 'Choose a model', testid: 'x-model', field: 'modelId', models })
    expect(options('x-model')).toEqual(['', 'm1', 'm2'])
    expect(q<HTMLSelectElement>('x-model')?.options[0].disabled).toBe(true)
    expect(q<HTMLSelectElement>('x-model')?.options[1].textContent).toBe('Qwen (llama.cpp)')
    expect(q('x-model')?.hasAttribute('aria-invalid')).toBe(false)
    await choose(q('x-model'), 'm2')
    expect(value.value).toBe('m2')

    const { q: q2 } = await bound(BenchModelSelect, '', {
      label: 'Model', choose: 'Choose a model', testid: 'y-model', field: 'modelId', models, problem: { key: 'sweeps.err.model' },
    })
    expect(q2('y-model')?.getAttribute('aria-invalid')).toBe('true')
    expect(q2('deploy-field-error')?.dataset.field).toBe('modelId')
    expect(q2('deploy-field-error')?.textContent).toBe(en['sweeps.err.model'])
  })

  it('the form’s end: the start button, the busy hint, a note, and what stopped the start', async () => {
    const props = ref<Record<string, unknown>>({ prefix: 'x', label: 'Start', spinning: false, disabled: false, hasErrors: false, error: null })
    const host = defineComponent({ render: () => h(BenchFormActions as Component, props.value) })
    const { q, host: root } = await mountApp({ component: host, pinia: createPinia(), routes: [{ path: '/', component: stubPage }] })
    const start = q<HTMLButtonElement>('x-start')!
    expect([start.type, start.textContent, start.disabled, start.hasAttribute('title')]).toEqual(['submit', 'Start', false, false])
    expect([q('x-busy-hint'), q('x-fix-errors'), q('x-form-error'), root.querySelector('.spinner')]).toEqual([null, null, null, null])

    props.value = {
      ...props.value, spinning: true, disabled: true, blockedTitle: 'Needs admin', busyHint: 'One runs already.', note: 'Restarts the model.',
      hasErrors: true, error: new ApiError('sweep_running', 'A sweep is already running.', 409, {}),
    }
    await nextTick()
    expect([start.disabled, start.title]).toEqual([true, 'Needs admin'])
    expect(start.querySelector('.spinner')).not.toBeNull()
    expect(q('x-busy-hint')?.textContent).toBe('One runs already.')
    expect(root.textContent).toContain('Restarts the model.')
    expect(q('x-fix-errors')?.getAttribute('role')).toBe('alert')
    expect(q('x-form-error')?.dataset.code).toBe('sweep_running')
  })
})
