// The routing decision as one pure function (docs/architecture.md "Routing"): snapshot + call facts + live counters → ordered candidates and every skipped gateway with its reason.
import type { Account } from '../entities/account.js'
import type { GatewayGroup } from '../entities/gateway-group.js'
import type { RoutingGateway } from '../entities/routing-gateway.js'
import type { SystemParams } from '../params/system-params.js'
import { rewriteNumber } from './number-rewrite.js'
import { PrefixTrie } from './prefix-trie.js'
import { rejectReasonFor, type RouteRejectReason, type RouteSkipReason } from './skip-reasons.js'
import { compileCalendar, weekTimeIn, type WeekTime } from './work-calendar.js'

/** The routing-gateway fields routing reads (the API shape and the table row both fit). */
export type RoutingGatewayConfig = Pick<
  RoutingGateway,
  | 'id' | 'host' | 'port' | 'prefixes' | 'prefixMode' | 'priority' | 'lineLimit' | 'lockType' | 'protectRoute'
  | 'optionsCheck' | 'mappingGatewayRule' | 'groupId' | 'clearingAccountId' | 'calleeRewrite' | 'callerRewrite'
>
/** The gateway-group fields routing reads. */
export type GatewayGroupConfig = Pick<GatewayGroup, 'id' | 'lineLimit' | 'reservedLines' | 'calendar'>
/** The account fields routing reads from a clearing (vendor) account. */
export type ClearingAccountConfig = Pick<Account, 'id' | 'status' | 'balance'>

/** Configuration the table is built from; `timeZone` is an IANA name for calendars (default UTC; SS_TIMEZONE should feed it). */
export interface RoutingSnapshot {
  readonly routingGateways: readonly RoutingGatewayConfig[]
  readonly gatewayGroups: readonly GatewayGroupConfig[]
  readonly clearingAccounts: readonly ClearingAccountConfig[]
  readonly params: Pick<SystemParams, 'SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT'>
  readonly timeZone?: string
}

/** Facts of the call being routed; without `random`, equal priorities keep snapshot order. */
export interface CallFacts {
  readonly callee: string
  readonly caller: string
  readonly mappingGatewayId: string
  readonly nowMs: number
  readonly random?: () => number
}

/**
 * Live state; a missing entry means online / 0 calls / the snapshot balance. `online` matters only for gateways with
 * optionsCheck (others are always online). `groupMappingCalls` is groupId → mappingGatewayId → current calls.
 */
export interface RoutingLive {
  readonly online?: ReadonlyMap<string, boolean>
  readonly gatewayCalls?: ReadonlyMap<string, number>
  readonly groupCalls?: ReadonlyMap<string, number>
  readonly groupMappingCalls?: ReadonlyMap<string, ReadonlyMap<string, number>>
  /** Only `get` is read, so a ledger can answer per id without building a map per call. */
  readonly clearingBalances?: Pick<ReadonlyMap<string, number>, 'get'>
}

/** `listUnmatched` adds every gateway without a matching prefix as `noPrefixMatch` (routing analysis wants it, calls do not). */
export interface RouteOptions {
  readonly listUnmatched?: boolean
}

/** A gateway to try, in order; numbers are already rewritten for it. */
export interface RouteCandidate {
  routingGatewayId: string
  priority: number
  matchedPrefix: string
  protectRoute: boolean
  calleeOut: string
  callerOut: string
  host: string
  port: number
}

/** A gateway that was not a candidate; `matchedPrefix` is null for `noPrefixMatch`. */
export interface RouteRejection {
  routingGatewayId: string
  reason: RouteSkipReason
  matchedPrefix: string | null
}

/** The decision: the full ordered list (the call layer caps it at SS_MAX_ROUTING_ATTEMPTS), or a terminal reason. */
export type RouteDecision =
  | { kind: 'route'; candidates: RouteCandidate[]; rejected: RouteRejection[] }
  | { kind: 'reject'; reason: RouteRejectReason; rejected: RouteRejection[] }

/** One gateway of the table with its group, clearing account, rule and calendar resolved. */
export interface RoutingTableGateway {
  readonly config: RoutingGatewayConfig
  readonly index: number
  /** null = no group; undefined = the group id is not in the snapshot. */
  readonly group: GatewayGroupConfig | null | undefined
  readonly clearing: ClearingAccountConfig | null | undefined
  readonly ruleIds: ReadonlySet<string> | null
  /** null = always open (no group or an empty calendar). */
  readonly isOpen: ((t: WeekTime) => boolean) | null
  /** One of its prefixes starts another, so one number can reach it twice and needs de-duplication. */
  readonly nested: boolean
}

/** Precomputed lookups for one config snapshot; build once, share between calls. */
export interface RoutingTable {
  readonly gateways: readonly RoutingTableGateway[]
  readonly trie: PrefixTrie<number>
  readonly clearingLimit: number
  readonly timeZone: string
  readonly weekTime: (nowMs: number) => WeekTime
}

function hasNestedPrefixes(prefixes: readonly string[]): boolean {
  if (prefixes.length < 2) return false
  const sorted = [...prefixes].sort()
  return sorted.some((p, i) => i > 0 && p.startsWith(sorted[i - 1]!))
}

/** Builds the prefix trie and id lookups of a snapshot (throws TimeZoneError for an unknown zone). */
export function buildRoutingTable(snapshot: RoutingSnapshot): RoutingTable {
  const groups = new Map(snapshot.gatewayGroups.map((g) => [g.id, g]))
  const calendars = new Map(snapshot.gatewayGroups.map((g) => [g.id, g.calendar.length > 0 ? compileCalendar(g.calendar) : null]))
  const accounts = new Map(snapshot.clearingAccounts.map((a) => [a.id, a]))
  const trie = new PrefixTrie<number>()
  const gateways = snapshot.routingGateways.map((config, index): RoutingTableGateway => {
    if (config.prefixes.length === 0) trie.insert('', index)
    for (const prefix of config.prefixes) trie.insert(prefix, index)
    return {
      config,
      index,
      group: config.groupId === null ? null : groups.get(config.groupId),
      clearing: config.clearingAccountId === null ? null : accounts.get(config.clearingAccountId),
      ruleIds: config.mappingGatewayRule === null ? null : new Set(config.mappingGatewayRule.ids),
      isOpen: config.groupId === null ? null : (calendars.get(config.groupId) ?? null),
      nested: hasNestedPrefixes(config.prefixes),
    }
  })
  const timeZone = snapshot.timeZone ?? 'UTC'
  return {
    gateways,
    trie,
    clearingLimit: snapshot.params.SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT,
    timeZone,
    weekTime: weekTimeIn(timeZone),
  }
}

/**
 * Lines of `group` that mapping gateway `m` may still take: lineLimit − current − Σ over every OTHER mapping gateway o
 * of max(0, reserved(o) − current(o in group)). Another gateway's unused reservation is held back from `m`; `m`'s own
 * reservation is never subtracted, so it can always use it. lineLimit 0 = unlimited, and reservations then do nothing.
 */
export function groupFreeLines(group: GatewayGroupConfig, m: string, live: RoutingLive): number {
  if (group.lineLimit === 0) return Number.POSITIVE_INFINITY
  const byMapping = live.groupMappingCalls?.get(group.id)
  let heldForOthers = 0
  for (const r of group.reservedLines) {
    if (r.mappingGatewayId !== m) heldForOthers += Math.max(0, r.lines - (byMapping?.get(r.mappingGatewayId) ?? 0))
  }
  return group.lineLimit - (live.groupCalls?.get(group.id) ?? 0) - heldForOthers
}

interface Eval {
  readonly table: RoutingTable
  readonly facts: CallFacts
  readonly live: RoutingLive
  weekTime: WeekTime | undefined
}

/** First reason (in ROUTE_SKIP_REASONS order) that keeps a prefix-matching gateway out, or null when it is usable. */
function skipReason(g: RoutingTableGateway, matchLength: number, longest: number, e: Eval): RouteSkipReason | null {
  const c = g.config
  const { live, facts } = e
  if (c.prefixMode === 'expiration' && matchLength < longest) return 'shorterPrefixExpiration'
  if (c.lockType === 'bar_all') return 'locked'
  if (g.ruleIds !== null && c.mappingGatewayRule !== null) {
    const listed = g.ruleIds.has(facts.mappingGatewayId)
    if (c.mappingGatewayRule.mode === 'allow' && !listed) return 'mappingGatewayNotAllowed'
    if (c.mappingGatewayRule.mode === 'forbid' && listed) return 'mappingGatewayForbidden'
  }
  if (c.optionsCheck && live.online?.get(c.id) === false) return 'offline'
  if (g.group === undefined) return 'groupUnknown'
  if (g.isOpen !== null) {
    e.weekTime ??= e.table.weekTime(facts.nowMs)
    if (!g.isOpen(e.weekTime)) return 'outsideCalendar'
  }
  if (g.clearing === undefined) return 'clearingAccountUnknown'
  if (g.clearing !== null) {
    if (g.clearing.status === 'locked') return 'clearingAccountLocked'
    const balance = live.clearingBalances?.get(g.clearing.id) ?? g.clearing.balance
    if (balance < e.table.clearingLimit) return 'clearingBalanceLow'
  }
  if (c.lineLimit > 0 && (live.gatewayCalls?.get(c.id) ?? 0) >= c.lineLimit) return 'lineLimit'
  if (g.group !== null && groupFreeLines(g.group, facts.mappingGatewayId, live) <= 0) return 'groupLineLimit'
  return null
}

interface Usable {
  readonly g: RoutingTableGateway
  readonly length: number
  /** protect route, then longer match, then lower priority first; exact because priority ≤ 1e6 < 2^21 and prefixes ≤ 32 chars. */
  readonly rank: number
}

const PRIORITY_SPAN = 2 ** 21

const rankOf = (c: RoutingGatewayConfig, length: number): number =>
  ((c.protectRoute ? 64 : 0) + (63 - length)) * PRIORITY_SPAN + c.priority

const compareUsable = (a: Usable, b: Usable): number => a.rank - b.rank || a.g.index - b.g.index

/** Fisher–Yates shuffle of every run of equal rank, so equal priorities share load uniformly (deterministic given `random`). */
function shareLoad(sorted: Usable[], random: () => number): void {
  let start = 0
  while (start < sorted.length) {
    let end = start + 1
    while (end < sorted.length && sorted[end]!.rank === sorted[start]!.rank) end++
    for (let i = end - 1; i > start; i--) {
      const j = start + Math.min(Math.floor(random() * (i - start + 1)), i - start)
      const tmp = sorted[i]!
      sorted[i] = sorted[j]!
      sorted[j] = tmp
    }
    start = end
  }
}

/**
 * Decides where a call goes. L (the longest match length) counts every prefix-matching gateway, skipped or not, so a
 * locked longer-prefix gateway still keeps a shorter `expiration` gateway out (the A/B example of docs/architecture.md "Routing").
 */
export function decideRoute(table: RoutingTable, facts: CallFacts, live: RoutingLive = {}, options: RouteOptions = {}): RouteDecision {
  const matches = table.trie.matches(facts.callee)
  const longest = matches[0]?.length ?? 0
  const e: Eval = { table, facts, live, weekTime: undefined }
  let seen: Set<number> | undefined
  const usable: Usable[] = []
  const rejected: RouteRejection[] = []
  for (const m of matches) {
    for (const index of m.values) {
      const g = table.gateways[index]!
      if (g.nested) {
        seen ??= new Set()
        if (seen.has(index)) continue
        seen.add(index)
      }
      const reason = skipReason(g, m.length, longest, e)
      if (reason === null) usable.push({ g, length: m.length, rank: rankOf(g.config, m.length) })
      else rejected.push({ routingGatewayId: g.config.id, reason, matchedPrefix: facts.callee.slice(0, m.length) })
    }
  }
  if (options.listUnmatched === true) {
    const matched = new Set(matches.flatMap((m) => m.values))
    for (const g of table.gateways) {
      if (!matched.has(g.index)) rejected.push({ routingGatewayId: g.config.id, reason: 'noPrefixMatch', matchedPrefix: null })
    }
  }
  if (usable.length === 0) return { kind: 'reject', reason: rejectReasonFor(rejected), rejected }
  usable.sort(compareUsable)
  if (facts.random !== undefined) shareLoad(usable, facts.random)
  const candidates = usable.map(({ g, length }): RouteCandidate => ({
    routingGatewayId: g.config.id,
    priority: g.config.priority,
    matchedPrefix: facts.callee.slice(0, length),
    protectRoute: g.config.protectRoute,
    calleeOut: rewriteNumber(facts.callee, g.config.calleeRewrite),
    callerOut: rewriteNumber(facts.caller, g.config.callerRewrite),
    host: g.config.host,
    port: g.config.port,
  }))
  return { kind: 'route', candidates, rejected }
}
