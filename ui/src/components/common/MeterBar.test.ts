// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, ref } from 'vue'
import styles from '../../styles.css?raw'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import MeterBar from './MeterBar.vue'

/** The declarations of every rule of the stylesheet whose selectors end in `selector`. */
function declarationsOf(selector: string): string {
  const rules = [...styles.replace(/\/\*[\s\S]*?\*\//g, '').matchAll(/([^{}]+)\{([^{}]*)\}/g)]
  return rules
    .filter(([, selectors]) => selectors.split(',').some((s) => s.trim().split(/\s+/).pop() === selector))
    .map(([, , body]) => body)
    .join(';')
}

usePageTestSetup()

describe('MeterBar', () => {
  it('shows each new value at once, without animating its width', async () => {
    const percent = ref<number | null>(40)
    const { q } = await mountApp({
      component: defineComponent({ setup: () => () => h('div', { 'data-testid': 'meter' }, h(MeterBar, { percent: percent.value, label: 'CPU' })) }),
      routes: [{ path: '/', component: stubPage }],
    })
    const bar = q('meter')!.querySelector<HTMLElement>('[role="progressbar"]')!
    const fill = bar.querySelector<HTMLElement>('.meter-fill')!
    expect(fill.style.width).toBe('40%')
    percent.value = 97.6
    await nextTick()
    expect(fill.style.width).toBe('97.6%')
    expect(bar.getAttribute('aria-valuenow')).toBe('98')
    expect(fill.classList).toContain('meter-high')
    // Live meters move every second: a transition would lay the page out on every frame between.
    expect(declarationsOf('.meter-fill')).toContain('height')
    expect(declarationsOf('.meter-fill')).not.toMatch(/transition|animation/)
  })
})
