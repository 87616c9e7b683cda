// API error codes, their HTTP statuses and the error body schema (docs/api.md "Errors").
import { z } from 'zod'

/** Every error code the API returns. */
export const API_ERROR_CODES = ['BAD_REQUEST', 'UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE', 'INTERNAL'] as const

/** Union of API error codes. */
export type ApiErrorCode = (typeof API_ERROR_CODES)[number]

/** Zod enum over API error codes. */
export const apiErrorCode = z.enum(API_ERROR_CODES)

/** HTTP status of each error code. */
export const API_ERROR_STATUS = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
} as const satisfies Record<ApiErrorCode, number>

/** Error response body: `{ error: { code, message, issues?, requestId } }`. */
export const apiErrorBody = z.object({
  error: z.object({
    code: apiErrorCode,
    message: z.string(),
    issues: z.array(z.unknown()).optional().describe('zod issues of a validation failure'),
    requestId: z.string(),
  }),
})

/** Inferred error body type. */
export type ApiErrorBody = z.infer<typeof apiErrorBody>
