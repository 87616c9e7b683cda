// Sends every due webhook delivery in parallel with retries and backoff (short waits inside the run, longer ones across runs), recording each attempt.
import { silentLogger, type Logger } from '../../shared/log/logger.js'
import { and, asc, eq, lte } from 'drizzle-orm'
import { alertDeliveries, webhooks } from '../../shared/db/schema.js'
import type { AlertDeliveryRow } from '../../shared/entities/alert.js'
import type { WebhookRow } from '../../shared/entities/webhook.js'
import type { Queryable } from '../env.js'
import { postWebhook, type FetchLike } from './webhook.js'

/** How deliveries are retried: after attempt n fails, wait retryDelaysMs[n-1]; none left -> failed. */
export interface RetryPolicy {
  /** Per-attempt timeout. */
  timeoutMs: number
  /** Delay before each retry; its length + 1 is the number of attempts before a delivery is failed. */
  retryDelaysMs: readonly number[]
  /** Delays up to this are waited inside the run; longer ones leave the delivery pending for a later run. */
  maxInRunDelayMs: number
}

/** Standard Webhooks' suggested schedule, shortened: now, 5 s, 1 min, 5 min, 30 min, 2 h (6 attempts). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  timeoutMs: 5_000,
  retryDelaysMs: [5_000, 60_000, 300_000, 1_800_000, 7_200_000],
  maxInRunDelayMs: 10_000,
}

/** What sending needs besides the database: the policy, fetch, the clock and a way to wait. */
export interface DeliveryOptions extends RetryPolicy {
  fetch: FetchLike
  clock: () => number
  sleep: (ms: number) => Promise<void>
  /** Where failures to record a delivery go (default: nowhere). */
  log?: Logger
}

/** How the due deliveries of one run ended. */
export interface DeliveryCounts {
  delivered: number
  failed: number
  retrying: number
}

type Outcome = keyof DeliveryCounts | 'taken'

/** Most deliveries one run picks up (the rest wait for the next run). */
const MAX_DUE_PER_RUN = 500

/** Attempts one delivery until it is delivered, failed or left for a later run; never throws. */
async function deliverOne(db: Queryable, d: AlertDeliveryRow, w: WebhookRow | null, o: DeliveryOptions): Promise<Outcome> {
  const settle = (set: Partial<AlertDeliveryRow>) => db.update(alertDeliveries).set(set).where(eq(alertDeliveries.id, d.id))
  if (w === null || !w.enabled) {
    await settle({ status: 'failed', nextAttemptAtMs: null, lastError: w === null ? 'webhook deleted' : 'webhook disabled' })
    return 'failed'
  }
  let attempts = d.attempts
  for (;;) {
    const atMs = o.clock()
    // Claim this attempt: only the runner that moves `attempts` from n to n + 1 sends it, even if a lease was lost.
    const claimed = await db
      .update(alertDeliveries)
      .set({ attempts: attempts + 1, lastAttemptAtMs: atMs })
      .where(and(eq(alertDeliveries.id, d.id), eq(alertDeliveries.status, 'pending'), eq(alertDeliveries.attempts, attempts)))
      .returning({ id: alertDeliveries.id })
    if (claimed.length === 0) return 'taken'
    attempts += 1
    const result = await postWebhook(o.fetch, w, { id: d.id, body: d.body }, { nowMs: atMs, timeoutMs: o.timeoutMs })
    if (result.ok) {
      await settle({ status: 'delivered', lastStatusCode: result.status, lastError: null, nextAttemptAtMs: null })
      return 'delivered'
    }
    const delay = o.retryDelaysMs[attempts - 1]
    if (delay === undefined) {
      await settle({ status: 'failed', lastStatusCode: result.status, lastError: result.error, nextAttemptAtMs: null })
      return 'failed'
    }
    await settle({ lastStatusCode: result.status, lastError: result.error, nextAttemptAtMs: atMs + delay })
    if (delay > o.maxInRunDelayMs) return 'retrying'
    await o.sleep(delay)
  }
}

/** Sends every pending delivery due at nowMs, all receivers in parallel so one slow or failing receiver holds up no other. */
export async function deliverDue(db: Queryable, nowMs: number, o: DeliveryOptions): Promise<DeliveryCounts> {
  const due = await db
    .select({ d: alertDeliveries, w: webhooks })
    .from(alertDeliveries)
    .leftJoin(webhooks, eq(webhooks.id, alertDeliveries.webhookId))
    .where(and(eq(alertDeliveries.status, 'pending'), lte(alertDeliveries.nextAttemptAtMs, nowMs)))
    .orderBy(asc(alertDeliveries.createdAtMs))
    .limit(MAX_DUE_PER_RUN)
  const log = o.log ?? silentLogger
  const outcomes = await Promise.all(
    due.map(({ d, w }) =>
      deliverOne(db, d, w, o).catch((err: unknown): Outcome => {
        log.error('alert job: recording a delivery failed', { deliveryId: d.id, err })
        return 'retrying'
      }),
    ),
  )
  const counts: DeliveryCounts = { delivered: 0, failed: 0, retrying: 0 }
  for (const outcome of outcomes) if (outcome !== 'taken') counts[outcome] += 1
  return counts
}
