import type { ErrorBody } from '../generated/ErrorBody'

export const NETWORK_ERROR = 'network_error'

/** The values an error's message names (a path, a port, a name), by name. */
export type ErrorParams = Record<string, string>

/**
 * The codes this UI makes itself (the server's are in the Rust sources), with the parameters
 * each carries. `http_status` stands for every `http_<status>` code. Each has a translation
 * (`errors.<code>`); the lockstep test holds them to these parameters.
 */
export const UI_ERROR_PARAMS = {
  network_error: [],
  stream_lost: [],
  stream_incomplete: [],
  invalid_response: [],
  http_status: ['status'],
  internal: ['detail'],
  unexpected: [],
  desktop_only: ['operation'],
  browser_only: ['operation'],
  log_stream_lost: [],
  file_unreadable: ['name'],
} as const satisfies Record<string, readonly string[]>

/** The one error type every API call rejects with. `code` is stable and safe to match on. */
export class ApiError extends Error {
  readonly code: string
  /** HTTP status when the error came from an HTTP response. */
  readonly status?: number
  /** The values the message names, for a translated text (`errors.<code>`). */
  readonly params?: ErrorParams

  constructor(code: string, message: string, status?: number, params?: ErrorParams) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
    this.params = params
  }

  static fromBody(body: ErrorBody, status?: number): ApiError {
    return new ApiError(body.code, body.message, status, definedParams(body.params))
  }

  toBody(): ErrorBody {
    return this.params ? { code: this.code, message: this.message, params: { ...this.params } } : { code: this.code, message: this.message }
  }
}

/** An `ErrorBody`'s params without absent entries (undefined when there are none). */
function definedParams(params: ErrorBody['params']): ErrorParams | undefined {
  if (!params || typeof params !== 'object') return undefined
  const out: ErrorParams = {}
  for (const [name, value] of Object.entries(params)) if (typeof value === 'string') out[name] = value
  return Object.keys(out).length ? out : undefined
}

export function networkError(): ApiError {
  return new ApiError(
    NETWORK_ERROR,
    'The llmops server is unreachable. Check that it is running (npm run serve), then try again.',
  )
}

export function isErrorBody(value: unknown): value is ErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as ErrorBody).code === 'string' &&
    typeof (value as ErrorBody).message === 'string'
  )
}

/** Turns anything thrown into an `ApiError` (used for Tauri rejections and unexpected throws). */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  if (isErrorBody(err)) return ApiError.fromBody(err)
  if (typeof err === 'string') {
    try {
      const parsed: unknown = JSON.parse(err)
      if (isErrorBody(parsed)) return ApiError.fromBody(parsed)
    } catch {
      // not JSON: use the string as the message
    }
    return new ApiError('internal', err, undefined, { detail: err })
  }
  if (err instanceof Error) return new ApiError('internal', err.message, undefined, { detail: err.message })
  return new ApiError('unexpected', 'An unexpected error occurred.')
}

/** Maps a non-2xx HTTP response to an `ApiError`, using its JSON `ErrorBody` when it has one. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  let text = ''
  try {
    text = await res.text()
  } catch {
    // body unreadable: fall through to the generic message
  }
  try {
    const body: unknown = JSON.parse(text)
    if (isErrorBody(body)) return ApiError.fromBody(body, res.status)
  } catch {
    // not JSON
  }
  const statusText = res.statusText ? ` ${res.statusText}` : ''
  return new ApiError(`http_${res.status}`, `The llmops server answered ${res.status}${statusText}.`, res.status, {
    status: `${res.status}${statusText}`,
  })
}
