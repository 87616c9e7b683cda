// Many-row INSERTs built without drizzle per cell: the rows as one JSON parameter that SQLite unpacks with json_each, or as the bound parameters of a multi-row VALUES for the raw client.
import { getTableColumns, getTableName, sql, type SQL } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { InValue } from '@libsql/client'

/** The value stored for one column of a row: drizzle's own mapping (JSON text, booleans as 0/1), its default when absent. */
function driverValue(col: SQLiteColumn, value: unknown): unknown {
  if (value === undefined) {
    if (col.defaultFn !== undefined) value = col.defaultFn()
    else if (col.default !== undefined && typeof col.default !== 'object') value = col.default
  }
  return value === undefined || value === null ? null : col.mapToDriverValue(value as never)
}

/** Every column of `table` in table order, with its quoted name list for an INSERT. */
function tableColumns(table: SQLiteTable): { columns: Array<[string, SQLiteColumn]>; head: string } {
  const columns = Object.entries(getTableColumns(table)) as Array<[string, SQLiteColumn]>
  return { columns, head: `insert into "${getTableName(table)}" (${columns.map(([, c]) => `"${c.name}"`).join(', ')})` }
}

/**
 * A statement builder for `table`: every column in table order, rows given as objects keyed like drizzle's insert
 * values, `tail` the conflict clause (`on conflict ("id") do nothing`, `... do update set ...`). Building a 500-row
 * insert costs one JSON.stringify instead of drizzle building one bound parameter per cell (~20,000), which was the
 * main thread's largest CPU cost after the socket for CDRs at 800 calls/s. The `where true` is SQLite's required
 * disambiguation of INSERT ... SELECT ... ON CONFLICT.
 */
export function jsonRowsInsert(table: SQLiteTable, tail: string): (rows: ReadonlyArray<Record<string, unknown>>) => SQL {
  const { columns, head } = tableColumns(table)
  const select = `${head} select ${columns.map((_, i) => `json_extract(value, '$[${i}]')`).join(', ')} from json_each(`
  const end = `) where true ${tail}`
  return (rows) => sql`${sql.raw(select)}${JSON.stringify(rows.map((row) => columns.map(([key, col]) => driverValue(col, row[key]))))}${sql.raw(end)}`
}

/** Rows per VALUES statement: 500 rows of 30 columns stay well under SQLite's 32,766 bound parameters. */
export const VALUES_ROWS = 500

/** The parts of a multi-row VALUES insert into `table`: the text of an `n`-row statement, and the cells of some rows in order (each row's columns in table order). */
export interface ValuesRows {
  text(n: number): string
  cells(rows: ReadonlyArray<Record<string, unknown>>): InValue[]
}

/** Statement text and bound cells for `table`'s multi-row VALUES inserts, `tail` the conflict clause (`on conflict ("id") do nothing`), the cells by drizzle's mapping per column (the CDR writer binds its own, `core/cdr/cdr-cells.ts`, pinned equal to these). */
export function valuesRows(table: SQLiteTable, tail: string): ValuesRows {
  const { columns, head } = tableColumns(table)
  const tuple = `(${columns.map(() => '?').join(',')})`
  return {
    text: (n) => `${head} values ${Array.from({ length: n }, () => tuple).join(',')} ${tail}`,
    cells(rows) {
      const args: InValue[] = []
      for (const row of rows) for (const [key, col] of columns) args.push(driverValue(col, row[key]) as InValue)
      return args
    },
  }
}
