// The five operations every named configuration resource shares (list, get, create, update, delete), built from one descriptor.
import { asc, eq, gt, type InferInsertModel, type InferSelectModel } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTable } from 'drizzle-orm/sqlite-core'
import { z } from 'zod'
import { entityId } from '../../shared/entities/fields.js'
import { runWrite } from '../config-write.js'
import type { Queryable } from '../env.js'
import { ApiError } from '../errors.js'
import { newId } from '../ids.js'
import { defineOperation, type Operation } from '../openapi/operation.js'
import { requireTableReferences, type ConfigTable, type TableReference } from './references.js'

/** What the read operations (list, get) need to know about one resource. */
export interface ReadableResource<T extends ConfigTable, Out> {
  table: T
  /** Human noun for messages, e.g. `routing gateway`. */
  noun: string
  /** PascalCase noun for operation ids, e.g. `RoutingGateway`. */
  typeName: string
  schemas: { entity: z.ZodType<Out> }
  fromRow: (row: InferSelectModel<T>) => Out
}

/** Everything the generic write operations need on top of reading. */
export interface ConfigResource<T extends ConfigTable, Out, Create, Update> extends ReadableResource<T, Out> {
  /** Id prefix, e.g. `rgw`. */
  idPrefix: string
  /** Whether writes bump the config version the core reloads on (default true; false for edge-only resources such as alert rules). */
  configChange?: boolean
  schemas: { entity: z.ZodType<Out>; create: z.ZodType<Create>; update: z.ZodType<Update> }
  /** Builds the insert row; may read the database (e.g. the digest realm) and throw an ApiError. */
  toInsert: (tx: Queryable, input: Create, ctx: { id: string; nowMs: number }) => Promise<InferInsertModel<T>>
  /** Builds the update set from the current row; may throw a 400 when the merged state is invalid. */
  toUpdate: (tx: Queryable, current: InferSelectModel<T>, input: Update, ctx: { nowMs: number }) => Promise<Partial<InferInsertModel<T>>>
  /** The ids a written row names in other tables (checked together: a 400 names every missing one; bulk imports check all rows at once). */
  references?: (values: Partial<InferInsertModel<T>>) => TableReference[]
  /** Throws a 400 naming the field when a written value references an id that does not exist (for checks `references` cannot say). */
  checkReferences?: (tx: Queryable, values: Partial<InferInsertModel<T>>) => Promise<void>
  /** Runs before the delete in its transaction: throws a 409 while others reference the row, or detaches them. */
  beforeDelete?: (tx: Queryable, id: string) => Promise<void>
}

/** Query of every list: page size and the opaque cursor returned as `nextCursor`. */
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('page size, 1..500'),
  cursor: z.string().min(1).max(200).optional().describe('nextCursor of the previous page'),
})

/** Path parameters of the by-id operations. */
export const idParams = z.object({ id: entityId })

/** The page shape `{ items, nextCursor }` for an entity schema. */
export function pageOf<S extends z.ZodType>(entity: S) {
  return z.object({ items: z.array(entity), nextCursor: z.string().nullable().describe('null on the last page') })
}

/** Reads one row by id inside `tx`, or throws 404. */
export async function findRow<T extends ConfigTable, Out>(
  r: ReadableResource<T, Out>,
  tx: Queryable,
  id: string,
): Promise<InferSelectModel<T>> {
  const rows = (await tx.select().from(r.table as SQLiteTable).where(eq(r.table.id, id)).limit(1)) as InferSelectModel<T>[]
  const row = rows[0]
  if (row === undefined) throw new ApiError('NOT_FOUND', `no ${r.noun} with id ${id}`)
  return row
}

function duplicateName(r: { noun: string }, name: unknown): (column: string) => string {
  return (column) =>
    column.endsWith('.name')
      ? `a ${r.noun} named ${JSON.stringify(name)} already exists`
      : `another ${r.noun} already has this ${column.slice(column.lastIndexOf('.') + 1)}`
}

/** Checks what a written row references: its declared `references`, then any custom check. */
export async function checkResourceReferences<T extends ConfigTable, Out, C, U>(r: ConfigResource<T, Out, C, U>, tx: Queryable, values: Partial<InferInsertModel<T>>): Promise<void> {
  if (r.references !== undefined) await requireTableReferences(tx, r.references(values))
  await r.checkReferences?.(tx, values)
}

/** GET /: keyset pagination ordered by id (ids sort by creation time). */
export function listOperation<T extends ConfigTable, Out>(r: ReadableResource<T, Out>): Operation {
  return defineOperation(
    {
      method: 'get',
      path: '/',
      operationId: `list${r.typeName}s`,
      summary: `List ${r.noun}s, oldest first`,
      query: listQuery,
      responses: { 200: { description: `a page of ${r.noun}s`, schema: pageOf(r.schemas.entity) } },
    },
    async (c, { query }) => {
      const rows = (await c.var.db
        .select()
        .from(r.table as SQLiteTable)
        .where(query.cursor === undefined ? undefined : gt(r.table.id, query.cursor))
        .orderBy(asc(r.table.id))
        .limit(query.limit + 1)) as InferSelectModel<T>[]
      const page = rows.slice(0, query.limit)
      const last = page[page.length - 1] as { id: string } | undefined
      const nextCursor = rows.length > query.limit && last !== undefined ? last.id : null
      return c.json({ items: page.map(r.fromRow), nextCursor })
    },
  )
}

/** GET /:id: one resource or 404. */
export function getOperation<T extends ConfigTable, Out>(r: ReadableResource<T, Out>): Operation {
  return defineOperation(
    {
      method: 'get',
      path: '/:id',
      operationId: `get${r.typeName}`,
      summary: `Get one ${r.noun}`,
      params: idParams,
      responses: { 200: { description: `the ${r.noun}`, schema: r.schemas.entity } },
    },
    async (c, { params }) => c.json(r.fromRow(await findRow(r, c.var.db, params.id))),
  )
}

/** POST /: validates, checks references, inserts and bumps the config version; 201 with the stored resource. */
export function createOperation<T extends ConfigTable, Out, C, U>(r: ConfigResource<T, Out, C, U>): Operation {
  return defineOperation(
    {
      method: 'post',
      path: '/',
      operationId: `create${r.typeName}`,
      summary: `Create a ${r.noun}`,
      body: r.schemas.create,
      responses: { 201: { description: `the created ${r.noun}`, schema: r.schemas.entity } },
    },
    async (c, { body }) => {
      const input = body as C
      const created = await runWrite(
        c.var.db,
        async (tx, nowMs) => {
          const row = await r.toInsert(tx, input, { id: newId(r.idPrefix, nowMs), nowMs })
          await checkResourceReferences(r, tx, row as Partial<InferInsertModel<T>>)
          await tx.insert(r.table).values(row as never)
          const created = await findRow(r, tx, (row as { id: string }).id)
          c.var.audit?.record({ after: r.fromRow(created) })
          return created
        },
        { configChange: r.configChange ?? true, onUnique: duplicateName(r, (input as { name?: unknown }).name), audit: c.var.audit },
      )
      return c.json(r.fromRow(created), 201)
    },
  )
}

/** PATCH /:id: merges the given fields into the stored row (404 unknown id, 409 duplicate name). */
export function updateOperation<T extends ConfigTable, Out, C, U>(r: ConfigResource<T, Out, C, U>): Operation {
  return defineOperation(
    {
      method: 'patch',
      path: '/:id',
      operationId: `update${r.typeName}`,
      summary: `Change some fields of a ${r.noun}`,
      params: idParams,
      body: r.schemas.update,
      responses: { 200: { description: `the updated ${r.noun}`, schema: r.schemas.entity } },
    },
    async (c, { params, body }) => {
      const input = body as U
      const updated = await runWrite(
        c.var.db,
        async (tx, nowMs) => {
          const current = await findRow(r, tx, params.id)
          const set = await r.toUpdate(tx, current, input, { nowMs })
          await checkResourceReferences(r, tx, set)
          await tx.update(r.table).set(set as never).where(eq(r.table.id, params.id))
          const updated = await findRow(r, tx, params.id)
          c.var.audit?.record({ before: r.fromRow(current), after: r.fromRow(updated) })
          return updated
        },
        { configChange: r.configChange ?? true, onUnique: duplicateName(r, (input as { name?: unknown }).name), audit: c.var.audit },
      )
      return c.json(r.fromRow(updated))
    },
  )
}

/** DELETE /:id: 204, 404 for an unknown id, 409 while other resources reference it. */
export function removeOperation<T extends ConfigTable, Out, C, U>(r: ConfigResource<T, Out, C, U>): Operation {
  return defineOperation(
    {
      method: 'delete',
      path: '/:id',
      operationId: `delete${r.typeName}`,
      summary: `Delete a ${r.noun}`,
      params: idParams,
      responses: { 204: { description: 'deleted' } },
    },
    async (c, { params }) => {
      await runWrite(
        c.var.db,
        async (tx) => {
          const current = await findRow(r, tx, params.id)
          await r.beforeDelete?.(tx, params.id)
          await tx.delete(r.table).where(eq(r.table.id, params.id))
          c.var.audit?.record({ before: r.fromRow(current), after: null })
        },
        { configChange: r.configChange ?? true, audit: c.var.audit },
      )
      return c.body(null, 204)
    },
  )
}
