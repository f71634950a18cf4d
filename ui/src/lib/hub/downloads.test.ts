import { describe, expect, it } from 'vitest'
import type { DownloadState } from '../../generated/DownloadState'
import { DOWNLOAD_STATES, downloadActions, downloadOf, isActiveDownload, mainFile, mergeDownloads, upsertDownload } from './downloads'
import { download } from './hub.fixtures'

describe('download actions', () => {
  it('offers what each state allows', () => {
    const offered = (state: DownloadState) => Object.entries(downloadActions(state)).filter(([, on]) => on).map(([name]) => name)
    expect(Object.fromEntries(DOWNLOAD_STATES.map((s) => [s, offered(s)]))).toEqual({
      queued: ['pause', 'cancel'],
      downloading: ['pause', 'cancel'],
      retrying: ['pause', 'cancel'],
      paused: ['resume', 'cancel'],
      completed: ['remove'],
      failed: ['resume', 'cancel', 'remove'],
      cancelled: ['resume', 'remove'],
    })
    expect(DOWNLOAD_STATES.filter(isActiveDownload)).toEqual(['queued', 'downloading', 'retrying'])
  })
})

describe('the download list', () => {
  const a = download({ id: 'a', created_at: 100 })
  const b = download({ id: 'b', created_at: 200 })

  it('replaces a row by id and adds a new one where its age puts it (newest first)', () => {
    let list = upsertDownload([], a)
    list = upsertDownload(list, b)
    expect(list.map((d) => d.id)).toEqual(['b', 'a'])
    list = upsertDownload(list, { ...a, done_bytes: 99, state: 'paused' })
    expect(list.map((d) => [d.id, d.state, d.done_bytes])).toEqual([['b', 'downloading', b.done_bytes], ['a', 'paused', 99]])
    const older = download({ id: 'c', created_at: 50 })
    expect(upsertDownload(list, older).map((d) => d.id)).toEqual(['b', 'a', 'c'])
  })

  it('applies the updates that came during a fetch over its answer', () => {
    const listed = [a, b]
    const merged = mergeDownloads(listed, [{ ...a, state: 'completed', done_bytes: a.total_bytes }, download({ id: 'n', created_at: 300 })])
    expect(merged.map((d) => [d.id, d.state])).toEqual([['n', 'downloading'], ['b', 'downloading'], ['a', 'completed']])
  })

  it('finds the download of a quant, and the file to run', () => {
    const split = download({
      id: 's',
      files: [
        { path: 'mmproj-f16.gguf', size: 1, sha256: 'x', done_bytes: 0, complete: false },
        { path: 'Q8_0/m-00001-of-00002.gguf', size: 1, sha256: 'y', done_bytes: 0, complete: false },
        { path: 'Q8_0/m-00002-of-00002.gguf', size: 1, sha256: 'z', done_bytes: 0, complete: false },
      ],
    })
    expect(downloadOf([a, split], 'hugging_face', split.repo, 'Q8_0/m-00001-of-00002.gguf')?.id).toBe('s')
    expect(downloadOf([a, split], 'hugging_face', 'other/repo', 'Q8_0/m-00001-of-00002.gguf')).toBeNull()
    // The same name on the other hub is another repository.
    expect(downloadOf([a, split], 'model_scope', split.repo, 'Q8_0/m-00001-of-00002.gguf')).toBeNull()
    const fromMs = download({ id: 'm', source: 'model_scope', created_at: 50 })
    expect(downloadOf([a, fromMs], 'model_scope', a.repo, mainFile(a))?.id).toBe('m')
    expect(downloadOf([fromMs, a], 'hugging_face', a.repo, mainFile(a))?.id).toBe('a')
    expect(mainFile(split)).toBe('Q8_0/m-00001-of-00002.gguf')
    expect(mainFile(a)).toBe('smollm2-135m-instruct-q4_1.gguf')
  })
})
