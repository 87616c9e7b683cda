// `npm run api-key -- --name <name> [--role admin|viewer]`: adds an API key straight to the database (DATABASE_URL) and prints its secret once.
import { parseArgs } from 'node:util'
import { API_KEY_ROLES } from '../shared/entities/enums.js'
import { insertApiKey } from '../edge/auth/insert-api-key.js'
import { applyMigrations, openDatabase } from '../shared/db/node/database.js'

const { values } = parseArgs({ options: { name: { type: 'string' }, role: { type: 'string', default: 'admin' } } })
const role = API_KEY_ROLES.find((r) => r === values.role)
if (values.name === undefined || values.name.trim() === '' || role === undefined) {
  process.stderr.write(`usage: npm run api-key -- --name <name> [--role ${API_KEY_ROLES.join('|')}]\n`)
  process.exit(2)
}
const url = process.env.DATABASE_URL || 'file:./data/softswitch.db'
const { db, client } = openDatabase({ url, authToken: process.env.DATABASE_AUTH_TOKEN || undefined })
try {
  // A local database may be new (nothing started yet): bring its schema up first, as the edge would.
  if (url.startsWith('file:')) await applyMigrations(db)
  const secret = await insertApiKey(db, values.name.trim(), role)
  process.stdout.write(`New ${role} API key "${values.name.trim()}" (shown once; only its hash is stored):\n\n  export KEY=${secret}\n\n`)
} finally {
  client.close()
}
