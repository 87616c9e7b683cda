// Ends calls an operator hung up through the database: polls `call_hangups` for this node's pending rows, claims each with one conditional UPDATE, then ends the call with OperatorHangup.
import { and, asc, eq } from 'drizzle-orm'
import { callHangups } from '../../shared/db/schema.js'
import type { Db } from '../../shared/db/node/database.js'
import type { Clock } from '../lib/clock.js'
import { Periodic } from '../lib/periodic.js'
import type { Logger } from '../lib/log.js'

/** The calls of this node by id: whether one is in progress, and ending it (false when it is not); a node with several workers asks them. */
export interface CallHangupTarget {
  has(id: string): boolean | Promise<boolean>
  hangup(id: string): boolean | Promise<boolean>
}

/** Options for the runner; `sync` pulls the primary into an embedded replica before each poll. */
export interface HangupRunnerOptions {
  db: Db
  sync?: () => Promise<void>
  clock: Clock
  log: Logger
  nodeId: string
  calls: CallHangupTarget
  pollMs: number
}

/** Polls and acts on hang-up requests; never throws (a database error waits for the next poll). */
export class HangupRunner {
  private readonly loop: Periodic

  constructor(private readonly opts: HangupRunnerOptions) {
    this.loop = new Periodic(opts.clock, opts.pollMs, () => this.pollOnce())
  }

  /** Polls now and then every period. */
  start(): void {
    this.loop.start()
  }

  /** Stops polling and waits for a poll in flight. */
  async stop(): Promise<void> {
    await this.loop.stop()
  }

  /** One poll: claims and acts on every pending request for this node; resolves to how many calls it ended. */
  async pollOnce(): Promise<number> {
    const { db, nodeId, log } = this.opts
    let ended = 0
    try {
      await this.opts.sync?.()
      const pending = await db.select().from(callHangups)
        .where(and(eq(callHangups.nodeId, nodeId), eq(callHangups.status, 'pending'))).orderBy(asc(callHangups.requestedAtMs)).limit(50)
      for (const h of pending) {
        const nowMs = Math.floor(this.opts.clock.now())
        const found = await this.opts.calls.has(h.callId)
        // The claim is one conditional UPDATE: an edge that expired the request meanwhile keeps its answer, and the call stays up.
        const claimed = await db.update(callHangups)
          .set(found ? { status: 'done', completedAtMs: nowMs } : { status: 'failed', completedAtMs: nowMs, error: 'the call is no longer in progress on this node' })
          .where(and(eq(callHangups.id, h.id), eq(callHangups.status, 'pending'))).returning({ id: callHangups.id })
        if (claimed.length === 0 || !found) continue
        if (await this.opts.calls.hangup(h.callId)) ended++
        log.info('call hung up by an operator', { cdrId: h.callId, hangupId: h.id, keyId: h.requestedByKeyId })
      }
    } catch (err) {
      log.warn('hang-up poll failed; retrying next period', { err })
    }
    return ended
  }
}
