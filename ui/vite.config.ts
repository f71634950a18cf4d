import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import type { Plugin } from 'vite'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))

/** In public/sw.js, where the build's hash goes into the cache name. */
const BUILD_ID = '__BUILD_ID__'

/**
 * Stamps the service worker (public/sw.js) with a hash of everything else the build wrote, so a
 * new build names a new cache and the browser drops the old one with its outdated files, while
 * an identical rebuild leaves the worker byte for byte the same (no needless update).
 */
function stampServiceWorker(): Plugin {
  return {
    name: 'llmops:stamp-service-worker',
    apply: 'build',
    writeBundle({ dir }) {
      if (!dir) return
      const worker = join(dir, 'sw.js')
      const hash = createHash('sha256')
      const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()
      for (const file of files) {
        const path = join(dir, file)
        if (path === worker || !statSync(path).isFile()) continue
        hash.update(file).update(readFileSync(path))
      }
      const source = readFileSync(worker, 'utf8')
      if (!source.includes(BUILD_ID)) throw new Error(`${worker} has no ${BUILD_ID} to stamp`)
      writeFileSync(worker, source.replace(BUILD_ID, hash.digest('hex').slice(0, 16)))
    },
  }
}

export default defineConfig({
  root,
  // Relative asset URLs work both when served by llmops over HTTP and inside Tauri.
  base: './',
  plugins: [vue(), stampServiceWorker()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    proxy: {
      '/api': { target: 'http://127.0.0.1:8765', ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: ['es2021', 'chrome105', 'safari15'],
  },
  test: {
    root,
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // Tests may read the stylesheet (`styles.css?raw`); other CSS stays out of them.
    css: { include: [/\/src\/styles\.css/] },
  },
})
