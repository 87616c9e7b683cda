// Live line counters owned by the policy (mapping gateway, routing gateway, group, group × mapping gateway), fed to decideRoute as its `live` input.
import type { MappingGatewayRow } from '../../shared/entities/mapping-gateway.js'
import { GatewayIndexed } from '../../shared/routing/gateway-index.js'
import { groupFreeLines, type RoutingLive } from '../../shared/routing/route.js'
import type { RoutingTable } from '../../shared/routing/routing-table.js'
import type { ConfigSnapshot } from '../config/snapshot.js'

/** Online state of routing gateways from OPTIONS checks; a missing entry means online. */
export interface GatewayHealth {
  readonly online: ReadonlyMap<string, boolean>
}

/** The route target fields a line is counted under. */
export interface LineTarget {
  readonly routingGatewayId: string
  readonly groupId: string | null
}

/**
 * How much of each configured limit this node may use by itself: all of it when it is alone or while Redis counts the
 * limits across nodes (it then only pre-filters here), its share while Redis cannot be reached.
 */
export interface LimitShare {
  /** This node's part of a line limit (> 0). */
  lines(limit: number): number
  /** This node's fraction of a calls-per-second rate (0 < rate <= 1). */
  readonly rate: number
}

/** The whole of every limit. */
export const WHOLE_LIMITS: LimitShare = { lines: (limit) => limit, rate: 1 }

/** Thrown when our own code gives back more lines than it took (a bug, never a network event). */
export class LineCountError extends Error {
  override name = 'LineCountError'
}

/** A counter store: a Map, or routing gateways' counters mirrored by table index. */
interface Counts {
  get(key: string): number | undefined
  set(key: string, n: number): void
  delete(key: string): void
}

function inc(map: Counts, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1)
}

/** Decrements without going below zero; returns false when there was nothing to give back. */
function dec(map: Counts, key: string): boolean {
  const n = map.get(key) ?? 0
  if (n <= 0) return false
  if (n === 1) map.delete(key)
  else map.set(key, n - 1)
  return true
}

/** RoutingLive view whose `online` follows the health source even when it swaps its map; gateway calls also by table index. */
class LiveView implements RoutingLive {
  readonly gatewayCalls: ReadonlyMap<string, number>
  readonly gatewayCallsAt: (table: RoutingTable) => readonly (number | undefined)[]

  constructor(
    gateways: GatewayIndexed<number>,
    readonly groupCalls: ReadonlyMap<string, number>,
    readonly groupMappingCalls: ReadonlyMap<string, ReadonlyMap<string, number>>,
    private readonly health: GatewayHealth | undefined,
  ) {
    this.gatewayCalls = gateways.map
    this.gatewayCallsAt = (table) => gateways.at(table)
  }

  get online(): ReadonlyMap<string, boolean> | undefined {
    return this.health?.online
  }
}

/**
 * Current calls per mapping gateway (ingress lines, taken at admission) and per routing gateway, group and
 * (group, mapping gateway) (egress lines, taken per attempt). Counters outlive config snapshots: they are keyed by id.
 */
export class LineCounters {
  private readonly mappingCalls = new Map<string, number>()
  private readonly gatewayCalls = new GatewayIndexed<number>()
  private readonly groupCalls = new Map<string, number>()
  private readonly groupMappingCalls = new Map<string, Map<string, number>>()
  /** The `live` argument of decideRoute; reads the counters in place, no copy per call. */
  readonly live: RoutingLive
  private readonly accountLines = new Map<string, number>()
  /** Lines ever taken per mapping gateway (calls admitted) and per routing gateway (attempts): the status publisher's calls per second. */
  readonly taken = { mapping: new Map<string, number>(), routing: new Map<string, number>() }
  /** The part of each limit this node checks against (cluster-limits.ts sets it when Redis is configured). */
  share: LimitShare = WHOLE_LIMITS

  constructor(health?: GatewayHealth) {
    this.live = new LiveView(this.gatewayCalls, this.groupCalls, this.groupMappingCalls, health)
  }

  /** Current calls of a mapping gateway. */
  ingressCalls(mappingGatewayId: string): number {
    return this.mappingCalls.get(mappingGatewayId) ?? 0
  }

  /** Current calls through a routing gateway. */
  gatewayCallsOf(routingGatewayId: string): number {
    return this.gatewayCalls.get(routingGatewayId) ?? 0
  }

  /** Current calls in a group, and of one mapping gateway in it. */
  groupCallsOf(groupId: string, mappingGatewayId?: string): number {
    if (mappingGatewayId === undefined) return this.groupCalls.get(groupId) ?? 0
    return this.groupMappingCalls.get(groupId)?.get(mappingGatewayId) ?? 0
  }

  /** True when the mapping gateway is at its line limit (0 = unlimited). */
  ingressFull(gateway: Readonly<Pick<MappingGatewayRow, 'id' | 'lineLimit'>>): boolean {
    return gateway.lineLimit > 0 && this.ingressCalls(gateway.id) >= this.share.lines(gateway.lineLimit)
  }

  /** Every line this node holds now, by counter: what a full resync of the shared counts writes. */
  counts(): {
    readonly mapping: ReadonlyMap<string, number>
    readonly account: ReadonlyMap<string, number>
    readonly gateway: ReadonlyMap<string, number>
    readonly group: ReadonlyMap<string, number>
    readonly groupMapping: ReadonlyMap<string, ReadonlyMap<string, number>>
  } {
    return { mapping: this.mappingCalls, account: this.accountLines, gateway: this.gatewayCalls.map, group: this.groupCalls, groupMapping: this.groupMappingCalls }
  }

  /** Current calls of an account (all its mapping gateways). */
  accountCalls(accountId: string): number {
    return this.accountLines.get(accountId) ?? 0
  }

  /** Takes an ingress line on the mapping gateway (and its account, when given). */
  takeIngress(mappingGatewayId: string, accountId?: string): void {
    inc(this.mappingCalls, mappingGatewayId)
    inc(this.taken.mapping, mappingGatewayId)
    if (accountId !== undefined) inc(this.accountLines, accountId)
  }

  /** Gives back an ingress line (and the account's, when given); throws LineCountError when none was taken. */
  releaseIngress(mappingGatewayId: string, accountId?: string): void {
    if (!dec(this.mappingCalls, mappingGatewayId)) throw new LineCountError(`no ingress line held by ${mappingGatewayId}`)
    if (accountId !== undefined && !dec(this.accountLines, accountId)) throw new LineCountError(`no line held by account ${accountId}`)
  }

  /**
   * Takes a line on the target's routing gateway and group if both still have room under `snapshot` (the limits may
   * have filled since the routing decision): the gateway's lineLimit, and the group's free lines after other mapping
   * gateways' unused reservations (shared `groupFreeLines`). Returns false and takes nothing otherwise.
   */
  tryTakeTarget(snapshot: ConfigSnapshot, mappingGatewayId: string, target: LineTarget): boolean {
    const limit = snapshot.routingGateways.get(target.routingGatewayId)?.lineLimit ?? 0
    if (limit > 0 && this.gatewayCallsOf(target.routingGatewayId) >= this.share.lines(limit)) return false
    const group = target.groupId === null ? undefined : snapshot.gatewayGroups.get(target.groupId)
    // Other nodes' part of the group's limit is not this node's to use.
    if (group !== undefined && groupFreeLines(group, mappingGatewayId, this.live) - (group.lineLimit - this.share.lines(group.lineLimit)) <= 0) return false
    inc(this.gatewayCalls, target.routingGatewayId)
    inc(this.taken.routing, target.routingGatewayId)
    if (target.groupId !== null) {
      inc(this.groupCalls, target.groupId)
      let byMapping = this.groupMappingCalls.get(target.groupId)
      if (byMapping === undefined) {
        byMapping = new Map()
        this.groupMappingCalls.set(target.groupId, byMapping)
      }
      inc(byMapping, mappingGatewayId)
    }
    return true
  }

  /** Gives back a line taken with tryTakeTarget; throws LineCountError when none was taken. */
  releaseTarget(mappingGatewayId: string, target: LineTarget): void {
    let ok = dec(this.gatewayCalls, target.routingGatewayId)
    if (target.groupId !== null) {
      ok = dec(this.groupCalls, target.groupId) && ok
      const byMapping = this.groupMappingCalls.get(target.groupId)
      ok = byMapping !== undefined && dec(byMapping, mappingGatewayId) && ok
      if (byMapping !== undefined && byMapping.size === 0) this.groupMappingCalls.delete(target.groupId)
    }
    if (!ok) throw new LineCountError(`no line held on ${target.routingGatewayId} for ${mappingGatewayId}`)
  }
}
