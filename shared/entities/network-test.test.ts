// Covers the network test contract between edge and core (through the network_tests table): request defaults and bounds, row to public shape.
import { describe, expect, it } from 'vitest'
import { networkTest, networkTestFromRow, networkTestRequest, type NetworkTestRow } from './network-test.js'

const row: NetworkTestRow = {
  id: 'nt1', routingGatewayId: 'rg1', host: '127.0.0.1', port: 5070, count: 3, intervalMs: 200, status: 'done', nodeId: 'core-1',
  requestedAtMs: 0, startedAtMs: 10, completedAtMs: 1000, sent: 3, received: 2, lossRatio: 1 / 3, rttMinMs: 1, rttAvgMs: 2, rttMaxMs: 4,
  lastCode: 200, error: null,
}

describe('network test', () => {
  it('defaults an empty request to 5 probes 200 ms apart and refuses more than 20', () => {
    expect(networkTestRequest.parse({})).toEqual({ count: 5, intervalMs: 200, waitMs: 15_000 })
    expect(networkTestRequest.safeParse({ count: 21 }).success).toBe(false)
  })

  it('maps a finished row to { sent, received, lossRatio, rttMs: { min, avg, max } }', () => {
    const t = networkTest.parse(networkTestFromRow(row))
    expect(t).toMatchObject({ sent: 3, received: 2, rttMs: { min: 1, avg: 2, max: 4 }, completedAt: '1970-01-01T00:00:01.000Z' })
    expect(networkTestFromRow({ ...row, rttMinMs: null, rttAvgMs: null, rttMaxMs: null }).rttMs).toBeNull()
  })
})
