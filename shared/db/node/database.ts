// Opens the libSQL database on Node for core and edge (embedded file, embedded replica of a primary, or remote server) with drizzle on top, and applies the migrations.
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient, type Client } from '@libsql/client'
import LibsqlDatabase from 'libsql'
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql'
import { migrate } from 'drizzle-orm/libsql/migrator'

/** The drizzle handle every Node module of core and edge queries through; `$client` is its libSQL client (the CDR writer's raw statements). */
export type Db = LibSQLDatabase<Record<string, never>> & { $client: Client }

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
  /** Statements a bulk writer (the CDR writer) runs at the start of each batch: none unless the file is local. */
  readonly writerPragmas: readonly string[]
  /**
   * The database file when it is an embedded file of this machine (mode `file`, not `:memory:`): the CDR writer opens
   * a connection of its own to it (`openWriterConnection`); null for a replica, a server or an in-memory database.
   */
  readonly localFile: string | null
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

/**
 * For the CDR writer on a local file, per connection (set once on the writer's own connection, `openWriterConnection`;
 * the client's pool gives no hook per connection, so the client path runs them in each batch): a page cache of 32 MiB instead of 2, so the pages every batch touches (the last leaf of
 * each account's, gateway's and reason's run in its index, the upper levels) stay in memory between batches; and a
 * checkpoint every 10,000 WAL pages (40 MiB) instead of 1,000, so a page rewritten by many batches is copied back
 * to the database file once. Together about 0.6-0.7x the CPU per record (docs/capacity.md, "The CDR insert").
 */
const LOCAL_WRITER_PRAGMAS: readonly string[] = ['pragma cache_size = -32768', 'pragma wal_autocheckpoint = 10000']

/** Opens the database described by `opts`, creating the folder of a local file first. */
export function openDatabase(opts: DatabaseOptions): Database {
  const file = databaseFilePath(opts.url)
  const mode: DatabaseMode = opts.syncUrl ? 'replica' : file === null ? 'remote' : 'file'
  if (mode === 'replica' && file === null) {
    throw new DatabaseConfigError(`an embedded replica needs a file: DATABASE_URL for its local copy, got ${opts.url}`)
  }
  if (file !== null && file !== ':memory:' && file !== '') {
    mkdirSync(dirname(file), { recursive: true })
    if (mode === 'file') useWriteAheadLog(file)
  }
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
    writerPragmas: mode === 'file' ? LOCAL_WRITER_PRAGMAS : [],
    localFile: mode === 'file' && file !== null && file !== '' && file !== ':memory:' ? file : null,
    async sync() {
      if (mode === 'replica') await client.sync()
    },
    close() {
      client.close()
    },
  }
}

/**
 * Puts a local database file in WAL mode (kept in the file, so every later connection of core and edge uses it).
 * In SQLite's default rollback-journal mode every commit copies each page it changes into a journal file, writes it
 * back, and deletes the journal, with fsyncs between: for a CDR batch that touches a leaf page of every index of
 * `cdrs`, several writes per row. In WAL mode a commit appends the changed pages once and fsyncs the log
 * (`synchronous` stays FULL, this build's default in WAL mode), so a committed CDR survives `kill -9` and a power
 * loss before the writer deletes it from its journal. Done on a connection of its own, before the client opens its
 * pool, because the client gives no hook per connection; a process holding the file in a transaction is waited for.
 */
function useWriteAheadLog(file: string): void {
  const conn = new LibsqlDatabase(file, { timeout: 5_000 })
  try {
    conn.pragma('journal_mode = wal')
  } finally {
    conn.close()
  }
}

/** A native connection to a local database file. */
export type NativeConnection = LibsqlDatabase.Database

/**
 * A connection of its own to the local file `file`, for a bulk writer that prepares its statements once (the client
 * prepares each statement again at every call, and gives no connection of its own): the writer pragmas set once,
 * `synchronous` FULL stated (a commit is on disk when it returns), and a busy timeout like the client's.
 */
export function openWriterConnection(file: string): NativeConnection {
  const conn = new LibsqlDatabase(file, { timeout: 5_000 })
  try {
    for (const p of [...LOCAL_WRITER_PRAGMAS, 'pragma synchronous = full']) conn.exec(p)
  } catch (err) {
    conn.close()
    throw err
  }
  return conn
}

/** Applies the migrations the database has not seen yet (the local default; remote databases use `npm run db:migrate`). */
export async function applyMigrations(db: Db, migrationsFolder: string = MIGRATIONS_FOLDER): Promise<void> {
  await migrate(db, { migrationsFolder })
}
