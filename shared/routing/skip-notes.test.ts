// Covers the CDR notes of routing skips: offline gateways, every gateway skipped for price by the margin guard (with both prices), unpriced gateways, and long lists packed into bounded notes.
import { describe, expect, it } from 'vitest'
import { cdrCreate } from '../entities/cdr.js'
import type { RouteRejection } from './route.js'
import { parseGatewaySkipNote, skipNotes } from './skip-notes.js'

const priced = (id: string, vendorPrice: number): RouteRejection =>
  ({ routingGatewayId: id, reason: 'priceAboveCustomer', matchedPrefix: '33', vendorPrice, customerPrice: 0.02 })

describe('skipNotes', () => {
  it('notes each gateway skipped as offline and ignores the other skip reasons', () => {
    expect(skipNotes([
      { routingGatewayId: 'rg1', reason: 'offline', matchedPrefix: '' },
      { routingGatewayId: 'rg2', reason: 'locked', matchedPrefix: '' },
    ])).toEqual(['routing skipped rg1: offline (OPTIONS check)'])
  })

  it('names each gateway skipped at its line limit, its group\'s, or for a low clearing balance, with its matched prefix, readable back', () => {
    const notes = skipNotes([
      { routingGatewayId: 'rgw_full', reason: 'lineLimit', matchedPrefix: '4930' },
      { routingGatewayId: 'rgw_grp', reason: 'groupLineLimit', matchedPrefix: '' },
      { routingGatewayId: 'rgw_poor', reason: 'clearingBalanceLow', matchedPrefix: '49"' },
    ])
    expect(notes).toEqual([
      'routing skipped rgw_full: line limit (prefix "4930")',
      'routing skipped rgw_grp: group line limit (prefix "")',
      'routing skipped rgw_poor: clearing balance low (prefix "49\\"")',
    ])
    expect(notes.map(parseGatewaySkipNote)).toEqual([
      { routingGatewayId: 'rgw_full', skip: 'lineLimit', matchedPrefix: '4930' },
      { routingGatewayId: 'rgw_grp', skip: 'groupLineLimit', matchedPrefix: '' },
      { routingGatewayId: 'rgw_poor', skip: 'clearingBalanceLow', matchedPrefix: '49"' },
    ])
    expect(parseGatewaySkipNote('routing skipped rg1: offline (OPTIONS check)')).toBeNull()
    expect(skipNotes(Array.from({ length: 30 }, (_, i) => ({ routingGatewayId: `g${i}`, reason: 'lineLimit', matchedPrefix: '1' })))).toHaveLength(10)
  })

  it('names every gateway skipped by the margin guard with its price and the customer price', () => {
    expect(skipNotes([priced('rgw_a', 0.03), { routingGatewayId: 'rgw_u', reason: 'unpriced', matchedPrefix: '' }, priced('rgw_b', 0.025)])).toEqual([
      "routing skipped for price above the customer's 0.02/min (margin guard): rgw_a 0.03 rgw_b 0.025",
      'routing skipped without a vendor price: rgw_u',
    ])
  })

  it('packs hundreds of price skips into notes the CDR schema accepts, naming every one that fits in 10 notes', () => {
    const many = Array.from({ length: 500 }, (_, i) => priced(`rgw_vendor_${i}`, 0.5))
    const notes = skipNotes(many)
    expect(notes.length).toBeLessThanOrEqual(10)
    for (const n of notes) expect(n.length).toBeLessThanOrEqual(500)
    const named = notes.join(' ').match(/rgw_vendor_\d+/g)!.length
    expect(notes.at(-1)).toMatch(new RegExp(`and ${500 - named} more$`))
    const few = skipNotes(many.slice(0, 60))
    expect(few.join(' ').match(/rgw_vendor_\d+/g)).toHaveLength(60)
    expect(cdrCreate.shape.notes.safeParse(notes).success).toBe(true)
  })
})
