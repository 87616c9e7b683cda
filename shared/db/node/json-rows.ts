// Many-row INSERTs whose rows travel as one JSON parameter that SQLite unpacks with json_each, instead of drizzle binding a parameter per cell.
import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'

/** The value stored for one column of a row: drizzle's own mapping (JSON text, booleans as 0/1), its default when absent. */
function driverValue(col: SQLiteColumn, value: unknown): unknown {
  if (value === undefined) {
    if (col.defaultFn !== undefined) value = col.defaultFn()
    else if (col.default !== undefined && typeof col.default !== 'object') value = col.default
  }
  return value === undefined || value === null ? null : col.mapToDriverValue(value as never)
}

/**
 * A statement builder for `table`: every column in table order, rows given as objects keyed like drizzle's insert
 * values, `tail` the conflict clause (`on conflict ("id") do nothing`, `... do update set ...`). Building a 500-row
 * insert costs one JSON.stringify instead of drizzle building one bound parameter per cell (~20,000), which was the
 * main thread's largest CPU cost after the socket for CDRs at 800 calls/s. The `where true` is SQLite's required
 * disambiguation of INSERT ... SELECT ... ON CONFLICT.
 */
export function jsonRowsInsert(table: SQLiteTable, tail: string): (rows: ReadonlyArray<Record<string, unknown>>) => SQL {
  const columns = Object.entries(getTableColumns(table)) as Array<[string, SQLiteColumn]>
  const head = `insert into "${getTableName(table)}" (${columns.map(([, c]) => `"${c.name}"`).join(', ')}) select ${columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ')} from json_each(`
  const end = `) where true ${tail}`
  return (rows) => sql`${sql.raw(head)}${JSON.stringify(rows.map((row) => columns.map(([key, col]) => driverValue(col, row[key]))))}${sql.raw(end)}`
}
