// Path parameters and the 404 lookups shared by the /v1/rate-tables/{id}/rates operations.
import { and, eq } from 'drizzle-orm'
import { z } from 'zod'
import { rates } from '../../../shared/db/schema.js'
import { entityId } from '../../../shared/entities/fields.js'
import type { RateRow } from '../../../shared/entities/rate.js'
import type { Queryable } from '../../env.js'
import { ApiError } from '../../errors.js'
import { findRow } from '../config-resource.js'
import { rateTablesResource } from './resource.js'

/** `{id}` of the rate table and `{rateId}` of one of its rates. */
export const rateParams = z.object({ id: entityId, rateId: entityId })

/** Throws 404 unless the rate table exists. */
export async function requireRateTable(tx: Queryable, id: string): Promise<void> {
  await findRow(rateTablesResource, tx, id)
}

/** The rate `rateId` of table `id`, or 404 (also when the rate belongs to another table). */
export async function findRateRow(tx: Queryable, id: string, rateId: string): Promise<RateRow> {
  await requireRateTable(tx, id)
  const [row] = await tx.select().from(rates).where(and(eq(rates.rateTableId, id), eq(rates.id, rateId))).limit(1)
  if (row === undefined) throw new ApiError('NOT_FOUND', `no rate with id ${rateId} in rate table ${id}`)
  return row
}

/** The 409 message for a second rate with the same prefix and effectiveFrom. */
export const duplicateRate = (): string => 'this rate table already has a rate with this prefix and effectiveFrom'
