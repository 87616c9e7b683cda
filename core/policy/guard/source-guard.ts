// Who may talk to the node: automatic bans that grow on repeat, failed-authentication windows per source and per username, username locks, unanswered challenges and pike.
import type { MappingGatewayRow } from '../../../shared/entities/mapping-gateway.js'
import { parseIp } from '../../../shared/net/address.js'
import type { ConfigSnapshot } from '../../config/snapshot.js'
import type { Logger } from '../../lib/log.js'
import { silentLogger } from '../../lib/log.js'
import type { CounterSeries, Metric, Metrics } from '../../lib/metrics.js'
import type { AuthRefusal, AuthRefusalObserver } from './auth-refusals.js'
import { MemoryBanStore, type Ban, type BanReason, type BanStore } from './ban-store.js'
import { MemoryFailureWindow, type FailureWindow } from './failure-window.js'
import { MemoryRateLimiter, type RateLimiter } from './rate-limiter.js'

/** Where the guard reads the current snapshot. */
export interface GuardSnapshotSource {
  readonly current: ConfigSnapshot
}

/** Told of every automatic ban (the database writer persists it and sets `persistedAtMs`) and username lock. */
export interface BanObserver {
  onBan(ban: Ban): void
  /** A username locked until `untilMs` (the node's other workers, or other nodes, lock it too). */
  onUserLock?(gatewayId: string, untilMs: number): void
}

/** A refused attempt that counts towards a ban (`ban`: the source is not trusted) or a username lock (`lock`). */
export interface CountedRefusal {
  readonly ip: string
  readonly atMs: number
  /** The mapping gateway whose username it counts against when `lock`. */
  readonly gatewayId: string | null
  readonly ban: boolean
  readonly lock: boolean
}

/** An offence a worker saw (pike over its share), for the node's one judge to ban. */
export interface Offence {
  readonly ip: string
  readonly reason: BanReason
  readonly atMs: number
  readonly baseSec: number
}

/**
 * Where a worker of several sends what needs the whole node's view (the primary): failures spread over every worker
 * are counted once there, and every ban and lock is decided there and sent back to every worker.
 */
export interface GuardJudge {
  refused(r: CountedRefusal): void
  offence(o: Offence): void
  /** A digest was verified from `ip` after this worker reported failures of it: the node forgets them. */
  cleared(ip: string): void
}

/** What shuts a source out now: an entry of the blacklist (operator's or persisted) or this node's own ban. */
export interface ShutOut {
  readonly reason: string
  readonly untilMs: number | null
}

/** Construction options; the stores default to in-process ones. */
export interface SourceGuardOptions {
  config: GuardSnapshotSource
  metrics: Metrics
  log?: Logger
  bans?: BanStore
  failures?: FailureWindow
  /** Pike buckets per source. */
  limiter?: RateLimiter
  observer?: BanObserver
  /**
   * A worker of several: failures, bans and locks go to the judge, and pike and the transaction cap count this
   * worker's `share` of their limits (its fraction of the node's new requests, spread by Call-ID).
   */
  judge?: GuardJudge
  share?: number
}

/** Sources this worker reported failures of, remembered so that a later verified digest clears them at the judge. */
const MAX_SUSPECTS = 10_000

/** Most recent successful source addresses remembered per password gateway. */
const KNOWN_ADDRESSES = 8

/** The failure reasons that name a real gateway and count towards locking its username. */
const LOCKING = new Set<AuthRefusal['reason']>(['wrong_password', 'source_not_allowed', 'bad_credentials'])

/** `203.0.113.7/32` or `2001:db8::7/128`: the CIDR key of one address in the access list. */
export function hostCidr(ip: string): string {
  return ip.includes(':') ? `${ip}/128` : `${ip}/32`
}

/** Addresses configured on gateways: mapping gateways' `ips` (every auth mode) and routing gateways given by IP. */
function configuredAddresses(s: ConfigSnapshot): Set<string> {
  const out = new Set<string>()
  for (const gw of s.mappingGateways.values()) for (const ip of gw.ips) out.add(ip)
  for (const rg of s.routingGateways.values()) if (parseIp(rg.host) !== null) out.add(rg.host)
  return out
}

/**
 * The node's memory of abusive sources. Failed authentications are counted per source IP (SS_AUTH_FAIL_LIMIT within
 * SS_AUTH_FAIL_WINDOW bans it) and per username (SS_AUTH_USER_LOCK_FAILURES locks it for SS_AUTH_USER_LOCK_TIME).
 * A ban lasts SS_AUTH_BAN_TIME (SS_PIKE_BAN_TIME for floods), doubled on each repeat up to SS_AUTH_BAN_TIME_MAX, and
 * the count is forgotten after a clean SS_AUTH_BAN_TIME_MAX. Whitelisted sources and addresses configured on a
 * gateway are never banned or rate-limited. A username lock refuses digest only from sources other than the
 * gateway's listed IPs and the addresses it last authenticated from, so an attacker cannot lock a real gateway out;
 * and the per-username limit sits above the per-source one, so one address is banned before it can lock anything.
 */
export class SourceGuard implements AuthRefusalObserver {
  readonly bans: BanStore
  private readonly failures: FailureWindow
  private readonly limiter: RateLimiter
  private readonly config: GuardSnapshotSource
  private readonly log: Logger
  private readonly observer: BanObserver | undefined
  private readonly judge: GuardJudge | undefined
  /** This worker's fraction of pike and the per-source transaction cap (1 in one process and at the judge). */
  readonly share: number
  private readonly suspects = new Set<string>()
  private readonly configured = new WeakMap<ConfigSnapshot, Set<string>>()
  private readonly lastGood = new Map<string, string[]>()
  private readonly userLocks = new Map<string, number>()
  private readonly refusals: Metric
  private readonly bansMade: Metric
  private readonly locks: CounterSeries

  constructor(opts: SourceGuardOptions) {
    this.config = opts.config
    this.bans = opts.bans ?? new MemoryBanStore()
    this.failures = opts.failures ?? new MemoryFailureWindow()
    this.limiter = opts.limiter ?? new MemoryRateLimiter()
    this.log = opts.log ?? silentLogger
    this.observer = opts.observer
    this.judge = opts.judge
    this.share = opts.share ?? 1
    const m = opts.metrics
    this.refusals = m.counter('policy_auth_refusals_total', 'Refused authentication attempts, by reason', ['reason'])
    this.bansMade = m.counter('security_bans_total', 'Sources banned automatically, by reason', ['reason'])
    this.locks = m.counter('security_user_locks_total', 'Usernames locked after guessing from other sources').labels()
    // Every worker and the primary hold every ban of the node: /metrics takes the maximum, not the sum.
    m.gauge('security_bans_active', 'Sources shut out now: this node\'s bans plus active blacklist entries', [], () => this.activeCount()).aggregate('max')
  }

  /** True for whitelisted sources and addresses configured on a mapping or routing gateway: never banned or rate-limited. */
  trusted(snapshot: ConfigSnapshot, ip: string): boolean {
    if (snapshot.accessList.whitelisted(ip)) return true
    let known = this.configured.get(snapshot)
    if (known === undefined) this.configured.set(snapshot, (known = configuredAddresses(snapshot)))
    return known.has(ip)
  }

  /**
   * What shuts the source out at `nowMs`, or null. An operator's blacklist entry holds unless the source is
   * whitelisted; an automatic ban (this node's, or one persisted by any core) never holds for a trusted source, so an
   * address that becomes a gateway's after its ban is served at once.
   */
  shutOut(snapshot: ConfigSnapshot, ip: string, nowMs: number): ShutOut | null {
    const list = snapshot.accessList
    const row = list.blacklisted(ip, nowMs)
    if (row !== undefined && row.origin === 'operator') return list.whitelisted(ip) ? null : { reason: row.reason, untilMs: row.expiresAtMs }
    const ban = row === undefined ? this.bans.get(ip, nowMs) : undefined
    if (row === undefined && (ban === undefined || ban.untilMs <= nowMs)) return null
    if (this.trusted(snapshot, ip)) return null
    return row !== undefined ? { reason: row.reason, untilMs: row.expiresAtMs } : { reason: ban!.reason, untilMs: ban!.untilMs }
  }

  /**
   * Pike: takes one request from the source's bucket (this worker's share of SS_PIKE_RATE and SS_PIKE_BURST); over
   * it the source is banned and true returned. A worker of several shuts the source out at once and asks the judge
   * for the node's ban.
   */
  overRate(snapshot: ConfigSnapshot, ip: string, nowMs: number): boolean {
    const p = snapshot.params
    if (this.limiter.take(ip, nowMs, p.SS_PIKE_RATE * this.share, Math.max(1, p.SS_PIKE_BURST * this.share))) return false
    // One ban per flood: requests still arriving while it holds do not make it longer.
    const current = this.bans.get(ip, nowMs)
    if (current === undefined || current.untilMs <= nowMs) this.ban(snapshot, ip, 'request_flood', nowMs, p.SS_PIKE_BAN_TIME)
    return true
  }

  /** This worker's share of SS_MAX_TRANSACTIONS_PER_SOURCE (rounded up). */
  transactionCap(snapshot: ConfigSnapshot): number {
    return Math.ceil(snapshot.params.SS_MAX_TRANSACTIONS_PER_SOURCE * this.share)
  }

  /** Counts one refused attempt: towards the source's ban and, from unknown addresses, towards locking the username. */
  onAuthRefused(e: AuthRefusal): void {
    this.refusals.inc(1, e.reason)
    const snapshot = this.config.current
    const p = snapshot.params
    const ban = !this.trusted(snapshot, e.sourceIp)
    let lock = false
    if (e.mappingGatewayId !== null && LOCKING.has(e.reason) && p.SS_AUTH_USER_LOCK_TIME !== 0) {
      const gateway = snapshot.mappingGateways.get(e.mappingGatewayId)
      lock = gateway !== undefined && !this.knownAddress(snapshot, gateway, e.sourceIp)
    }
    if (!ban && !lock) return
    const counted: CountedRefusal = { ip: e.sourceIp, atMs: e.atMs, gatewayId: e.mappingGatewayId, ban, lock }
    if (this.judge === undefined) return this.count(counted)
    if (ban) {
      if (this.suspects.size >= MAX_SUSPECTS) this.suspects.delete(this.suspects.values().next().value!)
      this.suspects.add(e.sourceIp)
    }
    this.judge.refused(counted)
  }

  /**
   * The judge's count of a refused attempt (in one process, of every attempt; in the primary, of what every worker
   * reported): SS_AUTH_FAIL_LIMIT within the window bans the source, SS_AUTH_USER_LOCK_FAILURES locks the username.
   */
  count(r: CountedRefusal): void {
    const snapshot = this.config.current
    const p = snapshot.params
    const windowMs = p.SS_AUTH_FAIL_WINDOW * 1000
    if (r.ban) {
      const key = 'ip ' + r.ip
      if (this.failures.hit(key, r.atMs, windowMs, p.SS_AUTH_FAIL_LIMIT) >= p.SS_AUTH_FAIL_LIMIT) {
        this.failures.clear(key)
        this.ban(snapshot, r.ip, 'auth_failures', r.atMs, p.SS_AUTH_BAN_TIME)
      }
    }
    if (!r.lock || r.gatewayId === null || p.SS_AUTH_USER_LOCK_TIME === 0) return
    const key = 'user ' + r.gatewayId
    if (this.failures.hit(key, r.atMs, windowMs, p.SS_AUTH_USER_LOCK_FAILURES) >= p.SS_AUTH_USER_LOCK_FAILURES) {
      this.failures.clear(key)
      const untilMs = r.atMs + p.SS_AUTH_USER_LOCK_TIME * 1000
      this.lockUser(r.gatewayId, untilMs)
      this.locks.inc()
      this.log.warn('username locked after failed attempts from other sources', { mappingGatewayId: r.gatewayId, lockSec: p.SS_AUTH_USER_LOCK_TIME })
      this.observer?.onUserLock?.(r.gatewayId, untilMs)
    }
  }

  /** The judge's verdict on an offence a worker saw: a ban unless one holds already (several workers report one flood). */
  judgeOffence(o: Offence): Ban | null {
    const current = this.bans.get(o.ip, o.atMs)
    if (current !== undefined && current.untilMs > o.atMs) return null
    return this.ban(this.config.current, o.ip, o.reason, o.atMs, o.baseSec)
  }

  /**
   * A ban another node decided (read from Redis): kept unless this node holds a longer one already, or an operator
   * removed it (it reached the database before the current snapshot was read, which lacks it). The same ban again
   * once its node wrote it to the database brings the time it did, so an operator's removal lifts it here too.
   */
  adopt(ban: Ban, nowMs: number): boolean {
    if (ban.forgetAtMs <= nowMs) return false
    const snapshot = this.config.current
    const persisted = ban.persistedAtMs ?? null
    if (persisted !== null && persisted < snapshot.loadedAtMs && !snapshot.accessList.blacklistByCidr.has(hostCidr(ban.ip))) return false
    const current = this.bans.get(ban.ip, nowMs)
    const longer = current === undefined || current.untilMs < ban.untilMs || current.offences < ban.offences
    const stamped = current !== undefined && current.persistedAtMs === null && persisted !== null && current.sinceMs === ban.sinceMs
    if (!longer && !stamped) return false
    this.bans.put({ ...ban, persistedAtMs: persisted })
    return true
  }

  /** Locks the gateway's username until `untilMs` (decided here, by the primary, or by another node). */
  lockUser(gatewayId: string, untilMs: number): void {
    if ((this.userLocks.get(gatewayId) ?? 0) < untilMs) this.userLocks.set(gatewayId, untilMs)
  }

  /** Usernames locked now, for a starting worker. */
  activeLocks(nowMs: number): [string, number][] {
    return [...this.userLocks].filter(([, until]) => until > nowMs)
  }

  /** The source's failures are forgotten (a verified digest, here or on a worker). */
  clearFailures(ip: string): void {
    this.failures.clear('ip ' + ip)
  }

  /** True while the gateway's username is locked and `ip` is not one of its known addresses. */
  userLocked(snapshot: ConfigSnapshot, gateway: Readonly<MappingGatewayRow>, ip: string, nowMs: number): boolean {
    const until = this.userLocks.get(gateway.id)
    if (until === undefined) return false
    if (until <= nowMs) {
      this.userLocks.delete(gateway.id)
      return false
    }
    return !this.knownAddress(snapshot, gateway, ip)
  }

  /** A digest verified from `ip`: it becomes one of the gateway's known addresses and the source's failures are forgotten. */
  onAuthenticated(gatewayId: string, ip: string): void {
    this.failures.clear('ip ' + ip)
    this.failures.clear('challenge ' + ip)
    if (this.judge !== undefined && this.suspects.delete(ip)) this.judge.cleared(ip)
    const known = this.lastGood.get(gatewayId)
    if (known === undefined) return void this.lastGood.set(gatewayId, [ip])
    if (known[0] === ip) return
    const at = known.indexOf(ip)
    if (at !== -1) known.splice(at, 1)
    known.unshift(ip)
    if (known.length > KNOWN_ADDRESSES) known.length = KNOWN_ADDRESSES
  }

  /** The source sent credentials: its unanswered challenges are answered. */
  onCredentials(ip: string): void {
    this.failures.clear('challenge ' + ip)
  }

  /** The source was challenged; true each time it has left SS_AUTH_CHALLENGE_LIMIT challenges unanswered in the window. */
  onChallenge(snapshot: ConfigSnapshot, ip: string, nowMs: number): boolean {
    if (this.trusted(snapshot, ip)) return false
    const p = snapshot.params
    const key = 'challenge ' + ip
    if (this.failures.hit(key, nowMs, p.SS_AUTH_FAIL_WINDOW * 1000, p.SS_AUTH_CHALLENGE_LIMIT) < p.SS_AUTH_CHALLENGE_LIMIT) return false
    this.failures.clear(key)
    return true
  }

  /**
   * Bans the source: its offence count (this node's memory, or the persisted row a restart left) plus one, for
   * `baseSec` doubled per earlier offence, at most SS_AUTH_BAN_TIME_MAX. A trusted source is never banned.
   */
  ban(snapshot: ConfigSnapshot, ip: string, reason: BanReason, nowMs: number, baseSec: number): Ban | null {
    if (this.trusted(snapshot, ip)) return null
    const p = snapshot.params
    const maxMs = p.SS_AUTH_BAN_TIME_MAX * 1000
    const previous = this.bans.get(ip, nowMs)
    const row = snapshot.accessList.blacklistByCidr.get(hostCidr(ip))
    const persisted = row !== undefined && row.origin === 'core' && (row.expiresAtMs ?? 0) + maxMs > nowMs ? row.offences : 0
    const offences = Math.max(previous?.offences ?? 0, persisted) + 1
    const periodMs = Math.min(baseSec * 1000 * 2 ** Math.min(offences - 1, 30), maxMs)
    const ban: Ban = { ip, reason, offences, sinceMs: nowMs, untilMs: nowMs + periodMs, forgetAtMs: nowMs + periodMs + maxMs, persistedAtMs: null }
    this.bans.put(ban)
    if (this.judge !== undefined) {
      // Shut out here at once; the judge decides the node's ban and sends it to every worker.
      this.judge.offence({ ip, reason, atMs: nowMs, baseSec })
      return ban
    }
    this.bansMade.inc(1, reason)
    this.log.warn('source banned', { ip, reason, offences, banSec: Math.round(periodMs / 1000) })
    this.observer?.onBan(ban)
    return ban
  }

  /**
   * A new snapshot: a ban that reached the database before the snapshot was read and is missing from it was removed
   * by an operator, so it is lifted here too (with its count).
   */
  onConfigSwap(next: ConfigSnapshot): void {
    for (const b of [...this.bans.values()]) {
      if (b.persistedAtMs !== null && b.persistedAtMs < next.loadedAtMs && !next.accessList.blacklistByCidr.has(hostCidr(b.ip))) {
        this.bans.delete(b.ip)
        this.log.info('ban lifted by an operator', { ip: b.ip })
      }
    }
  }

  private knownAddress(snapshot: ConfigSnapshot, gateway: Readonly<MappingGatewayRow>, ip: string): boolean {
    return gateway.ips.includes(ip) || (this.lastGood.get(gateway.id)?.includes(ip) ?? false) || snapshot.accessList.whitelisted(ip)
  }

  private activeCount(): number {
    const now = Date.now()
    const list = this.config.current.accessList
    let n = list.activeBlacklist(now)
    for (const b of this.bans.values()) if (b.untilMs > now && list.blacklisted(b.ip, now) === undefined) n++
    return n
  }
}
