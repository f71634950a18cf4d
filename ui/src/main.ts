// Must stay the first import: it repairs navigator.language before uPlot reads it.
import './localeGuard'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { restoreLocale } from './composables/useI18n'
import { installPageTitle } from './pageTitle'
import { router } from './router'
import { installAppWiring } from './startup'
import 'uplot/dist/uPlot.min.css'
import './styles.css'

const pinia = createPinia()
createApp(App).use(pinia).use(router).mount('#app')
installAppWiring(pinia)
installPageTitle(router)
void restoreLocale()
