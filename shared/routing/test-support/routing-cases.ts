// Named routing cases (inputs and expected outcome) shared by the routing tests, the core and the edge's routing analysis, so both answer alike; money and quality cases live in money-routing-cases.ts.
import type { CalendarWindow } from '../../entities/fields.js'
import { DEFAULT_CALLER_ID, type DialRule } from '../../entities/number-rules.js'
import { SYSTEM_PARAMS } from '../../params/system-params.js'
import type { CallFacts, RouteCandidate, RouteOptions, RoutingLive } from '../route.js'
import {
  ROUTING_PARAM_NAMES, type ClearingAccountConfig, type GatewayGroupConfig, type RoutingGatewayConfig, type RoutingParams,
  type RoutingSnapshot,
} from '../routing-table.js'
import type { RouteRejectReason, RouteSkipReason } from '../skip-reasons.js'

/** Live state as plain JSON records (groupMappingCalls: groupId → mappingGatewayId → calls). */
export interface RoutingLiveRecords {
  readonly online?: Readonly<Record<string, boolean>>
  readonly gatewayCalls?: Readonly<Record<string, number>>
  readonly groupCalls?: Readonly<Record<string, number>>
  readonly groupMappingCalls?: Readonly<Record<string, Readonly<Record<string, number>>>>
  readonly clearingBalances?: Readonly<Record<string, number>>
}

/** A vendor or customer rate of a case (60/60 increments, always in effect). */
export interface CaseRate {
  readonly rateTableId: string
  readonly prefix: string
  readonly pricePerMinute: number
}

/** Attempts of one (gateway, route prefix) in the quality window: that many answered and failed calls. */
export interface CaseQuality {
  readonly routingGatewayId: string
  readonly prefix: string
  readonly answered: number
  readonly failed: number
  readonly pddMs?: number
  readonly talkSec?: number
}

/** One case: the mapping gateway's ingress plans, its customer price, then `decideRoute` (test-support/run-routing-case.ts runs it). */
export interface RoutingCase {
  readonly name: string
  /** Without prices: `rates` become the snapshot's price book. */
  readonly snapshot: Omit<RoutingSnapshot, 'prices'>
  /** Numbers as received from the mapping gateway. */
  readonly facts: CallFacts
  readonly live?: RoutingLiveRecords
  readonly options?: RouteOptions
  /** Vendor (by clearing account rate table) and customer rates. */
  readonly rates?: readonly CaseRate[]
  /** The customer account's rate table; its price for the routed callee is the margin guard's limit. */
  readonly customerRateTableId?: string
  /** The mapping gateway the call comes from (facts.mappingGatewayId). */
  readonly mapping?: { readonly calleeRules?: readonly DialRule[]; readonly callerRules?: readonly DialRule[]; readonly allowLossRoutes?: boolean }
  /** Quality window contents, fed as finished calls ending before facts.nowMs. */
  readonly quality?: readonly CaseQuality[]
  readonly expect: { readonly candidates: readonly string[] } | { readonly reject: RouteRejectReason | 'DialPlanRejected' }
  /** Every rejected gateway and its reason (exactly these). */
  readonly rejected?: Readonly<Record<string, RouteSkipReason>>
  /** Fields the first candidate must have. */
  readonly first?: Partial<RouteCandidate>
}

const asMap = <V>(r: Readonly<Record<string, V>> | undefined): Map<string, V> | undefined =>
  r === undefined ? undefined : new Map(Object.entries(r))

/** Converts JSON live records to the Maps decideRoute reads. */
export function routingLiveFromRecords(r: RoutingLiveRecords = {}): RoutingLive {
  const nested = r.groupMappingCalls
  return {
    online: asMap(r.online),
    gatewayCalls: asMap(r.gatewayCalls),
    groupCalls: asMap(r.groupCalls),
    groupMappingCalls: nested === undefined ? undefined : new Map(Object.entries(nested).map(([g, m]) => [g, new Map(Object.entries(m))])),
    clearingBalances: asMap(r.clearingBalances),
  }
}

/** A routing gateway with the API create defaults (extension mode, priority 0, no limits, no rewrite or rules). */
export function routingGatewayFixture(id: string, over: Partial<RoutingGatewayConfig> = {}): RoutingGatewayConfig {
  return {
    id, host: `${id}.vendor.example`, port: 5060, prefixes: [], prefixMode: 'extension', priority: 0, lineLimit: 0,
    lockType: 'none', protectRoute: false, optionsCheck: false, mappingGatewayRule: null, groupId: null,
    clearingAccountId: null, calleeRewrite: { strip: 0, add: '' }, callerRewrite: { strip: 0, add: '' },
    calleeRules: [], callerRules: [], callerId: DEFAULT_CALLER_ID, allowLossRoutes: false, ...over,
  }
}

/** The routing parameters at their catalogue defaults, with overrides. */
export function routingParams(over: Partial<RoutingParams> = {}): RoutingParams {
  const defaults = Object.fromEntries(ROUTING_PARAM_NAMES.map((n) => [n, SYSTEM_PARAMS[n].default])) as RoutingParams
  return { ...defaults, ...over }
}

/** A gateway group with no limit, no reservations and an always-open calendar unless overridden. */
export function gatewayGroupFixture(id: string, over: Partial<GatewayGroupConfig> = {}): GatewayGroupConfig {
  return { id, lineLimit: 0, reservedLines: [], calendar: [], ...over }
}

/** A normal clearing account with the given balance (and the rate table that prices its gateways). */
export function clearingAccountFixture(
  id: string, balance: number, status: 'normal' | 'locked' = 'normal', rateTableId: string | null = null,
): ClearingAccountConfig {
  return { id, status, balance, rateTableId }
}

const gw = routingGatewayFixture
/** When the cases happen: Wednesday 2024-01-03 12:00 UTC. */
export const CASE_NOW = Date.UTC(2024, 0, 3, 12, 0)
/** Facts of a case call from mapping gateway M1 at CASE_NOW. */
export const caseFacts = (callee: string, over: Partial<CallFacts> = {}): CallFacts =>
  ({ callee, caller: '4921198765', mappingGatewayId: 'M1', nowMs: CASE_NOW, ...over })
/** A case snapshot: these gateways, no groups or clearing accounts, default parameters, unless overridden. */
export const caseSnapshot = (
  routingGateways: RoutingGatewayConfig[],
  more: Partial<Omit<RoutingSnapshot, 'routingGateways' | 'prices'>> = {},
): Omit<RoutingSnapshot, 'prices'> => ({
  routingGateways, gatewayGroups: [], clearingAccounts: [], params: routingParams(), ...more,
})

const VOS_A = gw('A', { prefixes: ['00331'], lockType: 'bar_all' })
const FRIDAY_NIGHT: CalendarWindow[] = [{ days: [5], from: '22:00', to: '06:00' }]
const nightGroup = (timeZone: string, nowMs: number): Pick<RoutingCase, 'snapshot' | 'facts'> => ({
  snapshot: caseSnapshot([gw('N', { groupId: 'G' })], { gatewayGroups: [gatewayGroupFixture('G', { calendar: FRIDAY_NIGHT })], timeZone }),
  facts: caseFacts('0033155', { nowMs }),
})
const reserved = (mappingGatewayId: string, groupCalls: number, m2Calls: number): Pick<RoutingCase, 'snapshot' | 'facts' | 'live'> => ({
  snapshot: caseSnapshot([gw('R', { groupId: 'G' })], {
    gatewayGroups: [gatewayGroupFixture('G', { lineLimit: 10, reservedLines: [{ mappingGatewayId: 'M2', lines: 3 }] })],
  }),
  facts: caseFacts('0033155', { mappingGatewayId }),
  live: { groupCalls: { G: groupCalls }, groupMappingCalls: { G: { M1: groupCalls - m2Calls, M2: m2Calls } } },
})
const clearing = (balance: number, status: 'normal' | 'locked' = 'normal'): Omit<RoutingSnapshot, 'prices'> =>
  caseSnapshot([gw('V', { clearingAccountId: 'C' })], {
    clearingAccounts: [clearingAccountFixture('C', balance, status)],
    params: routingParams({ SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT: 100 }),
  })

/** The cases; names state the rule and the outcome. */
export const ROUTING_CASES: readonly RoutingCase[] = [
  {
    name: 'VOS3000 example: locked 00331 and extension 0033 route 0033155 to the 0033 gateway',
    snapshot: caseSnapshot([VOS_A, gw('B', { prefixes: ['0033'] })]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['B'] },
    rejected: { A: 'locked' },
  },
  {
    name: 'VOS3000 example: locked 00331 and expiration 0033 fail 0033155 with NoAvailableRouter',
    snapshot: caseSnapshot([VOS_A, gw('B', { prefixes: ['0033'], prefixMode: 'expiration' })]),
    facts: caseFacts('0033155'),
    expect: { reject: 'NoAvailableRouter' },
    rejected: { A: 'locked', B: 'shorterPrefixExpiration' },
  },
  {
    name: 'extension fallbacks are tried longest match first, whatever their priority',
    snapshot: caseSnapshot([gw('C', { prefixes: ['0'] }), gw('B', { prefixes: ['00'], priority: 5 }), gw('A', { prefixes: ['0033'], priority: 9 })]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['A', 'B', 'C'] },
  },
  {
    name: 'an expiration gateway with a shorter match is skipped while extension fallbacks stay',
    snapshot: caseSnapshot([gw('A', { prefixes: ['0033'] }), gw('B', { prefixes: ['00'], prefixMode: 'expiration' }), gw('C', { prefixes: ['0'] })]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['A', 'C'] },
    rejected: { B: 'shorterPrefixExpiration' },
  },
  {
    name: 'an expiration gateway with the longest match is a candidate',
    snapshot: caseSnapshot([gw('A', { prefixes: ['0033', '1'], prefixMode: 'expiration' }), gw('B', { prefixes: ['0'] })]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['A', 'B'] },
  },
  {
    name: 'a gateway without prefixes (empty prefix) matches every number as the shortest fallback',
    snapshot: caseSnapshot([gw('ANY'), gw('FR', { prefixes: ['0033'] })]),
    facts: caseFacts('0044207'),
    expect: { candidates: ['ANY'] },
  },
  {
    name: 'no matching prefix fails with NoAvailableRouter',
    snapshot: caseSnapshot([gw('FR', { prefixes: ['0033'] })]),
    facts: caseFacts('0044207'),
    expect: { reject: 'NoAvailableRouter' },
    rejected: {},
  },
  {
    name: 'routing analysis lists gateways without a matching prefix as noPrefixMatch',
    snapshot: caseSnapshot([gw('FR', { prefixes: ['0033'] }), gw('UK', { prefixes: ['0044'] })]),
    facts: caseFacts('0044207'),
    options: { listUnmatched: true },
    expect: { candidates: ['UK'] },
    rejected: { FR: 'noPrefixMatch' },
  },
  {
    name: 'an OPTIONS-checked gateway reported offline is skipped',
    snapshot: caseSnapshot([gw('OFF', { optionsCheck: true }), gw('UNCHECKED'), gw('ON', { optionsCheck: true })]),
    facts: caseFacts('0033155'),
    live: { online: { OFF: false, UNCHECKED: false, ON: true } },
    expect: { candidates: ['UNCHECKED', 'ON'] },
    rejected: { OFF: 'offline' },
  },
  {
    name: 'a gateway at its line limit makes the call fail with AllGatewayBusy',
    snapshot: caseSnapshot([gw('L', { lineLimit: 2 })]),
    facts: caseFacts('0033155'),
    live: { gatewayCalls: { L: 2 } },
    expect: { reject: 'AllGatewayBusy' },
    rejected: { L: 'lineLimit' },
  },
  {
    name: 'a gateway below its line limit is a candidate',
    snapshot: caseSnapshot([gw('L', { lineLimit: 2 })]),
    facts: caseFacts('0033155'),
    live: { gatewayCalls: { L: 1 } },
    expect: { candidates: ['L'] },
  },
  {
    name: 'a full gateway group makes its gateways busy',
    snapshot: caseSnapshot([gw('X', { groupId: 'G' }), gw('Y', { groupId: 'G' })], { gatewayGroups: [gatewayGroupFixture('G', { lineLimit: 5 })] }),
    facts: caseFacts('0033155'),
    live: { groupCalls: { G: 5 } },
    expect: { reject: 'AllGatewayBusy' },
    rejected: { X: 'groupLineLimit', Y: 'groupLineLimit' },
  },
  {
    name: 'group lines reserved for another mapping gateway are held back (10 lines, 3 reserved for M2, 7 used by M1)',
    ...reserved('M1', 7, 0),
    expect: { reject: 'AllGatewayBusy' },
    rejected: { R: 'groupLineLimit' },
  },
  {
    name: 'a mapping gateway can use its own reserved group lines (M2 with 7 used by M1)',
    ...reserved('M2', 7, 0),
    expect: { candidates: ['R'] },
  },
  {
    name: 'only the unused part of another reservation is held back (M1 with 9 used, 2 of them by M2)',
    ...reserved('M1', 9, 2),
    expect: { reject: 'AllGatewayBusy' },
  },
  {
    name: 'a group without a line limit ignores reservations',
    snapshot: caseSnapshot([gw('R', { groupId: 'G' })], {
      gatewayGroups: [gatewayGroupFixture('G', { reservedLines: [{ mappingGatewayId: 'M2', lines: 3 }] })],
    }),
    facts: caseFacts('0033155'),
    live: { groupCalls: { G: 1000 } },
    expect: { candidates: ['R'] },
  },
  {
    name: 'a Friday 22:00-06:00 calendar in New York is open at Saturday 05:30 local (10:30 UTC)',
    ...nightGroup('America/New_York', Date.UTC(2024, 0, 6, 10, 30)),
    expect: { candidates: ['N'] },
  },
  {
    name: 'a Friday 22:00-06:00 calendar in New York is closed at Saturday 06:00 local (end is exclusive)',
    ...nightGroup('America/New_York', Date.UTC(2024, 0, 6, 11, 0)),
    expect: { reject: 'NoAvailableRouter' },
    rejected: { N: 'outsideCalendar' },
  },
  {
    name: 'a Friday 22:00-06:00 calendar in New York is closed at Friday 18:00 local though it is 23:00 UTC',
    ...nightGroup('America/New_York', Date.UTC(2024, 0, 5, 23, 0)),
    expect: { reject: 'NoAvailableRouter' },
    rejected: { N: 'outsideCalendar' },
  },
  {
    name: 'the same Friday calendar evaluated in UTC is open at Friday 23:00 UTC',
    ...nightGroup('UTC', Date.UTC(2024, 0, 5, 23, 0)),
    expect: { candidates: ['N'] },
  },
  {
    name: 'an allow list skips mapping gateways not on it',
    snapshot: caseSnapshot([gw('A', { mappingGatewayRule: { mode: 'allow', ids: ['M2'] } }), gw('B', { priority: 1 })]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['B'] },
    rejected: { A: 'mappingGatewayNotAllowed' },
  },
  {
    name: 'an allow list admits the mapping gateways on it',
    snapshot: caseSnapshot([gw('A', { mappingGatewayRule: { mode: 'allow', ids: ['M1'] } })]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['A'] },
  },
  {
    name: 'a forbid list skips the mapping gateways on it',
    snapshot: caseSnapshot([gw('A', { mappingGatewayRule: { mode: 'forbid', ids: ['M1'] } })]),
    facts: caseFacts('0033155'),
    expect: { reject: 'NoAvailableRouter' },
    rejected: { A: 'mappingGatewayForbidden' },
  },
  {
    name: 'a locked clearing account fails the call with NoAvailableRouter',
    snapshot: clearing(500, 'locked'),
    facts: caseFacts('0033155'),
    expect: { reject: 'NoAvailableRouter' },
    rejected: { V: 'clearingAccountLocked' },
  },
  {
    name: 'a clearing balance below SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT fails with AccountBalanceNotEnough',
    snapshot: clearing(99.5),
    facts: caseFacts('0033155'),
    expect: { reject: 'AccountBalanceNotEnough' },
    rejected: { V: 'clearingBalanceLow' },
  },
  {
    name: 'a clearing balance exactly at the limit is enough',
    snapshot: clearing(100),
    facts: caseFacts('0033155'),
    expect: { candidates: ['V'] },
  },
  {
    name: 'a live clearing balance overrides the snapshot balance',
    snapshot: clearing(500),
    facts: caseFacts('0033155'),
    live: { clearingBalances: { C: 10 } },
    expect: { reject: 'AccountBalanceNotEnough' },
  },
  {
    name: 'a busy gateway outranks a low clearing balance: AllGatewayBusy',
    snapshot: { ...clearing(10), routingGateways: [gw('V', { clearingAccountId: 'C' }), gw('L', { lineLimit: 1 })] },
    facts: caseFacts('0033155'),
    live: { gatewayCalls: { L: 1 } },
    expect: { reject: 'AllGatewayBusy' },
    rejected: { V: 'clearingBalanceLow', L: 'lineLimit' },
  },
  {
    name: 'a low clearing balance outranks a locked gateway: AccountBalanceNotEnough',
    snapshot: { ...clearing(10), routingGateways: [gw('V', { clearingAccountId: 'C' }), gw('X', { lockType: 'bar_all' })] },
    facts: caseFacts('0033155'),
    expect: { reject: 'AccountBalanceNotEnough' },
  },
  {
    name: 'equal match length is tried by priority ascending',
    snapshot: caseSnapshot([gw('P3', { priority: 3 }), gw('P1', { priority: 1 }), gw('P2', { priority: 2 })]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['P1', 'P2', 'P3'] },
  },
  {
    name: 'protect routes come after every normal route, even shorter-prefix ones',
    snapshot: caseSnapshot([gw('P', { prefixes: ['0033'], protectRoute: true }), gw('N', { prefixes: ['0'], priority: 9 }), gw('Q', { protectRoute: true })]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['N', 'P', 'Q'] },
  },
  {
    name: 'equal priorities keep snapshot order when no random source is given',
    snapshot: caseSnapshot([gw('E1'), gw('E2'), gw('E3')]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['E1', 'E2', 'E3'] },
  },
  {
    name: 'callee and caller are rewritten per gateway (strip, then add)',
    snapshot: caseSnapshot([gw('RW', { prefixes: ['0033'], calleeRewrite: { strip: 2, add: '+' }, callerRewrite: { strip: 0, add: '00' } })]),
    facts: caseFacts('0033155'),
    expect: { candidates: ['RW'] },
    first: { matchedPrefix: '0033', calleeOut: '+33155', callerOut: '004921198765', host: 'RW.vendor.example', port: 5060 },
  },
]
