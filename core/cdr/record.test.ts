// Covers the CDR record helpers: time-ordered ids, PDD, and SystemShutdown records.
import { describe, expect, it } from 'vitest'
import { cdrCreate } from '../../shared/entities/cdr.js'
import { newCdrId, postDialDelayMs, systemShutdownRecord } from './record.js'
import { sampleCall } from './test-support/records.js'

describe('newCdrId', () => {
  it('is a 26-char Crockford ULID that sorts by start time', () => {
    const a = newCdrId(1_700_000_000_000)
    const b = newCdrId(1_700_000_000_001)
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/)
    expect(a < b).toBe(true)
    expect(newCdrId(0, new Uint8Array(10))).toBe('0'.repeat(26))
    expect(newCdrId(1_700_000_000_000)).not.toBe(newCdrId(1_700_000_000_000))
  })
})

describe('postDialDelayMs', () => {
  it('measures INVITE to first progress and is null without one', () => {
    expect(postDialDelayMs(1000, 3500)).toBe(2500)
    expect(postDialDelayMs(1000, null)).toBeNull()
  })
})

describe('systemShutdownRecord', () => {
  it('ends an answered call at the last known time and bills it', () => {
    const call = sampleCall({ startedAtMs: 10_000 })
    const r = systemShutdownRecord(call, { answeredAtMs: 12_000, routingGatewayId: 'rg1', calleeOut: '3315550000', pddMs: 800 }, 42_500)
    expect(r).toMatchObject({ id: call.id, terminationReason: 'SystemShutdown', endedBy: 'switch', endedAtMs: 42_500, durationSec: 31, sipCode: 200 })
    expect(cdrCreate.safeParse(r).success).toBe(true)
  })

  it('prices a rated call at the tariff journaled with its answer, never past its cap (a crash gives no free talk time)', () => {
    const rate = (price: number) => ({ prefix: '', pricePerMinute: price, firstIncrementSec: 1, nextIncrementSec: 1, effectiveFromMs: 0 })
    const answer = { answeredAtMs: 12_000, routingGatewayId: 'rg1', calleeOut: '3315550000', pddMs: 800, tariff: { customer: rate(0.6), vendor: rate(0.3), precision: 4 }, capSec: 20 }
    const r = systemShutdownRecord(sampleCall({ startedAtMs: 10_000 }), answer, 42_500)
    expect(r).toMatchObject({ durationSec: 20, cost: 0.2, vendorCost: 0.1 })
    expect(cdrCreate.safeParse(r).success).toBe(true)
    const unrated = systemShutdownRecord(sampleCall({ startedAtMs: 10_000 }), { ...answer, tariff: null, capSec: 0 }, 42_500)
    expect(unrated).toMatchObject({ durationSec: 31, cost: null, vendorCost: null })
  })

  it('never ends before the call started, and leaves an unanswered call unbilled', () => {
    const r = systemShutdownRecord(sampleCall({ startedAtMs: 10_000 }), null, 5_000)
    expect(r).toMatchObject({ endedAtMs: 10_000, durationSec: 0, sipCode: null, answeredAtMs: null })
    expect(cdrCreate.safeParse(r).success).toBe(true)
  })
})
