import type { RequestOutcome } from '../../generated/RequestOutcome'
import type { RequestRecord } from '../../generated/RequestRecord'

/** The most request rows the page holds: live ones push the oldest out; "Load older" stops here. */
export const REQUEST_CAP = 500
/** Rows asked for per page (the first load and each "Load older"). */
export const REQUEST_PAGE = 100

/** What the list shows: one model (by id), one outcome and/or one run's requests (its instance id); absent = all. */
export interface RequestFilter {
  modelId?: string
  outcome?: RequestOutcome
  instanceId?: string
}

/** Whether a record belongs in the list under `filter` (as the server's own query would answer). */
export function matchesFilter(record: RequestRecord, filter: RequestFilter): boolean {
  if (filter.modelId && record.model_id !== filter.modelId) return false
  if (filter.outcome && record.outcome !== filter.outcome) return false
  if (filter.instanceId && record.instance_id !== filter.instanceId) return false
  return true
}

/** Newest first; the same time keeps the id order, so a list sorts the same way every time. */
function newestFirst(a: RequestRecord, b: RequestRecord): number {
  if (a.received_at !== b.received_at) return b.received_at - a.received_at
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0
}

/**
 * Whether `incoming` should replace `held` (the same request): a finished record always wins over
 * an in-progress one, never the other way round (an event that arrives late must not bring a
 * finished row back to "in progress").
 */
export function supersedes(incoming: RequestRecord, held: RequestRecord): boolean {
  return !(incoming.outcome === 'in_progress' && held.outcome !== 'in_progress')
}

/**
 * The list with `record` put in place: it replaces the row of the same id (when newer), or is
 * inserted by time; a record the filter leaves out takes its row out (a request that finished
 * with another outcome than the one shown). At most `cap` rows are kept, the newest.
 */
export function mergeRequest(list: RequestRecord[], record: RequestRecord, filter: RequestFilter, cap = REQUEST_CAP): RequestRecord[] {
  const held = list.find((r) => r.id === record.id)
  if (held && !supersedes(record, held)) return list
  const others = list.filter((r) => r.id !== record.id)
  if (!matchesFilter(record, filter)) return held ? others : list
  // Bodies are only in the stored record, not in events: keep those already fetched.
  const merged = held ? { ...record, request_body: record.request_body ?? held.request_body, response_body: record.response_body ?? held.response_body } : record
  return [...others, merged].sort(newestFirst).slice(0, cap)
}

/** Several records merged at once (a page from the server), in the order given. */
export function mergeRequests(list: RequestRecord[], records: RequestRecord[], filter: RequestFilter, cap = REQUEST_CAP): RequestRecord[] {
  return records.reduce((acc, r) => mergeRequest(acc, r, filter, cap), list)
}

/**
 * The `before` of the next older page: just after the oldest row's time, so that rows of the same
 * millisecond the last page cut off come again (they are merged by id), or null for an empty list.
 */
export function olderCursor(list: RequestRecord[]): number | null {
  if (!list.length) return null
  return Math.min(...list.map((r) => r.received_at)) + 1
}
