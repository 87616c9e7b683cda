// Query-string schema of GET /v1/cdrs and its keyset cursor on (started_at_ms, id), newest first.
import { z } from 'zod'
import { terminationReason } from '../termination/reasons.js'
import { entityId, isoTime } from './fields.js'

/** Position after the last CDR of a page: the next page holds rows strictly older in (startedAtMs, id) order. */
export interface CdrCursor {
  startedAtMs: number
  id: string
}

/** Encodes a keyset position as an opaque `nextCursor` string. */
export function encodeCdrCursor(c: CdrCursor): string {
  return `${c.startedAtMs}_${c.id}`
}

/** Decodes a `cursor` query value, or returns null when it is malformed. */
export function decodeCdrCursor(cursor: string): CdrCursor | null {
  const m = /^(\d{1,15})_(.+)$/.exec(cursor)
  if (m === null || m[1] === undefined || m[2] === undefined) return null
  const id = entityId.safeParse(m[2])
  return id.success ? { startedAtMs: Number(m[1]), id: id.data } : null
}

const numberPrefixQuery = z.string().regex(/^[0-9*#+]{1,32}$/, 'digits, *, # and + only')

/** GET /v1/cdrs query: all filters optional and combined with AND; `caller`/`callee` match a prefix. */
export const cdrQuery = z
  .object({
    from: isoTime.optional().describe('started at or after (inclusive)'),
    to: isoTime.optional().describe('started before (exclusive)'),
    caller: numberPrefixQuery.optional().describe('caller prefix'),
    callee: numberPrefixQuery.optional().describe('callee prefix'),
    accountId: entityId.optional(),
    mappingGatewayId: entityId.optional(),
    routingGatewayId: entityId.optional(),
    reason: terminationReason.optional(),
    sipCode: z.coerce.number().int().min(100).max(699).optional(),
    minDurationSec: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100).describe('page size, 1..1000'),
    cursor: z
      .string()
      .max(300)
      .refine((c) => decodeCdrCursor(c) !== null, 'malformed cursor')
      .optional()
      .describe('nextCursor of the previous page'),
  })
  .refine((q) => q.from === undefined || q.to === undefined || Date.parse(q.from) < Date.parse(q.to), {
    message: 'from must be before to',
    path: ['to'],
  })

/** Inferred type of the CDR query. */
export type CdrQuery = z.infer<typeof cdrQuery>

/** Exclusive upper bound for a prefix range scan (`col >= prefix AND col < upper`), which uses the index unlike LIKE. */
export function prefixUpperBound(prefix: string): string {
  return `${prefix}\u{10FFFF}`
}
