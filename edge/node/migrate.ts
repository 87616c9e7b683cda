// Applies the drizzle-kit migrations in `migrations/` to a libSQL database (embedded file or server).
import { fileURLToPath } from 'node:url'
import { migrate } from 'drizzle-orm/libsql/migrator'
import type { Db } from '../env.js'

/** Absolute path of the repository's migrations folder. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../migrations', import.meta.url))

/** Applies every migration the database has not seen yet; a no-op on an up-to-date database. */
export async function migrateDatabase(db: Db, migrationsFolder: string = MIGRATIONS_FOLDER): Promise<void> {
  await migrate(db, { migrationsFolder })
}
