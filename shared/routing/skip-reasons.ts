// Why a routing gateway was not a candidate, and which terminal reason a decision with no candidate ends with.
import { z } from 'zod'
import type { TerminationReason } from '../termination/reasons.js'

/** Machine-readable skip reasons, in the order route.ts checks them (a gateway reports the first that applies). */
export const ROUTE_SKIP_REASONS = [
  'noPrefixMatch',
  'shorterPrefixExpiration',
  'locked',
  'mappingGatewayNotAllowed',
  'mappingGatewayForbidden',
  'offline',
  'unregistered',
  'groupUnknown',
  'outsideCalendar',
  'clearingAccountUnknown',
  'clearingAccountLocked',
  'clearingBalanceLow',
  'dialPlanRejected',
  'unpriced',
  'priceAboveCustomer',
  'lineLimit',
  'groupLineLimit',
] as const

/** One skip reason. */
export type RouteSkipReason = (typeof ROUTE_SKIP_REASONS)[number]

/** Zod enum over the skip reasons (for the routing-analysis response schema). */
export const routeSkipReason = z.enum(ROUTE_SKIP_REASONS).describe('why the routing gateway was skipped')

/** Terminal reasons a routing decision can end with (subset of the termination catalogue). */
export type RouteRejectReason = Extract<TerminationReason, 'NoAvailableRouter' | 'AllGatewayBusy' | 'AccountBalanceNotEnough' | 'NoProfitableRoute'>

/** The terminal reasons of a routing decision, for response schemas. */
export const ROUTE_REJECT_REASONS = ['NoAvailableRouter', 'AllGatewayBusy', 'AccountBalanceNotEnough', 'NoProfitableRoute'] as const satisfies readonly RouteRejectReason[]

const BUSY: ReadonlySet<RouteSkipReason> = new Set(['lineLimit', 'groupLineLimit'])

/**
 * Terminal reason when no candidate is left. The later a check runs, the closer the gateway came to being usable:
 * line limits run last, so any gateway skipped for a limit → AllGatewayBusy (capacity frees up in seconds); else any
 * gateway skipped by the margin guard → NoProfitableRoute; else any whose obstacle was the clearing balance →
 * AccountBalanceNotEnough; else (nothing matched, or every match was locked, offline, unregistered, forbidden, outside its
 * calendar, a shorter expiration prefix, refused by its dial plan, unpriced or badly configured) → NoAvailableRouter.
 */
export function rejectReasonFor(skips: readonly { reason: RouteSkipReason }[]): RouteRejectReason {
  let balance = false
  let price = false
  for (const s of skips) {
    if (BUSY.has(s.reason)) return 'AllGatewayBusy'
    if (s.reason === 'priceAboveCustomer') price = true
    else if (s.reason === 'clearingBalanceLow') balance = true
  }
  return price ? 'NoProfitableRoute' : balance ? 'AccountBalanceNotEnough' : 'NoAvailableRouter'
}
