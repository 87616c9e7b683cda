// Covers docs/api.md, GET /v1/status/gateways: the record a core publishes and the list item derived from it.
import { describe, expect, it } from 'vitest'
import { gatewayStatus, gatewayStatusCreate, gatewayStatusFromRow, gatewayStatusToRow, routingGatewayStatusFromRow } from './gateway-status.js'

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
