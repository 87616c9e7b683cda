// Covers the CDR shape of docs/api.md: the record the core writes, its validation and the public JSON with ISO times.
import { describe, expect, it } from 'vitest'
import { cdr, cdrCreate, cdrFromRow, cdrToRow } from './cdr.js'

/** A valid answered call as the core would hand it to the sink. */
const answeredCall = {
  id: 'c1', callId: 'abc@192.0.2.1', startedAtMs: 1_700_000_000_000, answeredAtMs: 1_700_000_002_000,
  endedAtMs: 1_700_000_062_000, durationSec: 60, pddMs: 800, caller: '1001', callee: '0033155', calleeOut: '33155',
  accountId: 'a1', mappingGatewayId: 'm1', routingGatewayId: 'r2', terminationReason: 'CallerHangup', sipCode: 200,
  endedBy: 'caller', cost: 0.12, sourceIp: '192.0.2.1', sourcePort: 5060, nodeId: 'core-1',
  attempts: [
    { routingGatewayId: 'r1', sipCode: 503, reason: 'GatewayRejected', startedAtMs: 1_700_000_000_000, endedAtMs: 1_700_000_000_500 },
    { routingGatewayId: 'r2', sipCode: 200, reason: 'CallerHangup', startedAtMs: 1_700_000_000_500, endedAtMs: 1_700_000_062_000 },
  ],
}

describe('cdrCreate', () => {
  it('accepts an answered call and defaults warningPlayed and notes', () => {
    expect(cdrCreate.parse(answeredCall)).toMatchObject({ warningPlayed: false, notes: [] })
  })

  it('stores vendorCost as given, and as null when a record written before billing omits it', () => {
    expect(cdrToRow(cdrCreate.parse({ ...answeredCall, vendorCost: 0.07 })).vendorCost).toBe(0.07)
    expect(cdrToRow(cdrCreate.parse(answeredCall)).vendorCost).toBeNull()
    expect(cdrCreate.safeParse({ ...answeredCall, vendorCost: '0.07' }).success).toBe(false)
  })

  it('accepts an unauthenticated, unanswered call with nulls', () => {
    const rejected = {
      ...answeredCall, answeredAtMs: null, durationSec: 0, pddMs: null, calleeOut: null, accountId: null,
      mappingGatewayId: null, routingGatewayId: null, terminationReason: 'AuthenticationFailed', sipCode: 403,
      endedBy: 'switch', attempts: [], cost: null,
    }
    expect(cdrCreate.safeParse(rejected).success).toBe(true)
  })

  it.each([
    [{ terminationReason: 'Unknown' }, 'terminationReason'],
    [{ endedBy: 'nobody' }, 'endedBy'],
    [{ endedAtMs: 1 }, 'endedAtMs'],
    [{ sipCode: 99 }, 'sipCode'],
    [{ durationSec: -1 }, 'durationSec'],
    [{ sourceIp: 'host.example' }, 'sourceIp'],
  ])('rejects %j at %s', (extra, path) => {
    const r = cdrCreate.safeParse({ ...answeredCall, ...extra })
    expect(r.error?.issues.map((i) => i.path.join('.'))).toContain(path)
  })
})

describe('cdrFromRow', () => {
  it('renders times and attempt times as ISO strings in the documented shape', () => {
    const json = cdrFromRow(cdrToRow(cdrCreate.parse(answeredCall)))
    expect(cdr.parse(json)).toEqual(json)
    expect(json.startedAt).toBe('2023-11-14T22:13:20.000Z')
    expect(json.attempts[0]).toEqual({
      routingGatewayId: 'r1', sipCode: 503, reason: 'GatewayRejected',
      startedAt: '2023-11-14T22:13:20.000Z', endedAt: '2023-11-14T22:13:20.500Z',
    })
    expect(json).not.toHaveProperty('startedAtMs')
  })
})
