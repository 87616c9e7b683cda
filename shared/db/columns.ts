// Column helpers so every table spells ids, epoch-ms times, booleans and JSON the same way.
import { integer, text } from 'drizzle-orm/sqlite-core'

/** Text primary key `id` (ids are assigned by the writer, never by the database). */
export const idColumn = () => text('id').primaryKey()

/** Nullable text reference to another entity's id. */
export const refId = (name: string) => text(name)

/** Epoch-millisecond integer column; the SQL name must end in `_ms`. */
export const epochMs = (name: `${string}_ms`) => integer(name)

/** `created_at_ms`, set by the writer. */
export const createdAtMs = () => integer('created_at_ms').notNull()

/** `updated_at_ms`, set by the writer on every change. */
export const updatedAtMs = () => integer('updated_at_ms').notNull()

/** Boolean stored as 0/1 integer. */
export const bool = (name: string) => integer(name, { mode: 'boolean' })

/** JSON value stored as text, typed on the TS side. */
export const jsonText = <T>(name: string) => text(name, { mode: 'json' }).$type<T>()
