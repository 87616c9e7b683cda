// Covers the termination reasons routing ends with (docs/architecture.md "Routing"): NoAvailableRouter, AllGatewayBusy, AccountBalanceNotEnough, NoProfitableRoute and their precedence.
import { describe, expect, it } from 'vitest'
import { TERMINATION_REASONS } from '../termination/reasons.js'
import { rejectReasonFor, ROUTE_SKIP_REASONS, type RouteSkipReason } from './skip-reasons.js'

const of = (...reasons: RouteSkipReason[]) => rejectReasonFor(reasons.map((reason) => ({ reason })))

describe('rejectReasonFor', () => {
  it('is NoAvailableRouter when nothing matched', () => {
    expect(of()).toBe('NoAvailableRouter')
  })

  it.each(ROUTE_SKIP_REASONS.filter((r) => !['lineLimit', 'groupLineLimit', 'clearingBalanceLow', 'priceAboveCustomer'].includes(r)))(
    'is NoAvailableRouter when every match was skipped for %s',
    (reason) => expect(of(reason, reason)).toBe('NoAvailableRouter'),
  )

  it('is AllGatewayBusy as soon as one otherwise-usable gateway was at a gateway or group line limit', () => {
    expect(of('locked', 'lineLimit')).toBe('AllGatewayBusy')
    expect(of('clearingBalanceLow', 'groupLineLimit', 'offline')).toBe('AllGatewayBusy')
  })

  it('is AccountBalanceNotEnough when the clearing balance was the only obstacle left', () => {
    expect(of('clearingBalanceLow')).toBe('AccountBalanceNotEnough')
    expect(of('locked', 'clearingBalanceLow', 'outsideCalendar')).toBe('AccountBalanceNotEnough')
  })

  it('is NoProfitableRoute when a gateway skipped by the margin guard was otherwise usable, ahead of a low clearing balance', () => {
    expect(of('priceAboveCustomer')).toBe('NoProfitableRoute')
    expect(of('clearingBalanceLow', 'priceAboveCustomer', 'offline')).toBe('NoProfitableRoute')
    expect(of('priceAboveCustomer', 'lineLimit')).toBe('AllGatewayBusy')
  })

  it('only returns reasons of the termination catalogue', () => {
    for (const r of [of(), of('lineLimit'), of('clearingBalanceLow'), of('priceAboveCustomer')]) expect(TERMINATION_REASONS).toContain(r)
  })
})
