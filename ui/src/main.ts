// Must stay the first import: it repairs navigator.language before uPlot reads it.
import './localeGuard'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { restoreLocale } from './composables/useI18n'
import { restoreTheme } from './composables/useTheme'
import { registerServiceWorker } from './lib/pwa'
import { installLastPage } from './lastPage'
import { installPageTitle } from './pageTitle'
import { router } from './router'
import { installRouteErrors } from './routeErrors'
import { installAppWiring } from './startup'
import './styles.css'

const pinia = createPinia()
createApp(App).use(pinia).use(router).mount('#app')
installAppWiring(pinia)
installPageTitle(router)
installRouteErrors(router)
void restoreLocale()
void restoreTheme()
void installLastPage(router)
// After load: pre-caching the shell must not compete with the first paint.
window.addEventListener('load', () => void registerServiceWorker(), { once: true })
