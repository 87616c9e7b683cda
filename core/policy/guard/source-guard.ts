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

/** Told of every automatic ban (the database writer persists it and sets `persistedAtMs`). */
export interface BanObserver {
  onBan(ban: Ban): void
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
}

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
    const m = opts.metrics
    this.refusals = m.counter('policy_auth_refusals_total', 'Refused authentication attempts, by reason', ['reason'])
    this.bansMade = m.counter('security_bans_total', 'Sources banned automatically, by reason', ['reason'])
    this.locks = m.counter('security_user_locks_total', 'Usernames locked after guessing from other sources').labels()
    m.gauge('security_bans_active', 'Sources shut out now: this node\'s bans plus active blacklist entries', [], () => this.activeCount())
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

  /** Pike: takes one request from the source's bucket; over SS_PIKE_RATE/SS_PIKE_BURST the source is banned and true returned. */
  overRate(snapshot: ConfigSnapshot, ip: string, nowMs: number): boolean {
    const p = snapshot.params
    if (this.limiter.take(ip, nowMs, p.SS_PIKE_RATE, p.SS_PIKE_BURST)) return false
    // One ban per flood: requests still arriving while it holds do not make it longer.
    const current = this.bans.get(ip, nowMs)
    if (current === undefined || current.untilMs <= nowMs) this.ban(snapshot, ip, 'request_flood', nowMs, p.SS_PIKE_BAN_TIME)
    return true
  }

  /** Counts one refused attempt: towards the source's ban and, from unknown addresses, towards locking the username. */
  onAuthRefused(e: AuthRefusal): void {
    this.refusals.inc(1, e.reason)
    const snapshot = this.config.current
    const p = snapshot.params
    const windowMs = p.SS_AUTH_FAIL_WINDOW * 1000
    if (!this.trusted(snapshot, e.sourceIp)) {
      const key = 'ip ' + e.sourceIp
      if (this.failures.hit(key, e.atMs, windowMs, p.SS_AUTH_FAIL_LIMIT) >= p.SS_AUTH_FAIL_LIMIT) {
        this.failures.clear(key)
        this.ban(snapshot, e.sourceIp, 'auth_failures', e.atMs, p.SS_AUTH_BAN_TIME)
      }
    }
    if (e.mappingGatewayId === null || !LOCKING.has(e.reason) || p.SS_AUTH_USER_LOCK_TIME === 0) return
    const gateway = snapshot.mappingGateways.get(e.mappingGatewayId)
    if (gateway === undefined || this.knownAddress(snapshot, gateway, e.sourceIp)) return
    const key = 'user ' + gateway.id
    if (this.failures.hit(key, e.atMs, windowMs, p.SS_AUTH_USER_LOCK_FAILURES) >= p.SS_AUTH_USER_LOCK_FAILURES) {
      this.failures.clear(key)
      this.userLocks.set(gateway.id, e.atMs + p.SS_AUTH_USER_LOCK_TIME * 1000)
      this.locks.inc()
      this.log.warn('username locked after failed attempts from other sources', { mappingGatewayId: gateway.id, lockSec: p.SS_AUTH_USER_LOCK_TIME })
    }
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
