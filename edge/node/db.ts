// Opens the libSQL database on Node: an embedded file for `file:` URLs, or a server over HTTP/WebSocket.
import { mkdir } from 'node:fs/promises'
import { dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createClient, type Client } from '@libsql/client'
import { drizzle } from 'drizzle-orm/libsql'
import type { Db } from '../env.js'

/** An open database: the drizzle handle plus the client to close at shutdown. */
export interface NodeDb {
  db: Db
  client: Client
}

/** Path of a `file:` URL's database file, or null for a server URL. */
export function databaseFilePath(url: string): string | null {
  if (!url.startsWith('file:')) return null
  if (url.startsWith('file://')) return fileURLToPath(url)
  return url.slice('file:'.length)
}

/** Opens the database at `url`, creating the parent folder of a `file:` database first. */
export async function openNodeDb(url: string, authToken?: string): Promise<NodeDb> {
  const file = databaseFilePath(url)
  if (file !== null) await mkdir(dirname(file), { recursive: true })
  // The core writes the same file: wait up to 5 s for its write lock instead of failing with SQLITE_BUSY.
  const client = createClient({ url, authToken, timeout: 5_000 })
  return { db: drizzle(client), client }
}
