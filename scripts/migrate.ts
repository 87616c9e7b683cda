// `npm run db:migrate`: applies the migrations to DATABASE_URL (+ DATABASE_AUTH_TOKEN), e.g. a Turso database for the Worker.
import { applyMigrations, MIGRATIONS_FOLDER, openDatabase } from '../shared/db/node/database.js'

const url = process.env.DATABASE_URL || 'file:./data/softswitch.db'
const authToken = process.env.DATABASE_AUTH_TOKEN || undefined
const redacted = url.replace(/\/\/[^@/]*@/, '//***@')

try {
  const { db, client } = openDatabase({ url, authToken })
  await applyMigrations(db)
  client.close()
  console.log(JSON.stringify({ level: 'info', msg: 'migrations applied', database: redacted, folder: MIGRATIONS_FOLDER }))
} catch (err) {
  console.error(JSON.stringify({ level: 'fatal', msg: 'migration failed', database: redacted, error: err instanceof Error ? err.message : String(err) }))
  process.exitCode = 1
}
