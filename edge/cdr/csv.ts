// RFC 4180 CSV of CDRs, streamed page by page over the keyset so an export of any size holds one page in memory.
import type { CdrRow } from '../../shared/entities/cdr.js'
import type { CdrCursor } from '../../shared/entities/cdr-query.js'
import type { Queryable } from '../env.js'
import { fetchCdrPage, type CdrFilters, type CdrPlan } from './query.js'

/** Header row: the API.md CDR fields in order; `attempts` and `notes` cells hold JSON. */
export const CDR_CSV_COLUMNS = [
  'id', 'callId', 'startedAt', 'answeredAt', 'endedAt', 'durationSec', 'pddMs', 'caller', 'callee', 'calleeOut',
  'accountId', 'mappingGatewayId', 'routingGatewayId', 'terminationReason', 'sipCode', 'endedBy', 'attempts', 'cost',
  'sourceIp', 'sourcePort', 'nodeId', 'warningPlayed', 'notes',
] as const

/** Rows per query while exporting: big enough to amortise a round trip to a remote libSQL, small enough to stream. */
export const CSV_PAGE_ROWS = 5_000

const NEEDS_QUOTES = /[",\r\n]/
const FORMULA_START = /^[=+\-@\t\r]/
const PLAIN_NUMBER = /^[+-]?[0-9*#.]+$/

/**
 * One RFC 4180 field: quoted when it holds a comma, quote or line break, with quotes doubled. Deviation: a text that a
 * spreadsheet would run as a formula (=, @, or +/- not followed by a plain number) gets a leading `'`, because caller
 * numbers and notes come from the network (OWASP CSV injection); phone numbers like +4930... are left as they are.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return ''
  let text = String(value)
  if (typeof value === 'string' && FORMULA_START.test(text) && !PLAIN_NUMBER.test(text)) text = `'${text}`
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

/** One CDR as a CSV record, CRLF-terminated. */
export function cdrCsvLine(r: CdrRow): string {
  const attempts = r.attempts.map((a) => ({
    routingGatewayId: a.routingGatewayId, sipCode: a.sipCode, reason: a.reason, startedAt: iso(a.startedAtMs), endedAt: iso(a.endedAtMs),
  }))
  const fields = [
    r.id, r.callId, iso(r.startedAtMs), iso(r.answeredAtMs), iso(r.endedAtMs), r.durationSec, r.pddMs, r.caller, r.callee, r.calleeOut,
    r.accountId, r.mappingGatewayId, r.routingGatewayId, r.terminationReason, r.sipCode, r.endedBy, JSON.stringify(attempts), r.cost,
    r.sourceIp, r.sourcePort, r.nodeId, r.warningPlayed, JSON.stringify(r.notes),
  ]
  return `${fields.map(csvField).join(',')}\r\n`
}

/** A byte stream of the header and every matching CDR newest first; each pull reads one page of `pageRows`. */
export function cdrCsvStream(
  db: Queryable,
  filters: CdrFilters,
  options: { plan: CdrPlan; cursor: CdrCursor | null; pageRows?: number },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const pageRows = options.pageRows ?? CSV_PAGE_ROWS
  let cursor = options.cursor
  let headerSent = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true
        controller.enqueue(encoder.encode(`${CDR_CSV_COLUMNS.join(',')}\r\n`))
        return
      }
      const page = await fetchCdrPage(db, filters, { limit: pageRows, cursor, plan: options.plan })
      if (page.rows.length > 0) controller.enqueue(encoder.encode(page.rows.map(cdrCsvLine).join('')))
      if (page.next === null) controller.close()
      cursor = page.next
    },
  })
}
