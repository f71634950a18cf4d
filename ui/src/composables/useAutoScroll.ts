import { nextTick, ref, type Ref } from 'vue'

/**
 * Keeps a scroll container pinned to the bottom while content grows, unless the user has
 * scrolled up; scrolling back near the bottom re-pins it.
 */
export function useAutoScroll(container: Ref<HTMLElement | null>, threshold = 48) {
  const pinned = ref(true)

  const onScroll = () => {
    const el = container.value
    if (!el) return
    pinned.value = el.scrollHeight - el.scrollTop - el.clientHeight <= threshold
  }

  const scrollToBottom = async (force = false) => {
    if (force) pinned.value = true
    if (!pinned.value) return
    await nextTick()
    const el = container.value
    if (el) el.scrollTop = el.scrollHeight
  }

  return { pinned, onScroll, scrollToBottom }
}
