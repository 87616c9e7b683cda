// Runs on-demand network tests asked for through the database: polls `network_tests` for pending rows, claims one atomically, probes with OPTIONS and writes the result.
import { and, asc, eq, lt } from 'drizzle-orm'
import { networkTests } from '../../shared/db/schema.js'
import type { Db } from '../../shared/db/node/database.js'
import type { Clock } from '../lib/clock.js'
import { Periodic } from '../lib/periodic.js'
import type { Logger } from '../lib/log.js'
import type { NetworkTestResult } from '../gateway-probes/options-request.js'

/** Default poll period (ms): the edge waits for the result, so a test starts within this. */
export const NETWORK_TEST_POLL_MS = 500

/** Pending requests older than this are failed as expired (the edge stopped waiting long ago). */
export const NETWORK_TEST_EXPIRE_MS = 60_000

/** What runs one test (the OptionsChecker). */
export interface NetworkProber {
  networkTest(gateway: { host: string; port: number }, count: number, intervalMs: number): Promise<NetworkTestResult>
}

/** Options for the runner; `sync` pulls the primary into an embedded replica before each poll. */
export interface NetworkTestRunnerOptions {
  db: Db
  sync?: () => Promise<void>
  clock: Clock
  log: Logger
  nodeId: string
  prober: NetworkProber
  pollMs?: number
}

/** Polls, claims and runs network tests; never throws (a database error waits for the next poll). */
export class NetworkTestRunner {
  private readonly loop: Periodic
  private readonly running = new Set<Promise<void>>()

  constructor(private readonly opts: NetworkTestRunnerOptions) {
    this.loop = new Periodic(opts.clock, opts.pollMs ?? NETWORK_TEST_POLL_MS, () => this.pollOnce())
  }

  /** Polls now and then every period. */
  start(): void {
    this.loop.start()
  }

  /** Stops polling and waits for tests in progress. */
  async stop(): Promise<void> {
    await this.loop.stop()
    await Promise.all(this.running)
  }

  /** One poll: expire stale requests, claim and start every pending one; resolves once they are started. */
  async pollOnce(): Promise<number> {
    const { db, clock, nodeId } = this.opts
    const now = Math.floor(clock.now())
    try {
      await this.opts.sync?.()
      await db.update(networkTests).set({ status: 'failed', error: 'expired: no core claimed it in time', completedAtMs: now })
        .where(and(eq(networkTests.status, 'pending'), lt(networkTests.requestedAtMs, now - NETWORK_TEST_EXPIRE_MS)))
      const pending = await db.select().from(networkTests).where(eq(networkTests.status, 'pending')).orderBy(asc(networkTests.requestedAtMs)).limit(10)
      let started = 0
      for (const t of pending) {
        // The claim is one conditional UPDATE: of several cores polling, exactly one sees its row change.
        const claimed = await db.update(networkTests).set({ status: 'running', nodeId, startedAtMs: now })
          .where(and(eq(networkTests.id, t.id), eq(networkTests.status, 'pending'))).returning({ id: networkTests.id })
        if (claimed.length === 0) continue
        started++
        const run = this.run(t.id, t.host, t.port, t.count, t.intervalMs)
        this.running.add(run)
        void run.finally(() => this.running.delete(run))
      }
      return started
    } catch (err) {
      this.opts.log.warn('network test poll failed; retrying next period', { err })
      return 0
    }
  }

  private async run(id: string, host: string, port: number, count: number, intervalMs: number): Promise<void> {
    const { db, clock, log } = this.opts
    let set: Partial<typeof networkTests.$inferInsert>
    try {
      const r = await this.opts.prober.networkTest({ host, port }, count, intervalMs)
      set = {
        status: 'done', sent: r.sent, received: r.received, lossRatio: r.lossRatio, lastCode: r.lastCode,
        rttMinMs: r.rttMs?.min ?? null, rttAvgMs: r.rttMs?.avg ?? null, rttMaxMs: r.rttMs?.max ?? null,
      }
      log.info('network test done', { networkTestId: id, target: `${host}:${port}`, ...r })
    } catch (err) {
      set = { status: 'failed', error: err instanceof Error ? err.message : String(err) }
      log.warn('network test failed', { networkTestId: id, err })
    }
    try {
      await db.update(networkTests).set({ ...set, completedAtMs: Math.floor(clock.now()) }).where(eq(networkTests.id, id))
    } catch (err) {
      log.warn('network test result not written', { networkTestId: id, err })
    }
  }
}
