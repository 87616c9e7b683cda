// Opens the database for the Worker: drizzle over the fetch-based libSQL client (Node passes its own db instead).
import { createClient } from '@libsql/client/web'
import { drizzle } from 'drizzle-orm/libsql/web'
import type { Db, WorkerEnv } from './env.js'

/** Builds a drizzle handle over libSQL's HTTP client for the Worker's DATABASE_URL (+ auth token). */
export function makeDb(env: WorkerEnv): Db {
  const client = createClient({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN })
  return drizzle(client)
}
