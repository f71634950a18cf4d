// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick, reactive } from 'vue'
import MarkdownView from '../components/common/MarkdownView.vue'

// Mounts MarkdownView with reactive props, without @vue/test-utils.
function mount(initial: { source: string; streaming?: boolean }) {
  const props = reactive({ streaming: false, ...initial })
  const host = document.createElement('div')
  document.body.appendChild(host)
  const app = createApp({ render: () => h(MarkdownView, { source: props.source, streaming: props.streaming }) })
  app.mount(host)
  return {
    props,
    root: () => host.querySelector<HTMLElement>('[data-testid="markdown"]')!,
    unmount: () => {
      app.unmount()
      host.remove()
    },
  }
}

describe('MarkdownView', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'requestAnimationFrame', 'cancelAnimationFrame'] })
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('renders sanitised markdown', async () => {
    const view = mount({ source: '**hi** <script>alert(1)</script>' })
    expect(view.root().classList.contains('markdown')).toBe(true)
    expect(view.root().querySelector('strong')?.textContent).toBe('hi')
    expect(view.root().querySelector('script')).toBeNull()
    view.unmount()
  })

  it('re-renders a streaming message at most once per frame, from the latest source', async () => {
    const view = mount({ source: 'a', streaming: true })
    for (const s of ['ab', 'abc', 'abcd']) {
      view.props.source = s
      await nextTick()
    }
    expect(view.root().textContent?.trim()).toBe('a')
    vi.advanceTimersToNextFrame()
    await nextTick()
    expect(view.root().textContent?.trim()).toBe('abcd')
    view.unmount()
  })

  it('renders at once when streaming ends', async () => {
    const view = mount({ source: 'a', streaming: true })
    view.props.source = 'final'
    view.props.streaming = false
    await nextTick()
    expect(view.root().textContent?.trim()).toBe('final')
    view.unmount()
  })

  it('copies a code block and shows Copied for 1.5 s', async () => {
    const writeText = vi.fn(() => Promise.resolve())
    vi.stubGlobal('navigator', { ...navigator, clipboard: { writeText } })
    const view = mount({ source: '```js\nconst a = 1\n```' })
    const button = view.root().querySelector<HTMLButtonElement>('[data-copy-code]')!
    expect(button.textContent).toBe('Copy')
    button.click()
    await vi.waitFor(() => expect(button.textContent).toBe('Copied'))
    expect(writeText).toHaveBeenCalledWith('const a = 1')
    vi.advanceTimersByTime(1500)
    expect(button.textContent).toBe('Copy')
    view.unmount()
  })

  it('falls back to execCommand without the clipboard API', async () => {
    vi.stubGlobal('navigator', { ...navigator, clipboard: undefined })
    let copied = ''
    const exec = vi.fn(() => {
      copied = document.querySelector('textarea')?.value ?? ''
      return true
    })
    Object.defineProperty(document, 'execCommand', { value: exec, configurable: true })
    const view = mount({ source: '```\nplain text\n```' })
    view.root().querySelector<HTMLButtonElement>('[data-copy-code]')!.click()
    await vi.waitFor(() => expect(exec).toHaveBeenCalledWith('copy'))
    expect(copied).toBe('plain text')
    expect(document.querySelector('textarea')).toBeNull()
    view.unmount()
  })
})
