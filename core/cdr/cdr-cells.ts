// The bound cells of a CDR's `cdrs` row in the table's column order, written out by hand for the CDR writer's insert.
import type { InValue } from '@libsql/client'
import type { CdrRecord } from './record.js'

const orNull = <T>(v: T | null | undefined): T | null => (v === undefined ? null : v)
const json = (v: unknown): string | null => (v === undefined || v === null ? null : JSON.stringify(v))

/**
 * Appends the cells of `r`'s row to `out`, as drizzle's mapping of `cdrToRow(r)` gives them (JSON columns as text,
 * booleans as 0/1, `source_transport` 'udp' when absent, null for what is absent), without a row object or a column
 * walk per cell: ~0.5 µs a record against 3.3 (docs/capacity.md, "CDRs"). `cdr-cells.test.ts` pins it to drizzle's.
 */
export function pushCdrCells(out: InValue[], r: CdrRecord): void {
  out.push(
    orNull(r.id), orNull(r.callId), orNull(r.startedAtMs), orNull(r.answeredAtMs), orNull(r.endedAtMs), orNull(r.durationSec),
    orNull(r.pddMs), orNull(r.caller), orNull(r.callee), orNull(r.calleeOut), orNull(r.accountId), orNull(r.mappingGatewayId),
    orNull(r.routingGatewayId), orNull(r.terminationReason), orNull(r.sipCode), orNull(r.endedBy), json(r.attempts), orNull(r.cost),
    orNull(r.vendorCost), orNull(r.sourceIp), orNull(r.sourcePort), r.sourceTransport ?? 'udp', orNull(r.nodeId),
    r.warningPlayed === undefined || r.warningPlayed === null ? null : r.warningPlayed ? 1 : 0,
    orNull(r.rtpPacketsFromCaller), orNull(r.rtpBytesFromCaller), orNull(r.rtpPacketsFromCallee), orNull(r.rtpBytesFromCallee),
    json(r.notes),
  )
}

/** The cells of `records`' rows, one row after another. */
export function cdrCells(records: readonly CdrRecord[], from = 0, to = records.length): InValue[] {
  const out: InValue[] = []
  for (let i = from; i < to; i++) pushCdrCells(out, records[i]!)
  return out
}
