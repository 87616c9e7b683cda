// Checks between resources that SQLite foreign keys cannot be trusted with (they are off unless a connection enables them).
import { inArray } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Queryable } from '../env.js'
import { ApiError, badRequest } from '../errors.js'

/** A table with a text `id` primary key and a unique `name` (every configuration resource). */
export type ConfigTable = SQLiteTable & { id: SQLiteColumn; name: SQLiteColumn }

/** One id a request body refers to, with the body path reported when it is missing. */
export interface Reference {
  path: string
  id: string
}

/** A reference together with the table and noun of what it names, so many rows' references can be checked at once. */
export interface TableReference extends Reference {
  table: ConfigTable
  noun: string
}

/** Ids per query: far below SQLite's parameter limit. */
const IDS_PER_QUERY = 500

/** The references whose id does not exist, with one query per table (and per 500 ids). */
export async function missingReferences<R extends TableReference>(tx: Queryable, refs: readonly R[]): Promise<R[]> {
  const byTable = new Map<ConfigTable, R[]>()
  for (const r of refs) byTable.set(r.table, [...(byTable.get(r.table) ?? []), r])
  const missing: R[] = []
  for (const [table, list] of byTable) {
    const ids = [...new Set(list.map((r) => r.id))]
    const found = new Set<string>()
    for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
      const rows = await tx.select({ id: table.id }).from(table as SQLiteTable).where(inArray(table.id, ids.slice(i, i + IDS_PER_QUERY)))
      for (const row of rows) found.add(row.id as string)
    }
    missing.push(...list.filter((r) => !found.has(r.id)))
  }
  return missing
}

/** Throws a 400 with one issue per reference whose id does not exist (Decision: a bad id in a body is 400, not 404). */
export async function requireTableReferences(tx: Queryable, refs: readonly TableReference[]): Promise<void> {
  const missing = await missingReferences(tx, refs)
  if (missing.length > 0) {
    throw badRequest(
      `referenced ${[...new Set(missing.map((r) => r.noun))].join(' and ')} does not exist`,
      missing.map((r) => ({ path: r.path, message: `no ${r.noun} with id ${r.id}` })),
    )
  }
}

/** Throws a 400 with one issue per reference whose id is not in `table`. */
export async function requireReferences(tx: Queryable, table: ConfigTable, noun: string, refs: readonly Reference[]): Promise<void> {
  await requireTableReferences(tx, refs.map((r) => ({ ...r, table, noun })))
}

/** Throws a 409 naming the referrers when any exist. */
export function refuseWhileReferenced(noun: string, id: string, referrers: readonly { kind: string; ids: readonly string[] }[]): void {
  const parts = referrers.filter((r) => r.ids.length > 0).map((r) => `${r.kind} ${r.ids.join(', ')}`)
  if (parts.length > 0) throw new ApiError('CONFLICT', `${noun} ${id} is still referenced by ${parts.join('; ')}`)
}
