// Covers the hand-written cells of a CDR row: the same values, in the same column order, as drizzle's mapping of the row.
import { getTableColumns } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { valuesRows } from '../../shared/db/node/json-rows.js'
import { cdrs } from '../../shared/db/schema.js'
import { cdrToRow } from '../../shared/entities/cdr.js'
import { cdrCells, pushCdrCells } from './cdr-cells.js'
import { systemShutdownRecord, type CdrRecord } from './record.js'
import { realisticCdr, sampleCall, sampleCdr, seededRandom } from './test-support/records.js'

const drizzle = valuesRows(cdrs, '')

function records(): CdrRecord[] {
  const random = seededRandom(5)
  const full = sampleCdr({
    vendorCost: 0.05, sourceTransport: 'tls', warningPlayed: true, notes: ['warning played', 'ünïcode'],
    rtpPacketsFromCaller: 3000, rtpBytesFromCaller: 516_000, rtpPacketsFromCallee: 0, rtpBytesFromCallee: 0,
    attempts: [
      { routingGatewayId: 'rg1', sipCode: 503, reason: 'GatewayRejected', startedAtMs: 1, endedAtMs: 2, matchedPrefix: '33', pddMs: null, transport: 'udp' },
      { routingGatewayId: 'rg2', sipCode: null, reason: 'GatewayTimeout', startedAtMs: 2, endedAtMs: 3 },
    ],
  })
  const sparse = sampleCdr({ answeredAtMs: null, pddMs: null, calleeOut: null, accountId: null, mappingGatewayId: null, routingGatewayId: null, sipCode: null, cost: null })
  delete (sparse as Partial<CdrRecord>).sourceTransport
  delete (sparse as Partial<CdrRecord>).vendorCost
  return [
    full,
    sparse,
    systemShutdownRecord(sampleCall(), null, 1_700_000_005_000),
    ...Array.from({ length: 20 }, (_, i) => realisticCdr(random, 1_760_000_000_000 + i * 20)),
  ]
}

describe('pushCdrCells', () => {
  it('gives every column of the row in table order, as drizzle maps it', () => {
    for (const r of records()) {
      const ours: unknown[] = []
      pushCdrCells(ours as never, r)
      expect(ours).toEqual(drizzle.cells([cdrToRow(r) as Record<string, unknown>]))
      expect(ours).toHaveLength(Object.keys(getTableColumns(cdrs)).length)
    }
  })

  it('gives the same cells for a record read back from its journal line (absent fields)', () => {
    for (const r of records()) {
      const read = JSON.parse(JSON.stringify(r)) as CdrRecord
      expect(cdrCells([read])).toEqual(drizzle.cells([cdrToRow(read) as Record<string, unknown>]))
    }
  })

  it('gives the cells of a slice of records one row after another', () => {
    const rs = records()
    expect(cdrCells(rs, 1, 3)).toEqual(drizzle.cells(rs.slice(1, 3).map((r) => cdrToRow(r) as Record<string, unknown>)))
  })
})
