// Covers the CDR facts of a call: gateways routing skipped as offline become CDR notes (billed seconds: shared/billing/billed-duration.test.ts).
import { describe, expect, it } from 'vitest'
import { offlineNotes } from './cdr-facts.js'

describe('offlineNotes', () => {
  it('notes each gateway skipped as offline and ignores the other skip reasons', () => {
    expect(offlineNotes([
      { routingGatewayId: 'rg1', reason: 'offline', matchedPrefix: '' },
      { routingGatewayId: 'rg2', reason: 'locked', matchedPrefix: '' },
    ])).toEqual(['routing skipped rg1: offline (OPTIONS check)'])
  })
})
