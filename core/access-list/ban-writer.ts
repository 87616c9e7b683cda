// Writes this node's automatic bans to ip_access_list, so they survive a restart and show in the API, and deletes the ones long forgotten.
import { and, eq, lt } from 'drizzle-orm'
import { ipAccessList } from '../../shared/db/schema.js'
import type { Db } from '../../shared/db/node/database.js'
import type { Clock, TimerHandle } from '../lib/clock.js'
import type { Logger } from '../lib/log.js'
import type { Ban } from '../policy/guard/ban-store.js'
import { hostCidr, type BanObserver } from '../policy/guard/source-guard.js'

/** Options for the writer. */
export interface BanWriterOptions {
  db: Db
  clock: Clock
  log: Logger
  nodeId: string
  /** SS_AUTH_BAN_TIME_MAX in ms, read when pruning: an automatic ban expired longer ago than this is deleted. */
  forgetAfterMs: () => number
  /** Wait before retrying a failed write (default 5 s). */
  retryMs?: number
  /** How often forgotten bans are pruned (default 10 min). */
  pruneEveryMs?: number
  /** Told once a ban is in the database (a node's primary passes the time to its workers). */
  onPersisted?: (ban: Ban) => void
}

/**
 * Upserts each ban by (blacklist, address) with its reason, count and expiry, then marks it persisted (the guard
 * lifts a persisted ban an operator deleted). Writes are serialized and never throw: a failed one is retried, the
 * ban stays in force in memory meanwhile. The writes do not bump the config version: the edge reads the table
 * directly, and other cores learn them with their next snapshot.
 */
export class BanWriter implements BanObserver {
  private readonly pending = new Map<string, Ban>()
  private running: Promise<void> | null = null
  private timer: TimerHandle | null = null
  private lastPruneMs = Number.NEGATIVE_INFINITY
  private stopped = false

  constructor(private readonly opts: BanWriterOptions) {}

  onBan(ban: Ban): void {
    this.pending.set(ban.ip, ban)
    if (this.running === null && this.timer === null && !this.stopped) this.running = this.flush().finally(() => (this.running = null))
  }

  /** Writes what is pending now (the shutdown waits for it). */
  async stop(): Promise<void> {
    this.stopped = true
    this.timer?.cancel()
    this.timer = null
    await this.running
    if (this.pending.size > 0) await this.flush()
  }

  private async flush(): Promise<void> {
    const { db, clock, log, nodeId } = this.opts
    while (this.pending.size > 0) {
      const [ip, ban] = this.pending.entries().next().value as [string, Ban]
      const nowMs = Math.floor(clock.now())
      try {
        const set = { reason: ban.reason, origin: 'core' as const, offences: ban.offences, expiresAtMs: ban.untilMs, nodeId, updatedAtMs: nowMs }
        await db.insert(ipAccessList)
          .values({ id: `ban_${nowMs.toString(36)}${Math.random().toString(36).slice(2, 10)}`, list: 'blacklist', cidr: hostCidr(ip), note: null, createdAtMs: nowMs, ...set })
          .onConflictDoUpdate({ target: [ipAccessList.list, ipAccessList.cidr], set })
        if (this.pending.get(ip) === ban) this.pending.delete(ip)
        ban.persistedAtMs = nowMs
        this.opts.onPersisted?.(ban)
      } catch (err) {
        log.warn('writing a ban failed; retrying', { ip, err })
        if (this.stopped) return
        this.timer = clock.after(this.opts.retryMs ?? 5_000, () => {
          this.timer = null
          if (this.running === null) this.running = this.flush().finally(() => (this.running = null))
        })
        return
      }
    }
    await this.prune()
  }

  /** Deletes automatic bans that ended longer than SS_AUTH_BAN_TIME_MAX ago (their count is forgotten by then). */
  private async prune(): Promise<void> {
    const nowMs = Math.floor(this.opts.clock.now())
    if (nowMs - this.lastPruneMs < (this.opts.pruneEveryMs ?? 600_000)) return
    this.lastPruneMs = nowMs
    try {
      await this.opts.db.delete(ipAccessList).where(and(eq(ipAccessList.origin, 'core'), lt(ipAccessList.expiresAtMs, nowMs - this.opts.forgetAfterMs())))
    } catch (err) {
      this.opts.log.warn('pruning forgotten bans failed', { err })
    }
  }
}
