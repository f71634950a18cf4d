/**
 * The repository's Rust sources, for tests that hold the UI in lockstep with the core (error
 * codes, limits). Tests only: it reads files with `node:fs`.
 */

/** The few `node:fs` calls used here (the UI's TypeScript setup has no Node types). */
interface Fs {
  readFileSync(path: string, encoding: 'utf8'): string
  readdirSync(path: string, options: { withFileTypes: true }): { name: string; isDirectory(): boolean }[]
}
const fs = (await import(/* @vite-ignore */ 'node:fs' as string)) as Fs
const ROOT = new URL('../../', import.meta.url).pathname

/** A file's text, by its path from the repository root. */
export function readRepoFile(path: string): string {
  return fs.readFileSync(ROOT + path, 'utf8')
}

/** Every `.rs` file below `dir` (from the repository root), with its text. */
export function rustSources(dir: string): { path: string; text: string }[] {
  return fs.readdirSync(ROOT + dir, { withFileTypes: true }).flatMap((e) => {
    const path = `${dir}/${e.name}`
    if (e.isDirectory()) return rustSources(path)
    return e.name.endsWith('.rs') ? [{ path, text: readRepoFile(path) }] : []
  })
}
