// Rating analysis: which rate of an account's table applies to a number at a time, what a call of a given length costs, and how long the balance lasts.
import { and, eq, sql } from 'drizzle-orm'
import { accounts, rates } from '../../shared/db/schema.js'
import { affordableSeconds, billableSeconds, buildRateIndex, callCost, findRate } from '../../shared/billing/rating.js'
import type { RateRow } from '../../shared/entities/rate.js'
import type { Queryable } from '../env.js'
import { ApiError } from '../errors.js'
import { readEffectiveParams } from '../params-store.js'

/** What to rate: the account (its rate table and balance), the called number, the talk time and the time of the call. */
export interface RatingQuestion {
  accountId: string
  callee: string
  durationSec: number
  nowMs: number
}

/** The answer: the rate (null when the account has no table or no prefix matches), the billed seconds and cost, the affordable talk time. */
export interface RatingAnswer {
  rateTableId: string | null
  rate: RateRow | null
  precision: number
  billableSec: number | null
  cost: number | null
  /** Balance plus overdraft; what a prepaid call may spend (reservations of calls in progress are not subtracted). */
  available: number
  /** Prepaid only: the longest talk time the available money pays for at this rate; null for postpaid or without a rate. */
  affordableSec: number | null
}

/** The rates of `rateTableId` whose prefix starts `number` (every candidate of the longest-prefix choice, at every effective-from). */
export async function ratesMatching(db: Queryable, rateTableId: string, number: string): Promise<RateRow[]> {
  return db
    .select()
    .from(rates)
    .where(and(eq(rates.rateTableId, rateTableId), sql`substr(${number}, 1, length(${rates.prefix})) = ${rates.prefix}`))
}

/** Rates a call the way shared/billing/rating.ts does for the core; 404 for an unknown account. */
export async function analyseRating(db: Queryable, q: RatingQuestion): Promise<RatingAnswer> {
  const [account] = await db.select().from(accounts).where(eq(accounts.id, q.accountId)).limit(1)
  if (account === undefined) throw new ApiError('NOT_FOUND', `no account with id ${q.accountId}`)
  const precision = (await readEffectiveParams(db)).SERVER_BILLING_FEE_PRECISION
  const available = account.balance + account.overdraftLimit
  const none = { rateTableId: account.rateTableId, rate: null, precision, billableSec: null, cost: null, available, affordableSec: null }
  if (account.rateTableId === null) return none
  const rate = findRate(buildRateIndex(await ratesMatching(db, account.rateTableId, q.callee), q.nowMs), q.callee)
  if (rate === null) return none
  return {
    ...none,
    rate,
    billableSec: billableSeconds(q.durationSec, rate.firstIncrementSec, rate.nextIncrementSec),
    cost: callCost(q.durationSec, rate, precision),
    affordableSec: account.type === 'prepaid' ? affordableSeconds(available, rate, precision) : null,
  }
}
