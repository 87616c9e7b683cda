// The scheduled alert job. No alert rules exist yet (a later issue adds them), so a run reads the window it would judge and reports it.
import { and, count, gte, lt } from 'drizzle-orm'
import { cdrs } from '../../shared/db/schema.js'
import type { Queryable } from '../env.js'

/** What one run saw and did. */
export interface AlertJobRun {
  ranAtMs: number
  window: { fromMs: number; toMs: number }
  cdrsInWindow: number
  rulesEvaluated: number
  alertsFired: number
}

/** Default window judged by a run: the last minute, matching the `* * * * *` cron and ALERT_INTERVAL_MS. */
export const ALERT_WINDOW_MS = 60_000

/** Counts the calls that started in the window and logs one JSON line; evaluates no rules until alert rules exist. */
export async function runAlertJob(db: Queryable, nowMs: number = Date.now()): Promise<AlertJobRun> {
  const window = { fromMs: nowMs - ALERT_WINDOW_MS, toMs: nowMs }
  const rows = await db
    .select({ n: count() })
    .from(cdrs)
    .where(and(gte(cdrs.startedAtMs, window.fromMs), lt(cdrs.startedAtMs, window.toMs)))
  const run: AlertJobRun = { ranAtMs: nowMs, window, cdrsInWindow: rows[0]?.n ?? 0, rulesEvaluated: 0, alertsFired: 0 }
  console.log(JSON.stringify({ level: 'info', msg: 'alert job ran', ...run }))
  return run
}
