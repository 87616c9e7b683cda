// Covers docs/api.md, GET /v1/status/gateways: the record a core publishes and the list item derived from it.
import { describe, expect, it } from 'vitest'
import { gatewayStatus, gatewayStatusCreate, gatewayStatusFromRow, gatewayStatusToRow, sumGatewayStatus, routingGatewayStatusFromRow } from './gateway-status.js'

const published = {
  kind: 'routing', gatewayId: 'r1', online: true, lastCheckAtMs: 0, rttMs: 12, lossRatio: 0, lastCode: 200,
  currentCalls: 3, callsPerSec: 0.5, nodeId: 'core-1', updatedAtMs: 1000,
}

describe('gateway status', () => {
  it('accepts a published record and rejects a loss ratio above 1', () => {
    expect(gatewayStatusCreate.parse(published)).toEqual(published)
    expect(gatewayStatusCreate.safeParse({ ...published, lossRatio: 1.5 }).success).toBe(false)
  })

  it('maps a row to the public shape and to the routing status item', () => {
    const row = gatewayStatusToRow(gatewayStatusCreate.parse(published))
    expect(gatewayStatus.parse(gatewayStatusFromRow(row))).toMatchObject({ gatewayId: 'r1', lastCheckAt: '1970-01-01T00:00:00.000Z' })
    expect(routingGatewayStatusFromRow(row)).toEqual({
      routingGatewayId: 'r1', online: true, lastCheckAt: '1970-01-01T00:00:00.000Z', rttMs: 12, currentCalls: 3,
      callsPerSec: published.callsPerSec, lossRatio: 0, lastCode: 200, updatedAt: '1970-01-01T00:00:01.000Z', registration: null,
    })
  })
})

describe('sumGatewayStatus', () => {
  const base = { kind: 'routing' as const, gatewayId: 'r1', online: false, lastCheckAtMs: 1_000, rttMs: 40, lossRatio: 0.5, lastCode: 503, currentCalls: 2, callsPerSec: 1, nodeId: 'a', updatedAtMs: 5_000 }

  it('sums calls over nodes, is online when any node reaches the gateway, and takes the freshest check and publish', () => {
    const rows = [base, { ...base, nodeId: 'b', online: true, lastCheckAtMs: 2_000, rttMs: 10, lossRatio: 0, lastCode: 200, currentCalls: 3, callsPerSec: 0.5, updatedAtMs: 6_000 }]
    expect(sumGatewayStatus(rows)).toEqual([{ ...base, online: true, lastCheckAtMs: 2_000, rttMs: 10, lossRatio: 0, lastCode: 200, currentCalls: 5, callsPerSec: 1.5, nodeId: 'b', updatedAtMs: 6_000 }])
    expect(rows[0]).toBe(base)
    expect(base.currentCalls).toBe(2)
  })

  it('keeps kinds and gateways apart and leaves out stale nodes', () => {
    const rows = [base, { ...base, kind: 'mapping' as const }, { ...base, gatewayId: 'r2' }, { ...base, nodeId: 'dead', currentCalls: 50 }]
    expect(sumGatewayStatus(rows, new Set(['dead'])).map((r) => [r.kind, r.gatewayId, r.currentCalls])).toEqual([['routing', 'r1', 2], ['mapping', 'r1', 2], ['routing', 'r2', 2]])
  })
})
