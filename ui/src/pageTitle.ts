import { watchEffect } from 'vue'
import type { RouteRecordName, Router } from 'vue-router'
import { t } from './composables/useI18n'
import type { MessageKey } from './i18n/en'

/** The i18n key naming each page, by route name. */
const PAGE_KEYS: Record<string, MessageKey> = {
  dashboard: 'nav.dashboard',
  model: 'title.model',
  chat: 'nav.chat',
  hub: 'nav.hub',
  engines: 'nav.engines',
  deploy: 'nav.deploy',
  requests: 'nav.requests',
  benchmarks: 'nav.benchmarks',
  runs: 'nav.runs',
  sweeps: 'nav.sweeps',
  history: 'nav.history',
  alerts: 'nav.alerts',
  access: 'nav.access',
  settings: 'settings.title',
}

/** The page's own name ("Chat") in the current language, or null for an unknown page. */
export function pageName(name: RouteRecordName | null | undefined): string | null {
  const key = typeof name === 'string' ? PAGE_KEYS[name] : undefined
  return key ? t(key) : null
}

/** "Chat · LLM Local Ops Center" in the current language; just the app's name for an unknown page. */
export function pageTitle(name: RouteRecordName | null | undefined): string {
  const key = typeof name === 'string' ? PAGE_KEYS[name] : undefined
  return key ? `${t(key)} · ${t('app.title')}` : t('app.title')
}

/** Keeps `document.title` on the current page and language, on every navigation and language change. */
export function installPageTitle(router: Router): () => void {
  return watchEffect(() => {
    document.title = pageTitle(router.currentRoute.value.name)
  })
}
