import { createRouter, createWebHashHistory } from 'vue-router'
import DashboardPage from './pages/DashboardPage.vue'

// Hash history: deep links work both from the llmops HTTP server and inside Tauri.
export const router = createRouter({
  history: createWebHashHistory(),
  routes: [
    // The first page: it stays in the main chunk, so the first paint waits for no other file.
    { path: '/', name: 'dashboard', component: DashboardPage },
    // A model's page (controls, settings form, gateway section, promotions): loaded on first visit.
    { path: '/models/:id', name: 'model', component: () => import('./pages/ModelDetailPage.vue'), props: true },
    // The chat (with its Markdown and highlighting libraries) loads on first visit, not with the dashboard.
    { path: '/chat/:id?', name: 'chat', component: () => import('./pages/ChatPage.vue'), props: true },
    // The model hub (find on Hugging Face, downloads, models on this computer): loaded on first visit.
    { path: '/hub', name: 'hub', component: () => import('./pages/HubPage.vue') },
    // The engine runtimes (llama.cpp builds to download, the default, pins): loaded on first visit.
    { path: '/engines', name: 'engines', component: () => import('./pages/EnginesPage.vue') },
    // The Deploy form loads on first visit too.
    { path: '/deploy', name: 'deploy', component: () => import('./pages/DeployPage.vue') },
    // Requests through the OpenAI-compatible gateway (/v1): loaded on first visit.
    { path: '/requests', name: 'requests', component: () => import('./pages/RequestsPage.vue') },
    // Load and hardware benchmarks, one opened as `/benchmarks/<id>`: loaded on first visit.
    { path: '/benchmarks/:id?', name: 'benchmarks', component: () => import('./pages/BenchmarksPage.vue'), props: true },
    // Runs (every instance lifetime), one opened as `/runs/<id>`, `?model=<id>` for one model's: loaded on first visit.
    { path: '/runs/:id?', name: 'runs', component: () => import('./pages/RunsPage.vue'), props: true },
    // Sweeps over a model's settings, one opened as `/sweeps/<id>`: loaded on first visit.
    { path: '/sweeps/:id?', name: 'sweeps', component: () => import('./pages/SweepsPage.vue'), props: true },
    // History's charts (uPlot, the only chart library) load on first visit: the dashboard draws none.
    { path: '/history', name: 'history', component: () => import('./pages/HistoryPage.vue') },
    // Alerts (the list and the rules form): loaded on first visit; the header's badge and the toasts stay eager.
    { path: '/alerts', name: 'alerts', component: () => import('./pages/AlertsPage.vue') },
    // Keys, login link and secrets: rarely visited, so loaded on first visit.
    { path: '/access', name: 'access', component: () => import('./pages/AccessPage.vue') },
    // The desktop app's own settings (close to tray, start at login, …): loaded on first visit.
    { path: '/settings', name: 'settings', component: () => import('./pages/SettingsPage.vue') },
    { path: '/:pathMatch(.*)*', redirect: '/' },
  ],
})
