// @vitest-environment jsdom
import { createPinia } from 'pinia'
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { nextTick } from 'vue'
import { ApiError } from '../../api'
import { setLocale } from '../../composables/useI18n'
import type { Health } from '../../generated/Health'
import { fake, installFakeApi } from '../../testing/fakeApi'
import { mountApp, stubPage, usePageTestSetup } from '../../testing/mountApp'
import AppHeader from './AppHeader.vue'

const health: Health = { status: 'ok', version: '0.1.0', commit: '0123456789ab', commit_date: '2026-05-01', profile: 'release' }

/** The header links to every page: each needs a route (named where the header names it). */
const routes = [
  { path: '/', component: stubPage },
  { path: '/chat/:id?', name: 'chat', component: stubPage },
  { path: '/deploy', name: 'deploy', component: stubPage },
  { path: '/access', name: 'access', component: stubPage },
  ...['/hub', '/engines', '/requests', '/benchmarks', '/runs', '/sweeps', '/history', '/alerts', '/settings'].map((path) => ({ path, component: stubPage })),
]

function mountHeader() {
  return mountApp({ component: AppHeader, pinia: createPinia(), routes })
}

/** Opens the About box: it loads on first opening, so wait until it is there. */
async function openAbout(q: (id: string) => HTMLElement | null, click: (el: Element | null) => Promise<unknown>) {
  await click(q('about-open'))
  await vi.waitFor(() => expect(q('about-dialog')).not.toBeNull())
}

function pressEscape() {
  window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', cancelable: true }))
  return nextTick()
}

usePageTestSetup()
beforeEach(() => {
  installFakeApi({ health: vi.fn(async () => health) })
})

describe('the About box', () => {
  it('opens from the header as a labelled modal dialog and shows the build', async () => {
    const { q, click } = await mountHeader()
    expect(q('about-dialog')).toBeNull()
    await openAbout(q, click)
    const dialog = q('about-dialog')!
    expect(dialog.getAttribute('role')).toBe('dialog')
    expect(dialog.getAttribute('aria-modal')).toBe('true')
    expect(document.getElementById(dialog.getAttribute('aria-labelledby')!)?.textContent).toBe('About')
    expect(document.activeElement).toBe(q('about-close'))
    await vi.waitFor(() => expect(q('about-version')?.textContent).toBe('Version 0.1.0'))
    expect(q('about-name')?.textContent).toContain('LLM Local Ops Center')
    expect(q('about-commit')?.textContent).toBe('Commit 0123456789ab (2026-05-01)')
    expect(q('about-profile')?.textContent).toBe('Build profile: release')
    expect(q('about-license')?.textContent).toBe('Licence: MIT')
    expect(q('about-api-doc')?.getAttribute('href')).toBe('/api/openapi.json')
    expect(fake.api.health).toHaveBeenCalledTimes(1)
  })

  it('closes on Escape and on Close, and gives focus back to its button', async () => {
    const { q, click } = await mountHeader()
    await openAbout(q, click)
    await pressEscape()
    expect(q('about-dialog')).toBeNull()
    await vi.waitFor(() => expect(document.activeElement).toBe(q('about-open')))
    await openAbout(q, click)
    await click(q('about-close'))
    expect(q('about-dialog')).toBeNull()
    await vi.waitFor(() => expect(document.activeElement).toBe(q('about-open')))
  })

  it('says why the build could not be read, in the UI’s language, and tries again', async () => {
    fake.api.health = vi.fn(async () => {
      throw new ApiError('network_error', 'The llmops server is unreachable.')
    })
    setLocale('zh')
    const { q, click } = await mountHeader()
    await click(q('about-open'))
    await vi.waitFor(() => expect(q('about-error')).not.toBeNull())
    expect(q('about-error')?.getAttribute('role')).toBe('alert')
    expect(q('about-error')?.textContent).toContain('无法读取当前构建的信息。 无法连接 llmops 服务器')
    expect(q('about-version')).toBeNull()
    fake.api.health = vi.fn(async () => ({ ...health, commit: 'unknown', commit_date: 'unknown' }))
    await click(q('about-error')!.querySelector('button'))
    await vi.waitFor(() => expect(q('about-version')?.textContent).toBe('版本 0.1.0'))
    expect(q('about-error')).toBeNull()
    expect(q('about-commit')?.textContent).toBe('此构建未记录提交')
  })
})
