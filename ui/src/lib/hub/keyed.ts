import type { ApiError } from '../../api/errors'

/** A copy of `record` without `key`. */
export function omit<T>(record: Readonly<Record<string, T>>, key: string): Record<string, T> {
  const copy = { ...record }
  delete copy[key]
  return copy
}

/** One request's state, kept per key (a fit check per file): running, its answer, or why it failed. */
export interface Keyed<T> {
  loading: boolean
  value: T | null
  error: ApiError | null
}
