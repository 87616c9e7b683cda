// The edge's single error exit: ApiError and the onError/notFound handlers that build every error body.
import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { z } from 'zod'
import { API_ERROR_STATUS, type ApiErrorCode } from '../shared/api/error-codes.js'
import type { AppEnv } from './env.js'

export { apiErrorBody as errorBody } from '../shared/api/error-codes.js'

/** One validation issue as returned to clients (zod's issue shape: code, path, message). */
export interface ApiIssue {
  code: string
  path: PropertyKey[]
  message: string
}

/** An expected API failure with a code from the shared table; keeps its cause. */
export class ApiError extends Error {
  readonly code: ApiErrorCode
  readonly issues: readonly ApiIssue[] | undefined

  constructor(code: ApiErrorCode, message: string, options: { cause?: unknown; issues?: readonly ApiIssue[] } = {}) {
    super(message, { cause: options.cause })
    this.name = 'ApiError'
    this.code = code
    this.issues = options.issues
  }
}

/** A 400 whose issues point at body fields, for checks zod cannot make (references, merged PATCH state). */
export function badRequest(message: string, issues: readonly { path: string; message: string }[]): ApiError {
  return new ApiError('BAD_REQUEST', message, {
    issues: issues.map((i) => ({
      code: 'custom',
      path: i.path.split('.').map((part) => (/^\d+$/.test(part) ? Number(part) : part)),
      message: i.message,
    })),
  })
}

/** Builds the JSON error response; the only place error bodies are made. */
function errorResponse(c: Context<AppEnv>, code: ApiErrorCode, message: string, issues?: readonly unknown[], status?: number): Response {
  const requestId = c.get('requestId') ?? 'unknown'
  const error = { code, message, ...(issues === undefined ? {} : { issues }), requestId }
  return c.json({ error }, (status ?? API_ERROR_STATUS[code]) as ContentfulStatusCode)
}

/** The code for a status raised by Hono itself (e.g. 400 malformed input, 413 body too large). */
function codeForStatus(status: number): ApiErrorCode {
  const match = (Object.entries(API_ERROR_STATUS) as [ApiErrorCode, number][]).find(([, s]) => s === status)
  if (match !== undefined) return match[0]
  return status >= 500 ? 'INTERNAL' : 'BAD_REQUEST'
}

/** app.onError: ApiError → its status, ZodError → 400 with issues, anything else → 500 with requestId, no stack. */
export function toErrorResponse(err: Error, c: Context<AppEnv>): Response {
  if (err instanceof ApiError) return errorResponse(c, err.code, err.message, err.issues)
  if (err instanceof z.ZodError) return errorResponse(c, 'BAD_REQUEST', 'request validation failed', err.issues)
  if (err instanceof HTTPException) return errorResponse(c, codeForStatus(err.status), err.message, undefined, err.status)
  c.var.log.error('unhandled error', { method: c.req.method, path: c.req.path, err })
  return errorResponse(c, 'INTERNAL', 'internal error')
}

/** app.notFound: unknown route → 404 in the common error shape. */
export function notFoundResponse(c: Context<AppEnv>): Response {
  return errorResponse(c, 'NOT_FOUND', `no route for ${c.req.method} ${c.req.path}`)
}
