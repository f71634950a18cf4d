import type { ErrorBody } from '../generated/ErrorBody'

export const NETWORK_ERROR = 'network_error'

/** The one error type every API call rejects with. `code` is stable and safe to match on. */
export class ApiError extends Error {
  readonly code: string
  /** HTTP status when the error came from an HTTP response. */
  readonly status?: number

  constructor(code: string, message: string, status?: number) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.status = status
  }

  static fromBody(body: ErrorBody, status?: number): ApiError {
    return new ApiError(body.code, body.message, status)
  }

  toBody(): ErrorBody {
    return { code: this.code, message: this.message }
  }
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
    return new ApiError('internal', err)
  }
  if (err instanceof Error) return new ApiError('internal', err.message)
  return new ApiError('internal', 'An unexpected error occurred.')
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
  return new ApiError(`http_${res.status}`, `The llmops server answered ${res.status}${statusText}.`, res.status)
}
