/** The Models page's tabs: find on the hub, the downloads, the models on this computer, a running Ollama. */
export const HUB_TABS = ['find', 'downloads', 'local', 'ollama'] as const
export type HubTab = (typeof HUB_TABS)[number]

/** The tab a `?tab=` value names; Find for anything else. */
export function hubTab(value: unknown): HubTab {
  const first = Array.isArray(value) ? value[0] : value
  return (HUB_TABS as readonly unknown[]).includes(first) ? (first as HubTab) : 'find'
}
