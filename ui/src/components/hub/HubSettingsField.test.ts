// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, reactive, type Component } from 'vue'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import HubSettingsField from './HubSettingsField.vue'

/** One field with `props` (reactive: a test changes them) and its model in `state.value`. */
async function mountField(initial: Record<string, unknown>) {
  const state = reactive<{ value: string | number }>({ value: '3' })
  const props = reactive<Record<string, unknown>>({
    field: 'maxParallel',
    label: 'Parallel downloads',
    hint: 'How many at once',
    hintId: 'parallel-hint',
    testid: 'parallel',
    problem: null,
    disabled: false,
    type: 'number',
    ...initial,
  })
  const component = defineComponent({
    setup: () => () => h(HubSettingsField as Component, { ...props, modelValue: state.value, 'onUpdate:modelValue': (v: string | number) => (state.value = v) }),
  })
  const app = await mountApp({ component, pinia: createPinia(), routes: [{ path: '/', component: stubPage }] })
  return { ...app, props, state }
}

usePageTestSetup()

describe('HubSettingsField', () => {
  it('labels a whole-number input between its bounds, points it at its hint and passes edits back', async () => {
    const { q, type, state } = await mountField({ min: 1, max: 8 })
    const input = q<HTMLInputElement>('parallel')!
    expect(input.closest('label')?.querySelector('span')?.textContent).toBe('Parallel downloads')
    expect(input.closest('label')?.classList.contains('hub-number-field')).toBe(true)
    expect([input.type, input.min, input.max, input.step, input.inputMode]).toEqual(['number', '1', '8', '1', 'numeric'])
    expect(input.getAttribute('aria-describedby')).toBe('parallel-hint')
    expect(document.getElementById('parallel-hint')?.textContent).toBe('How many at once')
    expect(input.getAttribute('aria-invalid')).toBe('false')
    expect(input.value).toBe('3')
    await type(input, '5')
    expect(state.value).toBe(5)
  })

  it('shows its problem, translated with its bounds, and marks the input invalid; an address field has no bounds', async () => {
    const { q, props } = await mountField({ type: 'url', field: 'endpoint', placeholder: 'https://hf-mirror.com', testid: 'endpoint' })
    const input = q<HTMLInputElement>('endpoint')!
    expect([input.type, input.placeholder, input.hasAttribute('min'), input.hasAttribute('step')]).toEqual(['url', 'https://hf-mirror.com', false, false])
    expect(input.closest('label')?.classList.contains('hub-number-field')).toBe(false)
    expect(q('hub-settings-problem')).toBeNull()
    props.problem = { field: 'maxParallel', key: 'hub.settings.err.parallel', params: { min: 1, max: 8 } }
    await nextTick()
    const problem = q('hub-settings-problem')!
    expect(problem.dataset.field).toBe('endpoint')
    expect(problem.textContent).toContain('1')
    expect(problem.textContent).toContain('8')
    expect(input.getAttribute('aria-invalid')).toBe('true')
    props.disabled = true
    await nextTick()
    expect(input.disabled).toBe(true)
  })
})
