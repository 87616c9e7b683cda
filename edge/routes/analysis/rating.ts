// GET /v1/analysis/rating: the rate an account pays for a number (longest prefix, latest effective), the cost of a call and the affordable talk time.
import { z } from 'zod'
import { entityId, isoTime } from '../../../shared/entities/fields.js'
import { rate, rateFromRow } from '../../../shared/entities/rate.js'
import { analyseRating } from '../../analysis/rating.js'
import { defineOperation } from '../../openapi/operation.js'

/** Query of GET /v1/analysis/rating. */
export const ratingAnalysisQuery = z.object({
  accountId: entityId.describe('customer (or clearing) account whose rate table applies'),
  callee: z.string().regex(/^[0-9*#+]{1,64}$/, 'digits, *, # and + only').describe('called number'),
  durationSec: z.coerce.number().int().min(0).max(86_400 * 7).default(60).describe('talk time to price, seconds'),
  at: isoTime.optional().describe('rate as of this time instead of now (effective-from dates)'),
})

/** The rating analysis response. */
export const ratingAnalysis = z.object({
  at: z.string(),
  rateTableId: z.string().nullable().describe('null: the account has no rate table, its calls are not rated'),
  rate: rate.nullable().describe('the applied rate; null when no prefix matches (or no table)'),
  precision: z.number().int().describe('SERVER_BILLING_FEE_PRECISION used for rounding'),
  durationSec: z.number().int(),
  billableSec: z.number().int().nullable(),
  cost: z.number().nullable().describe('price per minute x billable seconds / 60, rounded half-up'),
  available: z.number().describe('balance + overdraft (calls in progress not subtracted)'),
  affordableSec: z.number().int().nullable().describe('prepaid only: longest talk time the available money pays for; 0 = refused'),
})

/** The rating analysis operation of /v1/analysis. */
export const analyseRatingOperation = defineOperation(
  {
    method: 'get',
    path: '/rating',
    operationId: 'analyseRating',
    summary: "Rating analysis: the account's rate for a number, the cost of a call of durationSec and the affordable talk time",
    query: ratingAnalysisQuery,
    responses: { 200: { description: 'the applied rate and what it means for this call', schema: ratingAnalysis } },
  },
  async (c, { query }) => {
    const nowMs = query.at === undefined ? Date.now() : Date.parse(query.at)
    const a = await analyseRating(c.var.db, { accountId: query.accountId, callee: query.callee, durationSec: query.durationSec, nowMs })
    return c.json({ at: new Date(nowMs).toISOString(), ...a, rate: a.rate === null ? null : rateFromRow(a.rate), durationSec: query.durationSec })
  },
)
