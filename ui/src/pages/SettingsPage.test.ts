// @vitest-environment jsdom
import { createPinia, setActivePinia } from 'pinia'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createApp, h, nextTick } from 'vue'
import type { DesktopSettings } from '../generated/DesktopSettings'
import type { Model } from '../generated/Model'

import { ApiError } from '../api'
import { setLocale } from '../composables/useI18n'
import { useModelsStore } from '../stores/models'
import { installFakeApi } from '../testing/fakeApi'
import SettingsPage from './SettingsPage.vue'

const cleanups: (() => void)[] = []
let saved: DesktopSettings

function mountPage() {
  const host = document.createElement('div')
  document.body.appendChild(host)
  const app = createApp({ render: () => h(SettingsPage) })
  app.mount(host)
  cleanups.push(() => {
    app.unmount()
    host.remove()
  })
  const q = <T extends HTMLElement = HTMLElement>(testid: string) => host.querySelector<T>(`[data-testid="${testid}"]`)
  return { host, q }
}

const model = (id: string, name: string) => ({ id, name }) as unknown as Model

beforeEach(() => {
  setActivePinia(createPinia())
  setLocale('en')
  saved = { close_to_tray: true, notifications: true, start_models: ['gone'], start_at_login: false }
})
afterEach(() => {
  cleanups.splice(0).forEach((c) => c())
  vi.unstubAllGlobals()
})

describe('SettingsPage', () => {
  it('in a browser says the settings belong to the desktop app and asks nothing', async () => {
    const api = installFakeApi({ getDesktopSettings: vi.fn() })
    const { q } = mountPage()
    await nextTick()
    expect(q('settings-browser')?.textContent).toContain('settings of the desktop app')
    expect(q('desktop-settings')).toBeNull()
    expect(api.getDesktopSettings).not.toHaveBeenCalled()
  })

  describe('in the desktop app', () => {
    beforeEach(() => {
      vi.stubGlobal('window', Object.assign(window, { __TAURI_INTERNALS__: {} }))
    })
    afterEach(() => {
      delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__
    })

    it('shows the settings, saves each change at once, and lists a removed model to untick', async () => {
      const api = installFakeApi({
        getDesktopSettings: vi.fn(async () => ({ ...saved })),
        setDesktopSettings: vi.fn(async (s: DesktopSettings) => (saved = { ...s })),
      })
      useModelsStore().models = [model('m1', 'Qwen 7B'), model('m2', 'SmolLM2')]
      const { q, host } = mountPage()
      await vi.waitFor(() => expect(q('desktop-close_to_tray')).not.toBeNull())
      expect(q<HTMLInputElement>('desktop-close_to_tray')!.checked).toBe(true)
      expect(q<HTMLInputElement>('desktop-start_at_login')!.checked).toBe(false)

      q<HTMLInputElement>('desktop-notifications')!.click()
      await vi.waitFor(() => expect(api.setDesktopSettings).toHaveBeenCalledTimes(1))
      expect(saved.notifications).toBe(false)
      // Each control waits for the save before the next change.
      const idle = () => vi.waitFor(() => expect(host.querySelector('fieldset:disabled')).toBeNull())
      await idle()

      const qwen = host.querySelector<HTMLInputElement>('[data-testid="desktop-start-model"][data-model-name="Qwen 7B"]')!
      qwen.click()
      await vi.waitFor(() => expect(saved.start_models).toEqual(['gone', 'm1']))
      await idle()
      q<HTMLInputElement>('desktop-start-model-removed')!.click()
      await vi.waitFor(() => expect(saved.start_models).toEqual(['m1']))
    })

    it('shows why a change was not saved and keeps the old value', async () => {
      installFakeApi({
        getDesktopSettings: vi.fn(async () => ({ ...saved })),
        setDesktopSettings: vi.fn(async () => {
          throw new ApiError('too_many_start_models', 'At most 16 models start with the app; choose fewer')
        }),
      })
      const { q } = mountPage()
      await vi.waitFor(() => expect(q('desktop-close_to_tray')).not.toBeNull())
      q<HTMLInputElement>('desktop-close_to_tray')!.click()
      await vi.waitFor(() => expect(q('desktop-settings-error')?.textContent).toContain('At most 16 models'))
      await nextTick()
      expect(q<HTMLInputElement>('desktop-close_to_tray')!.checked).toBe(true)
    })

    it('says when the settings cannot be read, with a retry', async () => {
      const api = installFakeApi({
        getDesktopSettings: vi.fn(async () => {
          throw new ApiError('preferences_write_failed', 'disk')
        }),
      })
      const { q } = mountPage()
      await vi.waitFor(() => expect(q('desktop-settings-load-error')).not.toBeNull())
      api.getDesktopSettings.mockResolvedValueOnce({ ...saved })
      q('desktop-settings-load-error')!.querySelector('button')!.click()
      await vi.waitFor(() => expect(q('desktop-close_to_tray')).not.toBeNull())
    })
  })
})
