// Covers the CDR facts of a call : gateways routing skipped as offline become CDR notes; billing rounds started seconds up but never past the duration cap.
import { describe, expect, it } from 'vitest'
import { billedSec, offlineNotes } from './call-record.js'

describe('offlineNotes', () => {
  it('notes each gateway skipped as offline and ignores the other skip reasons', () => {
    expect(offlineNotes([
      { routingGatewayId: 'rg1', reason: 'offline', matchedPrefix: '' },
      { routingGatewayId: 'rg2', reason: 'locked', matchedPrefix: '' },
    ])).toEqual(['routing skipped rg1: offline (OPTIONS check)'])
  })
})

describe('billedSec', () => {
  it('bills every started second, and a call ended by a cap timer a few ms late exactly the cap', () => {
    expect(billedSec(1000, 62_001)).toBe(62)
    expect(billedSec(1000, 61_000)).toBe(60)
    expect(billedSec(1000, 61_004, 60)).toBe(60)
    expect(billedSec(1000, 31_004, 60)).toBe(31)
    expect(billedSec(null, 61_004, 60)).toBe(0)
  })
})
