// Checks between resources that SQLite foreign keys cannot be trusted with (they are off unless a connection enables them).
import { inArray } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { ConfigTable } from './config-resource.js'
import type { Queryable } from '../env.js'
import { ApiError, badRequest } from '../errors.js'

/** One id a request body refers to, with the body path reported when it is missing. */
export interface Reference {
  path: string
  id: string
}

/** Throws a 400 with one issue per reference whose id is not in `table` (Decision: a bad id in a body is 400, not 404). */
export async function requireReferences(tx: Queryable, table: ConfigTable, noun: string, refs: readonly Reference[]): Promise<void> {
  if (refs.length === 0) return
  const ids = [...new Set(refs.map((r) => r.id))]
  const rows = await tx.select({ id: table.id }).from(table as SQLiteTable).where(inArray(table.id, ids))
  const found = new Set(rows.map((r) => r.id as string))
  const missing = refs.filter((r) => !found.has(r.id))
  if (missing.length > 0) {
    throw badRequest(
      `referenced ${noun} does not exist`,
      missing.map((r) => ({ path: r.path, message: `no ${noun} with id ${r.id}` })),
    )
  }
}

/** Throws a 409 naming the referrers when any exist. */
export function refuseWhileReferenced(noun: string, id: string, referrers: readonly { kind: string; ids: readonly string[] }[]): void {
  const parts = referrers.filter((r) => r.ids.length > 0).map((r) => `${r.kind} ${r.ids.join(', ')}`)
  if (parts.length > 0) throw new ApiError('CONFLICT', `${noun} ${id} is still referenced by ${parts.join('; ')}`)
}
