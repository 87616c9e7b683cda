// Bans and username locks shared by every core node in Redis (REDIS_URL), each expiring by itself: a ban decided on one node refuses the source on every node within one poll, and stays on its node alone while Redis is down.
import type { Clock, TimerHandle } from '../../lib/clock.js'
import type { Logger } from '../../lib/log.js'
import type { SharedState } from '../../shared-state/shared-state.js'
import type { Ban } from './ban-store.js'

/** What shared bans need of the node's link to Redis (shared-state.ts). */
export type EntryLink = Pick<SharedState, 'putEntry' | 'readEntries' | 'gen'>

/** Where bans and locks other nodes decided go (the guard; in a primary, every worker too). */
export interface SharedBanSink {
  ban(ban: Ban): void
  lock(gatewayId: string, untilMs: number): void
}

/** Construction options. */
export interface SharedBansOptions {
  link: EntryLink
  clock: Clock
  log: Logger
  apply: SharedBanSink
  /** This node's bans and locks in force, written again when Redis comes back (it may have lost them). */
  held: () => { bans: Iterable<Ban>; locks: Iterable<readonly [string, number]> }
  /** How often other nodes' entries are read (default BAN_POLL_MS). */
  pollMs?: number
}

/** Other nodes' bans are read this often: a ban reaches every node within this plus two Redis round trips. */
export const BAN_POLL_MS = 1_000

/** Entries waiting for Redis at most (a flood of bans while Redis is down keeps the newest). */
const MAX_PENDING = 10_000

interface Pending {
  value: string
  expiresAtMs: number
}

/**
 * Writes every ban (`ip <address>`, kept until its `forgetAtMs` so repeats grow on every node) and username lock
 * (`user <gateway id>`, until it ends) to Redis, and every `pollMs` reads what any node wrote since the last read.
 * A write that fails waits here and goes again at the next poll; after a reconnect (Redis may have restarted empty)
 * the node reads every entry again and writes its own bans and locks in force again.
 */
export class SharedBans {
  private seq = 0
  private gen = -1
  private readonly pending = new Map<string, Pending>()
  private timer: TimerHandle | null = null
  private busy = false
  private stopped = false

  constructor(private readonly opts: SharedBansOptions) {}

  /** A ban this node decided: every node keeps it until it is forgotten. */
  publishBan(ban: Ban): void {
    this.put('ip ' + ban.ip, JSON.stringify(ban), ban.forgetAtMs)
  }

  /** A username this node locked until `untilMs`. */
  publishLock(gatewayId: string, untilMs: number): void {
    this.put('user ' + gatewayId, JSON.stringify({ untilMs }), untilMs)
  }

  /** Starts polling. */
  start(): void {
    this.schedule()
  }

  /** Stops polling; what still waits for Redis is dropped (it lapses with the bans themselves). */
  stop(): void {
    this.stopped = true
    this.timer?.cancel()
    this.timer = null
  }

  /** One poll: after a reconnect everything again, then pending writes, then what others wrote. */
  async poll(): Promise<void> {
    if (this.busy) return
    this.busy = true
    try {
      const now = this.opts.clock.now()
      if (this.opts.link.gen !== this.gen) {
        this.gen = this.opts.link.gen
        this.seq = 0
        const held = this.opts.held()
        for (const b of held.bans) if (b.untilMs > now) this.pending.set('ip ' + b.ip, { value: JSON.stringify(b), expiresAtMs: b.forgetAtMs })
        for (const [id, until] of held.locks) if (until > now) this.pending.set('user ' + id, { value: JSON.stringify({ untilMs: until }), expiresAtMs: until })
      }
      for (const [name, p] of [...this.pending]) {
        if (p.expiresAtMs <= now) {
          this.pending.delete(name)
          continue
        }
        if (!(await this.opts.link.putEntry(name, p.value, p.expiresAtMs - now))) return
        if (this.pending.get(name) === p) this.pending.delete(name)
      }
      const read = await this.opts.link.readEntries(this.seq)
      if (read === null) return
      this.seq = read.seq
      for (const [name, value] of read.entries) this.take(name, value)
    } finally {
      this.busy = false
    }
  }

  private put(name: string, value: string, expiresAtMs: number): void {
    const now = this.opts.clock.now()
    if (expiresAtMs <= now) return
    const p: Pending = { value, expiresAtMs }
    this.opts.link.putEntry(name, value, expiresAtMs - now).then((ok) => {
      if (ok) return
      if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!)
      this.pending.set(name, p)
    }, () => this.pending.set(name, p))
  }

  private take(name: string, value: string): void {
    try {
      const v = JSON.parse(value) as Record<string, unknown>
      if (name.startsWith('ip ')) {
        const ban = v as unknown as Ban
        if (typeof ban.ip === 'string' && typeof ban.untilMs === 'number' && typeof ban.offences === 'number') this.opts.apply.ban(ban)
      } else if (name.startsWith('user ') && typeof v['untilMs'] === 'number') {
        this.opts.apply.lock(name.slice(5), v['untilMs'])
      }
    } catch (err) {
      this.opts.log.warn('unreadable shared ban entry ignored', { name, err })
    }
  }

  private schedule(): void {
    if (this.stopped) return
    this.timer = this.opts.clock.after(this.opts.pollMs ?? BAN_POLL_MS, () => {
      this.timer = null
      this.poll().catch((err: unknown) => this.opts.log.warn('shared bans poll failed', { err })).finally(() => this.schedule())
    })
  }
}
