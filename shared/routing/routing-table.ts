// What routing decides on: the configuration it reads and the lookups built from it once per snapshot (prefix trie, groups, calendars, clearing accounts, dial plans, vendor rate tables).
import type { RatingRate } from '../billing/rating.js'
import type { Account } from '../entities/account.js'
import type { GatewayGroup } from '../entities/gateway-group.js'
import type { RoutingGateway } from '../entities/routing-gateway.js'
import type { SystemParams } from '../params/system-params.js'
import { compileDialPlan, type DialPlan } from './dial-plan.js'
import { PrefixTrie } from './prefix-trie.js'
import { compileCalendar, weekTimeIn, type WeekTime } from './work-calendar.js'

/** The routing-gateway fields routing reads (the API shape and the table row both fit). */
export type RoutingGatewayConfig = Pick<
  RoutingGateway,
  | 'id' | 'host' | 'port' | 'prefixes' | 'prefixMode' | 'priority' | 'lineLimit' | 'lockType' | 'protectRoute'
  | 'optionsCheck' | 'mappingGatewayRule' | 'groupId' | 'clearingAccountId' | 'calleeRewrite' | 'callerRewrite'
  | 'calleeRules' | 'callerRules' | 'callerId' | 'allowLossRoutes'
> & {
  /** Registers with the core and is reached at its binding (absent = static). */
  readonly dynamic?: boolean
}
/** The gateway-group fields routing reads. */
export type GatewayGroupConfig = Pick<GatewayGroup, 'id' | 'lineLimit' | 'reservedLines' | 'calendar'>
/** The account fields routing reads from a clearing (vendor) account; its rate table prices the vendor. */
export type ClearingAccountConfig = Pick<Account, 'id' | 'status' | 'balance' | 'rateTableId'>

/** The system parameters routing reads. */
export const ROUTING_PARAM_NAMES = [
  'SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT', 'SS_GATEWAY_FEE_RATE_ROUTE_SORT_CONFIG', 'SS_GATEWAY_ASR_ROUTE_SORT_CONFIG',
  'SS_GATEWAY_FEE_RATE_ROUTE_BEFORE_ASR', 'SS_ROUTE_SORT_SCOPE', 'SS_ROUTE_UNPRICED_GATEWAYS', 'SS_ROUTE_MARGIN_GUARD',
  'SS_ROUTE_QUALITY_WINDOW_CALLS', 'SS_ROUTE_QUALITY_WINDOW_MINUTES', 'SS_ROUTE_QUALITY_MIN_CALLS', 'SS_ROUTE_ASR_MIN_PERCENT',
  'SS_ROUTE_PDD_MAX_MS', 'SS_ROUTE_PROBE_PERCENT',
] as const satisfies readonly (keyof SystemParams)[]
/** Values of the routing parameters. */
export type RoutingParams = Pick<SystemParams, (typeof ROUTING_PARAM_NAMES)[number]>

/** Vendor prices by rate table (a RateBook fits): the rate in effect at `nowMs` for the longest prefix of `number`. */
export interface PriceBook {
  /** A rate table's key for `findKey`, -1 when it has no rates; resolved once per gateway when the table is built. */
  keyOf(rateTableId: string): number
  findKey(key: number, number: string, nowMs: number): RatingRate | null
  /** `findKey`'s price per minute, NaN when none; `pricePrefix` then names its rate's prefix. */
  findPrice(key: number, number: string, nowMs: number): number
  readonly pricePrefix: string
}

/** Configuration the table is built from; `timeZone` is an IANA name for calendars (default UTC; SS_TIMEZONE should feed it). */
export interface RoutingSnapshot {
  readonly routingGateways: readonly RoutingGatewayConfig[]
  readonly gatewayGroups: readonly GatewayGroupConfig[]
  readonly clearingAccounts: readonly ClearingAccountConfig[]
  readonly params: RoutingParams
  readonly timeZone?: string
  /** Vendor rate tables; absent = no vendor has a price. */
  readonly prices?: PriceBook
}

/** One gateway of the table with its group, clearing account, rule, calendar and dial plans resolved. */
export interface RoutingTableGateway {
  readonly index: number
  /**
   * Its first route slot: the trie's insertion number of its first prefix. Slots are one per (gateway, prefix), its own
   * numbered firstSlot + position in `config.prefixes` (one slot for a gateway without prefixes, which matches every
   * number), so live figures per (gateway, prefix) can sit in flat arrays.
   */
  readonly firstSlot: number
  /** Copies of the config fields every matching gateway is checked on, kept here so a decision touches `config` only for candidates. */
  readonly id: string
  readonly nested: boolean
  readonly expiration: boolean
  readonly barred: boolean
  readonly optionsCheck: boolean
  readonly dynamic: boolean
  readonly lineLimit: number
  readonly allowLossRoutes: boolean
  readonly priority: number
  readonly protectRoute: boolean
  /** Its key in the table's price book; -1 = unpriced. */
  readonly rateKey: number
  /** What a candidate carries. */
  readonly host: string
  readonly port: number
  readonly callerId: RoutingGatewayConfig['callerId']
  readonly config: RoutingGatewayConfig
  /** null = no group; undefined = the group id is not in the snapshot. */
  readonly group: GatewayGroupConfig | null | undefined
  readonly clearing: ClearingAccountConfig | null | undefined
  readonly ruleIds: ReadonlySet<string> | null
  readonly ruleMode: 'allow' | 'forbid' | null
  /** null = always open (no group or an empty calendar). */
  readonly isOpen: ((t: WeekTime) => boolean) | null
  /** calleeRewrite then calleeRules. */
  readonly calleePlan: DialPlan
  /** callerRewrite then callerRules. */
  readonly callerPlan: DialPlan
  /** The rate table that prices this vendor (its clearing account's); null = unpriced. */
  readonly rateTableId: string | null
}

/** Precomputed lookups for one config snapshot; build once, share between calls. */
export interface RoutingTable {
  readonly gateways: readonly RoutingTableGateway[]
  /** Prefix → gateway indexes; a match's `ordinals` are the route slots of those (gateway, prefix) pairs. */
  readonly trie: PrefixTrie<number>
  /** Number of route slots (every gateway's prefixes, or 1 for a gateway without). */
  readonly slots: number
  /** Gateway id → index in `gateways` (for live values kept by index). */
  readonly indexOf: ReadonlyMap<string, number>
  readonly params: RoutingParams
  readonly prices: PriceBook | null
  readonly timeZone: string
  readonly weekTime: (nowMs: number) => WeekTime
}

function hasNestedPrefixes(prefixes: readonly string[]): boolean {
  if (prefixes.length < 2) return false
  const sorted = [...prefixes].sort()
  return sorted.some((p, i) => i > 0 && p.startsWith(sorted[i - 1]!))
}

/** Builds the prefix trie, id lookups and dial plans of a snapshot (throws TimeZoneError for an unknown zone). */
export function buildRoutingTable(snapshot: RoutingSnapshot): RoutingTable {
  const groups = new Map(snapshot.gatewayGroups.map((g) => [g.id, g]))
  const calendars = new Map(snapshot.gatewayGroups.map((g) => [g.id, g.calendar.length > 0 ? compileCalendar(g.calendar) : null]))
  const accounts = new Map(snapshot.clearingAccounts.map((a) => [a.id, a]))
  const trie = new PrefixTrie<number>()
  const gateways = snapshot.routingGateways.map((config, index): RoutingTableGateway => {
    const firstSlot = trie.size
    if (config.prefixes.length === 0) trie.insert('', index)
    for (const prefix of config.prefixes) trie.insert(prefix, index)
    const clearing = config.clearingAccountId === null ? null : accounts.get(config.clearingAccountId)
    return {
      index,
      firstSlot,
      id: config.id,
      nested: hasNestedPrefixes(config.prefixes),
      expiration: config.prefixMode === 'expiration',
      barred: config.lockType === 'bar_all',
      optionsCheck: config.optionsCheck,
      dynamic: config.dynamic === true,
      lineLimit: config.lineLimit,
      allowLossRoutes: config.allowLossRoutes,
      priority: config.priority,
      protectRoute: config.protectRoute,
      rateKey: -1,
      host: config.host,
      port: config.port,
      callerId: config.callerId,
      config,
      group: config.groupId === null ? null : groups.get(config.groupId),
      clearing,
      ruleIds: config.mappingGatewayRule === null ? null : new Set(config.mappingGatewayRule.ids),
      ruleMode: config.mappingGatewayRule?.mode ?? null,
      isOpen: config.groupId === null ? null : (calendars.get(config.groupId) ?? null),
      calleePlan: compileDialPlan(config.calleeRules, config.calleeRewrite),
      callerPlan: compileDialPlan(config.callerRules, config.callerRewrite),
      rateTableId: clearing?.rateTableId ?? null,
    }
  })
  const timeZone = snapshot.timeZone ?? 'UTC'
  const indexOf = new Map(gateways.map((g) => [g.config.id, g.index]))
  const table: RoutingTable = { gateways, trie, slots: trie.size, indexOf, params: snapshot.params, prices: null, timeZone, weekTime: weekTimeIn(timeZone) }
  return snapshot.prices === undefined ? table : withPrices(table, snapshot.prices)
}

/** The same table priced by `prices` (each gateway's rate table resolved to its key once); the trie is shared. */
export function withPrices(table: RoutingTable, prices: PriceBook): RoutingTable {
  const gateways = table.gateways.map((g) => ({ ...g, rateKey: g.rateTableId === null ? -1 : prices.keyOf(g.rateTableId) }))
  return { ...table, gateways, prices }
}
