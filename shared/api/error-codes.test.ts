// Covers docs/api.md "Errors": the error-code set, each code's HTTP status and the error body shape.
import { describe, expect, it } from 'vitest'
import { API_ERROR_CODES, API_ERROR_STATUS, apiErrorBody } from './error-codes.js'

describe('API error codes', () => {
  it('maps every code to its HTTP status', () => {
    expect(API_ERROR_STATUS).toEqual({
      BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, PAYLOAD_TOO_LARGE: 413, UNSUPPORTED_MEDIA_TYPE: 415, INTERNAL: 500,
    })
    expect(Object.keys(API_ERROR_STATUS).sort()).toEqual([...API_ERROR_CODES].sort())
  })

  it('accepts a validation error body with issues and a requestId', () => {
    const body = { error: { code: 'BAD_REQUEST', message: 'invalid body', issues: [{ path: ['ips'] }], requestId: 'r1' } }
    expect(apiErrorBody.parse(body)).toEqual(body)
  })

  it('rejects a body without requestId or with an unknown code', () => {
    expect(apiErrorBody.safeParse({ error: { code: 'NOT_FOUND', message: 'x' } }).success).toBe(false)
    expect(apiErrorBody.safeParse({ error: { code: 'TEAPOT', message: 'x', requestId: 'r' } }).success).toBe(false)
  })
})
