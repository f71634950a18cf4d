import type { Download } from '../../generated/Download'
import type { DownloadState } from '../../generated/DownloadState'
import type { HubSource } from '../../generated/HubSource'

/** Every state, in the order a download goes through them. */
export const DOWNLOAD_STATES: readonly DownloadState[] = ['queued', 'downloading', 'retrying', 'paused', 'completed', 'failed', 'cancelled']

/** Still moving (or waiting its turn): it counts in the Downloads tab's number. */
export function isActiveDownload(state: DownloadState): boolean {
  return state === 'queued' || state === 'downloading' || state === 'retrying'
}

/** What a download's row offers, by its state. */
export interface DownloadActions {
  pause: boolean
  resume: boolean
  cancel: boolean
  remove: boolean
}

export function downloadActions(state: DownloadState): DownloadActions {
  return {
    pause: state === 'queued' || state === 'downloading' || state === 'retrying',
    resume: state === 'paused' || state === 'failed' || state === 'cancelled',
    cancel: state !== 'completed' && state !== 'cancelled',
    remove: state === 'completed' || state === 'failed' || state === 'cancelled',
  }
}

/** Newest first, as the server lists them (ties by id, so the order is stable). */
function newestFirst(a: Download, b: Download): number {
  return b.created_at - a.created_at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** The list with `d` in it: its row replaced (same id), or added where its age puts it. */
export function upsertDownload(list: readonly Download[], d: Download): Download[] {
  const at = list.findIndex((x) => x.id === d.id)
  if (at >= 0) {
    const next = [...list]
    next[at] = d
    return next
  }
  return [...list, d].sort(newestFirst)
}

/**
 * The server's list, with the updates that arrived while it was being fetched applied over it
 * (they are newer than its answer), and without the downloads it no longer has (removed elsewhere)
 * unless such an update brought them.
 */
export function mergeDownloads(listed: readonly Download[], arrived: readonly Download[]): Download[] {
  let out = [...listed].sort(newestFirst)
  for (const d of arrived) out = upsertDownload(out, d)
  return out
}

/** The download of these files of a repository on a hub, newest first, if there is one. */
export function downloadOf(list: readonly Download[], source: HubSource, repo: string, firstFile: string): Download | null {
  return list.find((d) => d.source === source && d.repo === repo && d.files.some((f) => f.path === firstFile)) ?? null
}

/** The first GGUF file of a download (what llama-server is given), or its first file. */
export function mainFile(d: Pick<Download, 'files'>): string {
  return (d.files.find((f) => f.path.toLowerCase().endsWith('.gguf') && !/(^|\/)mmproj/i.test(f.path)) ?? d.files[0])?.path ?? ''
}
