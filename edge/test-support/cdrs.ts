// CDR rows for tests: a valid answered call by default, overridable per field, inserted straight into the cdrs table.
import { cdrs } from '../../shared/db/schema.js'
import type { CdrRow } from '../../shared/entities/cdr.js'
import type { CdrAttemptRow } from '../../shared/entities/fields.js'
import type { Queryable } from '../env.js'

/** 2024-01-03T00:00:00Z, a Wednesday: the day most test CDR sets live in. */
export const DAY0 = Date.UTC(2024, 0, 3)
/** One hour in ms. */
export const HOUR = 3_600_000

let seq = 0

/** A failed or answered attempt on one routing gateway. */
export function attempt(routingGatewayId: string, sipCode: number | null, reason: CdrAttemptRow['reason'], startedAtMs = DAY0): CdrAttemptRow {
  return { routingGatewayId, sipCode, reason, startedAtMs, endedAtMs: startedAtMs + 1000 }
}

/** An answered 60 s call through rgw_a unless overridden; ids sort by creation order. */
export function cdrRow(over: Partial<CdrRow> = {}): CdrRow {
  seq += 1
  const startedAtMs = over.startedAtMs ?? DAY0 + seq * 1000
  const answered = over.terminationReason === undefined || ['CallerHangup', 'CalleeHangup'].includes(over.terminationReason)
  const routingGatewayId = over.routingGatewayId === undefined ? 'rgw_a' : over.routingGatewayId
  return {
    id: `cdr_${String(seq).padStart(8, '0')}`,
    callId: `call-${seq}@test`,
    startedAtMs,
    answeredAtMs: answered ? startedAtMs + 2000 : null,
    endedAtMs: startedAtMs + (answered ? 62_000 : 3000),
    durationSec: answered ? 60 : 0,
    pddMs: 1500,
    caller: '4921198765',
    callee: '0033155501',
    calleeOut: '0033155501',
    accountId: 'acc_a',
    mappingGatewayId: 'mgw_a',
    routingGatewayId,
    terminationReason: 'CallerHangup',
    sipCode: answered ? 200 : 503,
    endedBy: 'caller',
    attempts: routingGatewayId === null ? [] : [attempt(routingGatewayId, answered ? 200 : 503, over.terminationReason ?? 'CallerHangup', startedAtMs)],
    cost: null,
    vendorCost: null,
    sourceIp: '192.0.2.10',
    sourcePort: 5060,
    sourceTransport: 'udp',
    nodeId: 'node-1',
    warningPlayed: false,
    rtpPacketsFromCaller: null,
    rtpBytesFromCaller: null,
    rtpPacketsFromCallee: null,
    rtpBytesFromCallee: null,
    notes: [],
    ...over,
  }
}

/** Inserts rows in chunks (SQLite caps bound parameters per statement). */
export async function insertCdrs(db: Queryable, rows: readonly CdrRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) await db.insert(cdrs).values(rows.slice(i, i + 200))
}
