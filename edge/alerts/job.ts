// The scheduled alert job (Worker cron and Node interval alike): claim the lease, measure and evaluate the rules, record alerts, deliver webhooks.
import { silentLogger, type Logger } from '../../shared/log/logger.js'
import { eq } from 'drizzle-orm'
import { alertRules, alerts } from '../../shared/db/schema.js'
import type { Queryable } from '../env.js'
import { newId } from '../ids.js'
import { DEFAULT_RETRY_POLICY, deliverDue, type DeliveryCounts, type RetryPolicy } from './deliveries.js'
import { evaluateRules } from './evaluate.js'
import { claimLease, releaseLease } from './lease.js'
import { measureRules } from './measure.js'
import { recordTransitions, type Recorded } from './record.js'
import type { FetchLike } from './webhook.js'

/** Name of the lease row every alert run claims. */
export const ALERT_LEASE = 'alerts'
/** How long a claimed lease lasts; longer than a run can take (in-run retries are bounded), so a crashed run frees it within minutes. */
export const ALERT_LEASE_MS = 300_000

/** What one run saw and did. */
export interface AlertJobRun extends Recorded {
  ranAtMs: number
  /** False when another run held the lease: this one evaluated and sent nothing. */
  claimed: boolean
  rulesEvaluated: number
  deliveries: DeliveryCounts
  /** Set when the run stopped early on an unexpected failure (db unreachable...); the job never throws. */
  error?: string
}

/** Knobs for tests and runtimes; every one has a production default. */
export interface AlertJobOptions extends Partial<RetryPolicy> {
  clock?: () => number
  fetch?: FetchLike
  sleep?: (ms: number) => Promise<void>
  /** Who claims the lease (default: a fresh id per run). */
  holder?: string
  leaseMs?: number
  /** Where the run reports (default: nowhere); the runtimes pass their logger with `job: 'alerts'`. */
  log?: Logger
}

/** Runs the alert job once; returns what it did and never throws (failures are logged and reported in `error`). */
export async function runAlertJob(db: Queryable, options: AlertJobOptions = {}): Promise<AlertJobRun> {
  const clock = options.clock ?? Date.now
  const log = options.log ?? silentLogger
  const nowMs = clock()
  const holder = options.holder ?? newId('run', nowMs)
  const run: AlertJobRun = {
    ranAtMs: nowMs, claimed: false, rulesEvaluated: 0, fired: 0, repeated: 0, resolved: 0, deliveriesQueued: 0,
    deliveries: { delivered: 0, failed: 0, retrying: 0 },
  }
  try {
    run.claimed = await claimLease(db, ALERT_LEASE, holder, nowMs, options.leaseMs ?? ALERT_LEASE_MS)
  } catch (err) {
    run.error = `claiming the lease failed: ${String(err)}`
    log.error('alert job: claiming the lease failed', { ...run })
    return run
  }
  if (!run.claimed) {
    log.info('alert job: another run holds the lease; skipped', { ...run })
    return run
  }
  try {
    const rules = await db.select().from(alertRules).where(eq(alertRules.enabled, true))
    const firing = await db.select().from(alerts).where(eq(alerts.state, 'firing'))
    const measurements = await measureRules(db, rules, nowMs)
    run.rulesEvaluated = rules.length
    Object.assign(run, await recordTransitions(db, evaluateRules(rules, measurements, firing, nowMs), measurements, nowMs, log))
    run.deliveries = await deliverDue(db, nowMs, {
      ...DEFAULT_RETRY_POLICY,
      ...Object.fromEntries(Object.entries({ timeoutMs: options.timeoutMs, retryDelaysMs: options.retryDelaysMs, maxInRunDelayMs: options.maxInRunDelayMs }).filter(([, v]) => v !== undefined)),
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      clock,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      log,
    })
  } catch (err) {
    run.error = String(err)
  } finally {
    await releaseLease(db, ALERT_LEASE, holder).catch((err: unknown) => log.warn('alert job: releasing the lease failed; it expires by itself', { err }))
  }
  if (run.error === undefined) log.info('alert job ran', { ...run })
  else log.error('alert job failed', { ...run })
  return run
}
