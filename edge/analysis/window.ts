// The time window every analysis takes: `from`/`to` ISO times, `to` after `from`, at most MAX_ANALYSIS_WINDOW_MS long.
import { z } from 'zod'
import { isoTime } from '../../shared/entities/fields.js'

/** Longest window an analysis scans (31 days), so one request stays a bounded index range. */
export const MAX_ANALYSIS_WINDOW_MS = 31 * 86_400_000

/** `from` (inclusive) and `to` (exclusive) of an analysis; both required. */
export const analysisWindowFields = {
  from: isoTime.describe('calls started at or after (inclusive)'),
  to: isoTime.describe('calls started before (exclusive)'),
}

/** Refinement adding the order and length checks to a schema with the window fields. */
export function checkWindow(q: { from: string; to: string }, ctx: z.RefinementCtx): void {
  const span = Date.parse(q.to) - Date.parse(q.from)
  if (span <= 0) ctx.addIssue({ code: 'custom', path: ['to'], message: 'from must be before to' })
  else if (span > MAX_ANALYSIS_WINDOW_MS) ctx.addIssue({ code: 'custom', path: ['to'], message: 'the window may span at most 31 days' })
}

/** The window as epoch ms. */
export function windowMs(q: { from: string; to: string }): { fromMs: number; toMs: number } {
  return { fromMs: Date.parse(q.from), toMs: Date.parse(q.to) }
}
