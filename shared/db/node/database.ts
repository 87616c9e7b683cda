// Opens the libSQL database on Node for core and edge (embedded file, embedded replica of a primary, or remote server) with drizzle on top, and applies the migrations.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient, type Client } from '@libsql/client'
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'

/** The drizzle handle every Node module of core and edge queries through. */
export type Db = LibSQLDatabase<Record<string, never>>

/** Where the database lives (DATABASE_URL, DATABASE_AUTH_TOKEN, DATABASE_SYNC_URL). */
export interface DatabaseOptions {
  /** `file:` (embedded, or the local replica file when `syncUrl` is set), `http(s)://` or `libsql://`. */
  url: string
  authToken?: string | undefined
  /** Primary to replicate: reads stay local, writes are forwarded to it. */
  syncUrl?: string | undefined
  /** Background sync period of an embedded replica; 0 or absent = only explicit `sync()`. */
  syncIntervalSec?: number | undefined
}

/** How the database is reached. */
export type DatabaseMode = 'file' | 'replica' | 'remote'

/** An open database; `sync()` pulls the primary's frames into a replica (no-op otherwise). */
export interface Database {
  readonly mode: DatabaseMode
  readonly client: Client
  readonly db: Db
  sync(): Promise<void>
  close(): void
}

/** Thrown when our own configuration asks for an impossible combination (e.g. a replica over a remote URL). */
export class DatabaseConfigError extends Error {
  override name = 'DatabaseConfigError'
}

/** Absolute path of the repository's migrations folder (resolved from this file, never from cwd). */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../../migrations', import.meta.url))

/** File path of a `file:` URL, or null for a server URL. */
export function databaseFilePath(url: string): string | null {
  if (!url.startsWith('file:')) return null
  if (url.startsWith('file://')) return fileURLToPath(url)
  return url.slice('file:'.length).split('?')[0] ?? ''
}

/** Opens the database described by `opts`, creating the folder of a local file first. */
export function openDatabase(opts: DatabaseOptions): Database {
  const file = databaseFilePath(opts.url)
  const mode: DatabaseMode = opts.syncUrl ? 'replica' : file === null ? 'remote' : 'file'
  if (mode === 'replica' && file === null) {
    throw new DatabaseConfigError(`an embedded replica needs a file: DATABASE_URL for its local copy, got ${opts.url}`)
  }
  if (file !== null && file !== ':memory:' && file !== '') mkdirSync(dirname(file), { recursive: true })
  const client = createClient({
    url: opts.url,
    ...(opts.authToken ? { authToken: opts.authToken } : {}),
    ...(mode === 'replica' ? { syncUrl: opts.syncUrl } : {}),
    ...(mode === 'replica' && opts.syncIntervalSec ? { syncInterval: opts.syncIntervalSec } : {}),
    // The other Node process (core or edge) may hold the file's write lock: wait for it instead of failing with SQLITE_BUSY.
    ...(mode === 'file' ? { timeout: 5_000 } : {}),
  })
  return {
    mode,
    client,
    db: drizzle(client),
    async sync() {
      if (mode === 'replica') await client.sync()
    },
    close() {
      client.close()
    },
  }
}

/** Applies the migrations the database has not seen yet (the local default; remote databases use `npm run db:migrate`). */
export async function applyMigrations(db: Db, migrationsFolder: string = MIGRATIONS_FOLDER): Promise<void> {
  await migrate(db, { migrationsFolder })
}
