// @vitest-environment jsdom
import { describe, expect, it } from 'vitest'
import { defineComponent, h, nextTick, reactive, type Component } from 'vue'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import RecordList from './RecordList.vue'

interface Row {
  id: string
  state: string
  name: string
}

const rows: Row[] = [
  { id: 'a', state: 'completed', name: 'Alpha' },
  { id: 'b', state: 'running', name: 'Beta' },
  { id: 'c', state: 'failed', name: 'Gamma' },
]

/** The list with `props` (reactive: a test changes them), its events recorded in `events`. */
async function mountList(initial: Record<string, unknown> = {}) {
  const props = reactive<Record<string, unknown>>({
    testid: 'thing',
    idAttr: 'thing-id',
    title: 'Things',
    items: rows,
    loading: false,
    loaded: true,
    openId: null,
    empty: 'No things yet',
    ...initial,
  })
  const events: unknown[][] = []
  const component = defineComponent({
    setup: () => () =>
      h(
        RecordList as Component,
        {
          ...props,
          onOpen: (id: string) => events.push(['open', id]),
          onSelect: (id: string, on: boolean) => events.push(['select', id, on]),
          onCompare: (ids: string[]) => events.push(['compare', ids]),
        },
        {
          default: () => h('div', { 'data-testid': 'thing-filters' }, 'filters'),
          'select-label': ({ item }: { item: Row }) => `Select ${item.name}`,
          label: ({ item }: { item: Row }) => item.name,
          badges: ({ item }: { item: Row }) => h('span', { class: 'badge', 'data-testid': 'thing-badge' }, item.state),
          details: ({ item }: { item: Row }) => h('div', { 'data-testid': 'thing-details' }, `about ${item.name}`),
        },
      ),
  })
  const app = await mountApp({ component, routes: [{ path: '/', component: stubPage }] })
  return { ...app, props, events }
}

usePageTestSetup()

describe('RecordList', () => {
  it('is a section labelled by its title, with what the default slot adds under the heading', async () => {
    const { host, q } = await mountList()
    const section = host.querySelector('section')!
    expect(section.className).toBe('section bench-list-section')
    expect(section.getAttribute('aria-labelledby')).toBe('thing-list-title')
    expect(document.getElementById('thing-list-title')?.textContent).toBe('Things')
    expect(q('thing-filters')?.textContent).toBe('filters')
    // No `compare` and no `selected`: no compare button, hint or checkboxes.
    expect(q('thing-compare')).toBeNull()
    expect(q('thing-select')).toBeNull()
    expect(section.querySelectorAll(':scope > p')).toHaveLength(0)
  })

  it('says it is loading until first loaded, and nothing else', async () => {
    const { host, q, props } = await mountList({ items: [], loading: true, loaded: false })
    expect(host.querySelector('[role="status"]')?.textContent?.trim()).toBe('Loading…')
    expect(q('thing-empty')).toBeNull()
    expect(q('thing-list')).toBeNull()
    // Loading again once loaded (a refresh) keeps what is shown.
    Object.assign(props, { items: rows, loaded: true })
    await nextTick()
    expect(host.querySelector('[role="status"]')).toBeNull()
    expect(q('thing-list')).not.toBeNull()
  })

  it('says when there are none, and when none match the filter', async () => {
    const { q, props } = await mountList({ items: [], noneMatch: 'None match' })
    expect(q('thing-empty')?.textContent).toBe('No things yet')
    expect(q('thing-none-match')).toBeNull()
    expect(q('thing-list')).toBeNull()
    Object.assign(props, { items: rows, shown: [] })
    await nextTick()
    expect(q('thing-empty')).toBeNull()
    expect(q('thing-none-match')?.textContent).toBe('None match')
    expect(q('thing-list')).toBeNull()
    props.shown = [rows[2]]
    await nextTick()
    expect(q('thing-none-match')).toBeNull()
    expect(q('thing-list')).not.toBeNull()
  })

  it('shows a row each (the filtered ones where given), the open one marked', async () => {
    const { all, q, props } = await mountList({ openId: 'b' })
    const items = all('thing-item')
    expect(items.map((r) => r.dataset.thingId)).toEqual(['a', 'b', 'c'])
    expect(items.map((r) => r.dataset.state)).toEqual(['completed', 'running', 'failed'])
    expect(items.map((r) => r.className)).toEqual(['bench-item', 'bench-item selected', 'bench-item'])
    expect(q('thing-list')?.className).toBe('bench-list')
    const opens = all('thing-open')
    expect(opens.map((b) => b.textContent)).toEqual(['Alpha', 'Beta', 'Gamma'])
    expect(opens.map((b) => b.getAttribute('aria-current'))).toEqual([null, 'true', null])
    expect(all('thing-badge').map((b) => b.textContent)).toEqual(['completed', 'running', 'failed'])
    expect(all('thing-details')[0].parentElement?.className).toBe('bench-item-main')
    props.shown = [rows[0], rows[2]]
    await nextTick()
    expect(all('thing-item').map((r) => r.dataset.thingId)).toEqual(['a', 'c'])
  })

  it('opens a row from its button or a click elsewhere on it, but not from its controls', async () => {
    const { all, click, events } = await mountList({ selected: [] })
    await click(all('thing-open')[1])
    expect(events).toEqual([['open', 'b']])
    await click(all('thing-details')[2])
    expect(events).toEqual([['open', 'b'], ['open', 'c']])
    events.length = 0
    await click(all('thing-select')[0])
    expect(events).toEqual([['select', 'a', true]])
  })

  it('ticks rows for comparison, and compares two or more', async () => {
    const { all, q, host, click, events, props } = await mountList({ selected: ['c'], compare: 'Compare (1)', compareHint: 'Tick two to compare' })
    const boxes = all('thing-select') as HTMLInputElement[]
    expect(boxes.map((b) => b.checked)).toEqual([false, false, true])
    expect(boxes[0].closest('label')?.className).toBe('bench-select')
    expect(boxes[0].closest('label')?.querySelector('.visually-hidden')?.textContent).toBe('Select Alpha')
    expect(host.querySelector('section > p.small.muted')?.textContent).toBe('Tick two to compare')
    const compare = q<HTMLButtonElement>('thing-compare')!
    expect(compare.textContent?.trim()).toBe('Compare (1)')
    expect(compare.disabled).toBe(true)
    await click(boxes[1])
    expect(events).toEqual([['select', 'b', true]])
    await click(boxes[2])
    expect(events[events.length - 1]).toEqual(['select', 'c', false])
    Object.assign(props, { selected: ['c', 'a'], compare: 'Compare (2)' })
    await nextTick()
    expect(compare.disabled).toBe(false)
    expect(compare.textContent?.trim()).toBe('Compare (2)')
    await click(compare)
    expect(events[events.length - 1]).toEqual(['compare', ['c', 'a']])
    expect(events.filter((e) => e[0] === 'open')).toEqual([])
  })
})
