import { onBeforeUnmount, onMounted } from 'vue'

/**
 * Calls `handler` when Escape is pressed anywhere in the window while the component is mounted,
 * unless something nearer (a menu, a field) already handled it; the key is then marked handled.
 */
export function useEscapeKey(handler: () => void): void {
  function onKey(e: KeyboardEvent) {
    if (e.key === 'Escape' && !e.defaultPrevented) {
      e.preventDefault()
      handler()
    }
  }
  onMounted(() => window.addEventListener('keydown', onKey))
  onBeforeUnmount(() => window.removeEventListener('keydown', onKey))
}
