// drizzle-kit configuration: SQLite/libSQL dialect, schema from shared/, migrations in ./migrations.
import { defineConfig } from 'drizzle-kit'

export default defineConfig({
  dialect: 'turso',
  schema: './shared/db/schema.ts',
  out: './migrations',
  dbCredentials: {
    url: process.env.DATABASE_URL ?? 'file:./data/softswitch.db',
    authToken: process.env.DATABASE_AUTH_TOKEN,
  },
})
