// One digest username names one gateway: the registrar finds mapping and routing gateways by it, so the two tables must not share one.
import { eq } from 'drizzle-orm'
import { mappingGateways, routingGateways } from '../../shared/db/schema.js'
import type { Queryable } from '../env.js'
import { ApiError } from '../errors.js'

/** Throws 409 when a gateway of the other kind already uses `username` (the same kind is caught by its unique index). */
export async function refuseUsernameOfOtherKind(tx: Queryable, kind: 'mapping' | 'routing', username: string): Promise<void> {
  const other = kind === 'mapping' ? routingGateways : mappingGateways
  const rows = await tx.select({ id: other.id }).from(other).where(eq(other.username, username)).limit(1)
  const taken = rows[0]
  if (taken !== undefined) {
    throw new ApiError('CONFLICT', `username ${JSON.stringify(username)} is taken by ${kind === 'mapping' ? 'routing' : 'mapping'} gateway ${taken.id}`)
  }
}
