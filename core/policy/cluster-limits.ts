// Line limits and calls per second counted across core nodes in Redis, on top of this node's own counters: one atomic script per admission and per attempt, this node's share while Redis cannot be reached.
import type { AccountRow } from '../../shared/entities/account.js'
import type { MappingGatewayRow } from '../../shared/entities/mapping-gateway.js'
import { groupFreeLines } from '../../shared/routing/route.js'
import type { TerminationReason } from '../../shared/termination/reasons.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import { KEY_PREFIX, type SharedHold, type SharedState } from '../shared-state/shared-state.js'
import type { CallGuards } from './call-guards.js'
import { burstOf } from './guard/rate-limiter.js'
import type { LimitShare, LineCounters, LineTarget } from './limits.js'

/**
 * Where limits that span calls are counted beyond this process: Redis across nodes (shared-state.ts) or the node's
 * primary for its workers (core/cluster/limits-link.ts). `take` runs TAKE_LUA's program for `hold`.
 */
export type ClusterLink = Pick<SharedState, 'up' | 'gen' | 'hold' | 'release' | 'unsure' | 'fellBack' | 'lineShare' | 'rateShare' | 'addSource'> & {
  take(keys: readonly string[], program: readonly number[], hold: SharedHold): Promise<readonly number[] | null> | undefined
}

/** `make` once per id (a node has few gateways and accounts; bounded all the same), instead of a new key string per call. */
function once(make: (id: string) => string): (id: string) => string {
  const made = new Map<string, string>()
  return (id) => {
    let key = made.get(id)
    if (key === undefined) {
      if (made.size >= 4096) made.clear()
      key = make(id)
      made.set(id, key)
    }
    return key
  }
}

/** Redis keys of the counters: per-node hashes of lines held. */
const countKey = {
  mapping: once((id) => `${KEY_PREFIX}c:m:${id}`),
  account: once((id) => `${KEY_PREFIX}c:a:${id}`),
  gateway: once((id) => `${KEY_PREFIX}c:r:${id}`),
  group: once((id) => `${KEY_PREFIX}c:g:${id}`),
  groupMapping: (groupId: string, mappingGatewayId: string) => `${KEY_PREFIX}c:gm:${groupId}:${mappingGatewayId}`,
}

/** Redis keys of the calls-per-second token buckets. */
const bucketKey = {
  mapping: once((id) => `${KEY_PREFIX}b:m:${id}`),
  account: once((id) => `${KEY_PREFIX}b:a:${id}`),
  gateway: once((id) => `${KEY_PREFIX}b:r:${id}`),
}

/**
 * Builds TAKE_LUA's program: keys by index (after the two fixed ones), then `[buckets, ...bucket triples, checks,
 * ...checks, increments, ...key indexes]`, written in that order into one array (buckets, then checks, then increments).
 */
class Program {
  readonly keys: string[] = []
  private readonly out: number[] = [0]
  /** Index of the checks' count in `out`, -1 before the first check or increment. */
  private checksAt = -1
  /** Index of the increments' count in `out`, -1 before the first increment. */
  private incsAt = -1

  private index(key: string): number {
    let i = this.keys.indexOf(key)
    if (i === -1) i = this.keys.push(key) - 1
    return i + 3
  }

  bucket(key: string, rate: number, burst: number): this {
    if (this.checksAt !== -1) throw new Error('a bucket after a check or increment')
    this.out.push(this.index(key), rate, burst)
    this.out[0]!++
    return this
  }

  /** total(key) + 1 + sum over `reserved` of max(0, lines - total(k)) <= limit. */
  check(key: string, limit: number, reserved: readonly (readonly [string, number])[] = []): this {
    if (this.incsAt !== -1) throw new Error('a check after an increment')
    this.openChecks()
    this.out.push(this.index(key), limit, reserved.length)
    for (const [k, lines] of reserved) this.out.push(this.index(k), lines)
    this.out[this.checksAt]!++
    return this
  }

  inc(key: string): this {
    this.openIncs()
    this.out.push(this.index(key))
    this.out[this.incsAt]!++
    return this
  }

  args(): number[] {
    this.openIncs()
    return this.out
  }

  private openChecks(): void {
    if (this.checksAt === -1) this.checksAt = this.out.push(0) - 1
  }

  private openIncs(): void {
    this.openChecks()
    if (this.incsAt === -1) this.incsAt = this.out.push(0) - 1
  }
}

/** The counter keys a call's ingress lines live under. */
function ingressKeys(mappingGatewayId: string, accountId: string): string[] {
  return [countKey.mapping(mappingGatewayId), countKey.account(accountId)]
}

/** The counter keys an attempt's lines live under. */
function targetKeys(mappingGatewayId: string, target: LineTarget): string[] {
  const keys = [countKey.gateway(target.routingGatewayId)]
  if (target.groupId !== null) keys.push(countKey.group(target.groupId), countKey.groupMapping(target.groupId, mappingGatewayId))
  return keys
}

/** Every line the counters hold, as Redis keys: what a full resync writes. */
function* lineHolds(lines: LineCounters): Iterable<readonly [string, number]> {
  const c = lines.counts()
  for (const [id, n] of c.mapping) yield [countKey.mapping(id), n]
  for (const [id, n] of c.account) yield [countKey.account(id), n]
  for (const [id, n] of c.gateway) yield [countKey.gateway(id), n]
  for (const [id, n] of c.group) yield [countKey.group(id), n]
  for (const [groupId, byMapping] of c.groupMapping) for (const [m, n] of byMapping) yield [countKey.groupMapping(groupId, m), n]
}

/**
 * The cluster's view of a call's lines. The call first takes its lines on this node (LineCounters, checked against the
 * whole limit while Redis counts and against this node's share while it does not), then here across nodes; a refusal
 * gives the local lines back. `release` gives a hold back in Redis only when Redis has it (SharedState.release).
 */
export class ClusterLimits {
  constructor(private readonly link: ClusterLink, private readonly lines: LineCounters, guards: CallGuards) {
    link.addSource({ holds: () => lineHolds(lines) })
    const share: LimitShare = {
      lines: (limit) => (link.up ? limit : link.lineShare(limit)),
      get rate() {
        return link.up ? 1 : link.rateShare
      },
    }
    lines.share = share
    guards.share = share
  }

  /** A hold stamped now: take it right after the local lines. */
  hold(): SharedHold {
    return this.link.hold()
  }

  /**
   * A new call's calls per second (mapping gateway, account) and lines (mapping gateway, account concurrent calls)
   * across nodes, after the same checks passed here and its local lines were taken: null when taken, else the reason.
   */
  takeIngress(hold: SharedHold, gateway: Readonly<MappingGatewayRow>, account: Readonly<AccountRow>): TerminationReason | null | Promise<TerminationReason | null> {
    const p = new Program()
    if (gateway.cpsLimit > 0) p.bucket(bucketKey.mapping(gateway.id), gateway.cpsLimit, burstOf(gateway.cpsLimit, gateway.cpsBurst))
    if (account.cpsLimit > 0) p.bucket(bucketKey.account(account.id), account.cpsLimit, burstOf(account.cpsLimit, account.cpsBurst))
    const checks: TerminationReason[] = []
    if (gateway.lineLimit > 0) {
      p.check(countKey.mapping(gateway.id), gateway.lineLimit)
      checks.push('CallLimitExceeded')
    }
    if (account.maxConcurrentCalls > 0) {
      p.check(countKey.account(account.id), account.maxConcurrentCalls)
      checks.push('AccountConcurrentCallsExceeded')
    }
    p.inc(countKey.mapping(gateway.id)).inc(countKey.account(account.id))
    const pending = this.link.take(p.keys, p.args(), hold)
    const onShare = (): TerminationReason | null => {
      this.link.fellBack()
      if (gateway.lineLimit > 0 && this.lines.ingressCalls(gateway.id) > this.link.lineShare(gateway.lineLimit)) return 'CallLimitExceeded'
      if (account.maxConcurrentCalls > 0 && this.lines.accountCalls(account.id) > this.link.lineShare(account.maxConcurrentCalls)) return 'AccountConcurrentCallsExceeded'
      return null
    }
    // Redis down: the local checks already held this node to its share.
    if (pending === undefined) return (this.link.fellBack(), null)
    return pending.then((r) => {
      if (r === null) return onShare()
      if (r[0] === 0) {
        hold.confirmed = true
        return null
      }
      return r[0] === 1 ? 'CpsLimitExceeded' : checks[r[1]! - 1]!
    })
  }

  /** Gives back a call's ingress hold in Redis (its local lines go back separately). */
  releaseIngress(hold: SharedHold, mappingGatewayId: string, accountId: string): void {
    this.link.release(hold, ingressKeys(mappingGatewayId, accountId))
  }

  /**
   * An attempt's calls per second and lines (routing gateway, its group net of other mapping gateways' unused
   * reservations) across nodes, after its local lines were taken: true when taken.
   */
  takeTarget(hold: SharedHold, snapshot: ConfigSnapshot, mappingGatewayId: string, target: LineTarget): boolean | Promise<boolean> {
    const rg = snapshot.routingGateways.get(target.routingGatewayId)
    const group = target.groupId === null ? undefined : snapshot.gatewayGroups.get(target.groupId)
    const p = new Program()
    if (rg !== undefined && rg.cpsLimit > 0) p.bucket(bucketKey.gateway(rg.id), rg.cpsLimit, burstOf(rg.cpsLimit, rg.cpsBurst))
    if (rg !== undefined && rg.lineLimit > 0) p.check(countKey.gateway(rg.id), rg.lineLimit)
    if (group !== undefined && group.lineLimit > 0) {
      const others = group.reservedLines.filter((r) => r.mappingGatewayId !== mappingGatewayId)
      p.check(countKey.group(group.id), group.lineLimit, others.map((r) => [countKey.groupMapping(group.id, r.mappingGatewayId), r.lines] as const))
    }
    p.inc(countKey.gateway(target.routingGatewayId))
    if (target.groupId !== null) p.inc(countKey.group(target.groupId)).inc(countKey.groupMapping(target.groupId, mappingGatewayId))
    const pending = this.link.take(p.keys, p.args(), hold)
    if (pending === undefined) return (this.link.fellBack(), true)
    return pending.then((r) => {
      if (r === null) {
        this.link.fellBack()
        const limit = rg?.lineLimit ?? 0
        if (limit > 0 && this.lines.gatewayCallsOf(target.routingGatewayId) > this.link.lineShare(limit)) return false
        return group === undefined || group.lineLimit === 0 || groupFreeLines(group, mappingGatewayId, this.lines.live) - (group.lineLimit - this.link.lineShare(group.lineLimit)) >= 0
      }
      if (r[0] !== 0) return false
      hold.confirmed = true
      return true
    })
  }

  /** Gives back an attempt's hold in Redis (its local lines go back separately). */
  releaseTarget(hold: SharedHold, mappingGatewayId: string, target: LineTarget): void {
    this.link.release(hold, targetKeys(mappingGatewayId, target))
  }
}
