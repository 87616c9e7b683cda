// RFC 4180 CSV of CDRs, formatted by SQLite and streamed page by page over the keyset so an export of any size holds one page in memory.
import { sql, type SQL } from 'drizzle-orm'
import { cdrs } from '../../shared/db/schema.js'
import type { CdrCursor } from '../../shared/entities/cdr-query.js'
import type { Queryable } from '../env.js'
import { fetchCdrPageOf, type CdrFilters, type CdrPlan } from './query.js'

/** Header row: the CDR fields of the JSON shape (docs/api.md "Queries") in order; `attempts` and `notes` cells hold the same JSON as the API. */
export const CDR_CSV_COLUMNS = [
  'id', 'callId', 'startedAt', 'answeredAt', 'endedAt', 'durationSec', 'pddMs', 'caller', 'callee', 'calleeOut',
  'accountId', 'mappingGatewayId', 'routingGatewayId', 'terminationReason', 'sipCode', 'endedBy', 'attempts', 'cost',
  'vendorCost', 'sourceIp', 'sourcePort', 'sourceTransport', 'nodeId', 'warningPlayed', 'rtpPacketsFromCaller', 'rtpBytesFromCaller', 'rtpPacketsFromCallee',
  'rtpBytesFromCallee', 'notes',
] as const

/** Rows per query while exporting: big enough to amortise a round trip to a remote libSQL, small enough to stream. */
export const CSV_PAGE_ROWS = 5_000

/** RFC 4180 text field, always quoted with inner quotes doubled: one reference to `x`, so SQLite evaluates it once; NULL → empty. */
function field(x: SQL): SQL {
  return sql`coalesce('"' || replace(${x}, '"', '""') || '"', '')`
}

/**
 * Deviation (OWASP CSV injection): text from the network that a spreadsheet would run as a formula (starting with =, @,
 * tab, CR, or +/- not followed by a plain number) gets a leading `'`; phone numbers such as +4930... are left as they are.
 */
function defused(x: SQL): SQL {
  return sql`case when ${x} glob '[=@' || char(9, 13) || ']*'
      or (${x} glob '[+-]*' and (length(${x}) = 1 or substr(${x}, 2) glob '*[^0-9*#.]*'))
    then '''' || ${x} else ${x} end`
}

/** Epoch ms → ISO-8601 with milliseconds and Z; SQLite rounds `unixepoch` reals to the nearest millisecond, so this is exact. */
function iso(ms: SQL): SQL {
  return sql`strftime('%Y-%m-%dT%H:%M:%fZ', ${ms} / 1000.0, 'unixepoch')`
}

/** A money column as JS prints it (5, not 5.0); NULL → empty. */
function moneyCell(x: SQL): SQL {
  return sql`case when ${x} is null then '' when ${x} = cast(${x} as integer) then cast(cast(${x} as integer) as text) else cast(${x} as text) end`
}

/** The attempts JSON in the API shape: each stored object with its epoch-ms times replaced by ISO `startedAt`/`endedAt`. */
const attemptsJson = sql`case when ${cdrs.attempts} = '[]' then '[]' else (select json_group_array(json_set(
  json_remove(a.value, '$.startedAtMs', '$.endedAtMs'),
  '$.startedAt', ${iso(sql.raw(`a.value ->> 'startedAtMs'`))}, '$.endedAt', ${iso(sql.raw(`a.value ->> 'endedAtMs'`))}))
  from json_each(${cdrs.attempts}) as a) end`

/** One CDR as a CRLF-terminated CSV record, computed by SQLite (cheaper than materialising 23 columns per row in JS). */
export const cdrCsvLine: SQL<string> = sql<string>`${sql.join(
  [
    field(sql`${cdrs.id}`), field(defused(sql`${cdrs.callId}`)), iso(sql`${cdrs.startedAtMs}`),
    sql`coalesce(${iso(sql`${cdrs.answeredAtMs}`)}, '')`, iso(sql`${cdrs.endedAtMs}`), sql`${cdrs.durationSec}`,
    sql`coalesce(${cdrs.pddMs}, '')`, field(defused(sql`${cdrs.caller}`)), field(defused(sql`${cdrs.callee}`)),
    field(defused(sql`${cdrs.calleeOut}`)), field(sql`${cdrs.accountId}`), field(sql`${cdrs.mappingGatewayId}`),
    field(sql`${cdrs.routingGatewayId}`), sql`${cdrs.terminationReason}`, sql`coalesce(${cdrs.sipCode}, '')`, sql`${cdrs.endedBy}`,
    field(attemptsJson),
    moneyCell(sql`${cdrs.cost}`), moneyCell(sql`${cdrs.vendorCost}`),
    field(sql`${cdrs.sourceIp}`), sql`${cdrs.sourcePort}`, sql`${cdrs.sourceTransport}`, field(sql`${cdrs.nodeId}`),
    sql`case when ${cdrs.warningPlayed} then 'true' else 'false' end`,
    sql`coalesce(${cdrs.rtpPacketsFromCaller}, '')`, sql`coalesce(${cdrs.rtpBytesFromCaller}, '')`,
    sql`coalesce(${cdrs.rtpPacketsFromCallee}, '')`, sql`coalesce(${cdrs.rtpBytesFromCallee}, '')`, field(sql`${cdrs.notes}`),
  ],
  sql` || ',' || `,
)} || char(13, 10)`

/** A byte stream of the header and every matching CDR newest first; each pull reads one page of `pageRows`. */
export function cdrCsvStream(
  db: Queryable,
  filters: CdrFilters,
  options: { plan: CdrPlan; cursor: CdrCursor | null; pageRows?: number },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  const limit = options.pageRows ?? CSV_PAGE_ROWS
  let cursor = options.cursor
  let headerSent = false
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true
        controller.enqueue(encoder.encode(`${CDR_CSV_COLUMNS.join(',')}\r\n`))
        return
      }
      const page = await fetchCdrPageOf(db, filters, { limit, cursor, plan: options.plan }, cdrCsvLine)
      if (page.rows.length > 0) controller.enqueue(encoder.encode(page.rows.map((r) => r.value).join('')))
      if (page.next === null) controller.close()
      cursor = page.next
    },
  })
}
