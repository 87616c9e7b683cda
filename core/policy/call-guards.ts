// Per-call rate and fraud guards: calls per second of mapping gateways, accounts and routing gateways, allowed and blocked destinations, and the day's spend.
import type { AccountRow } from '../../shared/entities/account.js'
import type { MappingGatewayRow } from '../../shared/entities/mapping-gateway.js'
import type { TerminationReason } from '../../shared/termination/reasons.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import { burstOf, MemoryRateLimiter, type RateLimiter } from './guard/rate-limiter.js'
import { WHOLE_LIMITS, type LimitShare } from './limits.js'

/**
 * Money spent per account per calendar day (SS_TIMEZONE). The in-process counter holds this node's calls plus what
 * the database said at start; a shared one can replace it when several nodes serve one account.
 */
export interface SpendCounter {
  /** Adds a billed call's cost to its account's day. */
  add(accountId: string, amount: number, atMs: number): void
  /** What the account spent on the day of `atMs`. */
  spent(accountId: string, atMs: number): number
}

const dayFormats = new Map<string, Intl.DateTimeFormat>()

/** The calendar day of an instant in a time zone, `YYYY-MM-DD`. */
export function dayIn(timeZone: string, atMs: number): string {
  let f = dayFormats.get(timeZone)
  if (f === undefined) dayFormats.set(timeZone, (f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })))
  return f.format(atMs)
}

/** Spend per account for the current day only; a new day starts from zero. */
export class MemorySpendCounter implements SpendCounter {
  private readonly days = new Map<string, { day: string; amount: number }>()

  constructor(private readonly timeZone: () => string) {}

  add(accountId: string, amount: number, atMs: number): void {
    const day = dayIn(this.timeZone(), atMs)
    const d = this.days.get(accountId)
    if (d === undefined || d.day !== day) this.days.set(accountId, { day, amount })
    else d.amount += amount
  }

  spent(accountId: string, atMs: number): number {
    const d = this.days.get(accountId)
    return d !== undefined && d.day === dayIn(this.timeZone(), atMs) ? d.amount : 0
  }
}

/**
 * Whether the account may call `callee`: the longest prefix of either list that starts the number decides, so a
 * longer allowed prefix opens a range inside a blocked one; with allowed prefixes, a number matching none is blocked.
 */
export function destinationAllowed(account: Pick<AccountRow, 'allowedPrefixes' | 'blockedPrefixes'>, callee: string): boolean {
  const { allowedPrefixes: allowed, blockedPrefixes: blocked } = account
  if (allowed.length === 0 && blocked.length === 0) return true
  let best = -1
  let verdict = allowed.length === 0
  for (const p of allowed) if (p.length > best && callee.startsWith(p)) { best = p.length; verdict = true }
  for (const p of blocked) if (p.length > best && callee.startsWith(p)) { best = p.length; verdict = false }
  return verdict
}

/** Calls per second and spend, checked at admission and per attempt; the limiter is shared with nothing else. */
export class CallGuards {
  readonly spend: SpendCounter
  private readonly limiter: RateLimiter
  /** The part of each limit this node checks against (cluster-limits.ts sets it when Redis is configured). */
  share: LimitShare = WHOLE_LIMITS

  constructor(opts: { spend: SpendCounter; limiter?: RateLimiter }) {
    this.spend = opts.spend
    this.limiter = opts.limiter ?? new MemoryRateLimiter()
  }

  /**
   * The reason a new call of this gateway and account is refused before routing (destination, the day's spend,
   * calls per second of the gateway then the account, concurrent calls), or null. A refused call still used its
   * calls-per-second token: the limit paces attempts, as VOS3000's does.
   */
  refusal(gateway: Readonly<MappingGatewayRow>, account: Readonly<AccountRow>, callee: string, concurrent: number, nowMs: number): TerminationReason | null {
    if (!destinationAllowed(account, callee)) return 'DestinationBlocked'
    if (account.dailySpendLimit > 0 && this.spend.spent(account.id, nowMs) >= account.dailySpendLimit) return 'DailySpendLimitExceeded'
    if (gateway.cpsLimit > 0 && !this.takeShare('m ' + gateway.id, nowMs, gateway.cpsLimit, gateway.cpsBurst)) return 'CpsLimitExceeded'
    if (account.cpsLimit > 0 && !this.takeShare('a ' + account.id, nowMs, account.cpsLimit, account.cpsBurst)) return 'CpsLimitExceeded'
    if (account.maxConcurrentCalls > 0 && concurrent >= this.share.lines(account.maxConcurrentCalls)) return 'AccountConcurrentCallsExceeded'
    return null
  }

  /** True while the routing gateway has a call-per-second token left (not taken). */
  gatewayCpsAvailable(snapshot: ConfigSnapshot, routingGatewayId: string, nowMs: number): boolean {
    const rg = snapshot.routingGateways.get(routingGatewayId)
    if (rg === undefined || rg.cpsLimit === 0) return true
    const f = this.share.rate
    return this.limiter.peek('r ' + rg.id, nowMs, rg.cpsLimit * f, shareOfBurst(rg.cpsLimit, rg.cpsBurst, f))
  }

  /** Takes one attempt from the routing gateway's calls per second; false when it has none left now. */
  takeGatewayCps(snapshot: ConfigSnapshot, routingGatewayId: string, nowMs = Date.now()): boolean {
    const rg = snapshot.routingGateways.get(routingGatewayId)
    if (rg === undefined || rg.cpsLimit === 0) return true
    return this.takeShare('r ' + rg.id, nowMs, rg.cpsLimit, rg.cpsBurst)
  }

  /** Takes a token from this node's share of a rate and its burst. */
  private takeShare(key: string, nowMs: number, rate: number, burst: number): boolean {
    const f = this.share.rate
    return this.limiter.take(key, nowMs, rate * f, shareOfBurst(rate, burst, f))
  }
}

/** This node's part of a bucket: the burst scaled like the rate, at least one call. */
function shareOfBurst(rate: number, burst: number, f: number): number {
  const b = burstOf(rate, burst)
  return f === 1 ? b : Math.max(1, Math.floor(b * f))
}
