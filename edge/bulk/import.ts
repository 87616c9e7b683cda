// Bulk import of a configuration resource: every row validated (create schema for new names, update schema for existing ones under upsert), references checked for all rows at once, then written in one transaction or not at all.
import { eq, inArray, type InferInsertModel, type InferSelectModel } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import { z } from 'zod'
import type { Queryable } from '../env.js'
import { ApiError } from '../errors.js'
import { newId } from '../ids.js'
import type { ConfigResource } from '../routes/config-resource.js'
import type { ConfigTable } from '../routes/references.js'
import { missingReferences, type TableReference } from '../routes/references.js'

/** Most rows one import may hold. */
export const MAX_BULK_ROWS = 10_000
/** Issues listed in one 400 at most (the message still counts every bad row). */
export const MAX_LISTED_ISSUES = 500
/** Rows per multi-row INSERT. */
const INSERT_CHUNK = 100
/** Names per lookup of existing rows. */
const NAMES_PER_QUERY = 500

/** `create`: every name must be new; `upsert`: rows whose name exists change only the fields they give. */
export const IMPORT_MODES = ['create', 'upsert'] as const
/** One import mode. */
export type ImportMode = (typeof IMPORT_MODES)[number]

/** One row as read from the request: its label in issue paths (`rows.3` for CSV, `items.2` for JSON) and its body. */
export interface ImportRow {
  label: string
  body: Record<string, unknown>
}

/** One problem, with the row's label leading its path. */
export interface ImportIssue {
  code: string
  path: (string | number)[]
  message: string
}

/** What an import changed. */
export interface ImportResult {
  total: number
  created: string[]
  updated: string[]
}

/** Fields an import never writes onto an existing row (an account's balance moves only through payments). */
export interface BulkOptions {
  ignoreOnUpdate?: readonly string[]
}

/** Fields every export carries that an import reads past. */
const READ_ONLY_FIELDS = ['id', 'createdAt', 'updatedAt']

function labelPath(label: string): (string | number)[] {
  return label.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))
}

function issuesOf(label: string, err: unknown): ImportIssue[] {
  if (err instanceof z.ZodError) return err.issues.map((i) => ({ code: i.code, path: [...labelPath(label), ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message }))
  if (err instanceof ApiError && err.issues !== undefined && err.issues.length > 0) {
    return err.issues.map((i) => ({ code: i.code, path: [...labelPath(label), ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], message: i.message }))
  }
  if (err instanceof ApiError) return [{ code: 'custom', path: labelPath(label), message: err.message }]
  throw err
}

/** Throws the 400 naming every bad row; nothing has been written. */
function refuse(noun: string, issues: readonly ImportIssue[]): never {
  const rows = new Set(issues.map((i) => `${i.path[0]}.${i.path[1]}`)).size
  const listed = issues.slice(0, MAX_LISTED_ISSUES)
  const more = issues.length > listed.length ? ` (first ${listed.length} issues listed)` : ''
  throw new ApiError('BAD_REQUEST', `${rows} invalid ${noun} row(s); nothing was imported${more}`, { issues: listed })
}

/**
 * Validates and writes `rows` inside `tx` (the caller's write transaction): any issue in any row throws one 400 that
 * lists them all, so the transaction rolls back and nothing is written.
 */
export async function importRows<T extends ConfigTable, Out, C, U>(
  r: ConfigResource<T, Out, C, U>,
  tx: Queryable,
  rows: readonly ImportRow[],
  mode: ImportMode,
  nowMs: number,
  options: BulkOptions = {},
): Promise<ImportResult> {
  if (rows.length > MAX_BULK_ROWS) throw new ApiError('BAD_REQUEST', `at most ${MAX_BULK_ROWS} rows per import, got ${rows.length}`)
  const issues: ImportIssue[] = []
  const bodies = rows.map((row) => {
    const body = { ...row.body }
    for (const f of READ_ONLY_FIELDS) delete body[f]
    return body
  })

  // Existing rows by name (names are unique per resource).
  const names = [...new Set(bodies.map((b) => (typeof b.name === 'string' ? b.name.trim() : '')).filter((n) => n !== ''))]
  const existing = new Map<string, InferSelectModel<T>>()
  for (let i = 0; i < names.length; i += NAMES_PER_QUERY) {
    const found = (await tx.select().from(r.table as SQLiteTable).where(inArray(r.table.name, names.slice(i, i + NAMES_PER_QUERY)))) as InferSelectModel<T>[]
    for (const row of found) existing.set((row as { name: string }).name, row)
  }

  type Planned = { label: string; kind: 'create'; values: InferInsertModel<T> } | { label: string; kind: 'update'; id: string; values: Partial<InferInsertModel<T>> }
  const planned: Planned[] = []
  const seen = new Map<string, string>()
  for (const [i, row] of rows.entries()) {
    const body = bodies[i]!
    const name = typeof body.name === 'string' ? body.name.trim() : undefined
    if (name !== undefined && name !== '') {
      const first = seen.get(name)
      if (first !== undefined) {
        issues.push({ code: 'custom', path: [...labelPath(row.label), 'name'], message: `the name ${JSON.stringify(name)} is also in ${first}` })
        continue
      }
      seen.set(name, row.label)
    }
    const current = name === undefined ? undefined : existing.get(name)
    try {
      if (current === undefined) {
        const input = r.schemas.create.parse(body)
        const values = await r.toInsert(tx, input, { id: newId(r.idPrefix, nowMs), nowMs })
        planned.push({ label: row.label, kind: 'create', values })
      } else if (mode === 'create') {
        issues.push({ code: 'custom', path: [...labelPath(row.label), 'name'], message: `a ${r.noun} named ${JSON.stringify(name)} already exists (mode=upsert updates it)` })
      } else {
        for (const f of options.ignoreOnUpdate ?? []) delete body[f]
        const input = r.schemas.update.parse(body)
        const values = await r.toUpdate(tx, current, input, { nowMs })
        planned.push({ label: row.label, kind: 'update', id: (current as { id: string }).id, values })
      }
    } catch (err) {
      issues.push(...issuesOf(row.label, err))
    }
  }

  // References of every planned row, one query per referenced table.
  if (r.references !== undefined) {
    const refs: (TableReference & { label: string })[] = []
    for (const p of planned) for (const ref of r.references(p.values)) refs.push({ ...ref, label: p.label })
    for (const m of await missingReferences(tx, refs)) {
      issues.push({ code: 'custom', path: [...labelPath(m.label), ...labelPath(m.path)], message: `no ${m.noun} with id ${m.id}` })
    }
  }
  if (r.checkReferences !== undefined) {
    for (const p of planned) {
      try {
        await r.checkReferences(tx, p.values)
      } catch (err) {
        issues.push(...issuesOf(p.label, err))
      }
    }
  }
  if (issues.length > 0) refuse(r.noun, issues)

  const creates = planned.filter((p) => p.kind === 'create')
  for (let i = 0; i < creates.length; i += INSERT_CHUNK) {
    await tx.insert(r.table).values(creates.slice(i, i + INSERT_CHUNK).map((p) => p.values) as never)
  }
  const updated: string[] = []
  for (const p of planned) {
    if (p.kind !== 'update') continue
    await tx.update(r.table).set(p.values as never).where(eq(r.table.id, p.id))
    updated.push(p.id)
  }
  return { total: rows.length, created: creates.map((p) => (p.values as { id: string }).id), updated }
}

