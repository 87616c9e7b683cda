// Local default: serves the edge app on Node with the embedded libSQL file, migrating, seeding and bootstrapping on start.
import { mkdir } from 'node:fs/promises'
import { serve } from '@hono/node-server'
import { runAlertJob } from '../alerts/job.js'
import { createApp } from '../app.js'
import { ensureAdminKey } from './bootstrap-admin.js'
import { parseNodeEnv } from './env.js'
import { isNewDatabase, seedDemoConfig } from './seed.js'
import { applyMigrations, openDatabase } from '../../shared/db/node/database.js'

function log(fields: Record<string, unknown>): void {
  console.log(JSON.stringify({ time: new Date().toISOString(), service: 'edge', ...fields }))
}

/** Starts the local edge and resolves once it listens; SIGTERM/SIGINT close it and exit 0. */
async function main(): Promise<void> {
  const startedAtMs = performance.now()
  const env = parseNodeEnv(process.env)
  await mkdir(env.DATA_DIR, { recursive: true })
  const { db, client } = openDatabase({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN })

  const isNew = await isNewDatabase(db)
  await applyMigrations(db)
  if (isNew) {
    await seedDemoConfig(db)
    log({ level: 'info', msg: 'new database: migrated and seeded the demo configuration' })
  }
  const admin = await ensureAdminKey(db, env.ADMIN_API_KEY)
  if (env.ADMIN_API_KEY !== undefined && env.ADMIN_API_KEY.length < 16) {
    log({ level: 'warn', msg: 'ADMIN_API_KEY is shorter than 16 characters; prefer a generated key (POST /v1/api-keys)' })
  }
  if (admin.kind === 'created') {
    // Printed once: only its SHA-256 is stored.
    log({ level: 'warn', msg: 'created the first admin API key; store it now, it is not shown again', adminApiKey: admin.secret })
  }

  const app = createApp({ getDb: () => db })
  const alerts = setInterval(() => {
    runAlertJob(db).catch((err: unknown) => log({ level: 'error', msg: 'alert job failed', error: String(err) }))
  }, env.ALERT_INTERVAL_MS)

  const server = serve({ fetch: app.fetch, port: env.API_PORT, hostname: env.API_HOST }, (info) => {
    log({
      level: 'info',
      msg: 'edge listening',
      port: info.port,
      address: info.address,
      database: env.DATABASE_URL.replace(/\/\/[^@/]*@/, '//***@'),
      startupMs: Math.round(performance.now() - startedAtMs),
    })
  })

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log({ level: 'info', msg: 'stopping', signal })
    clearInterval(alerts)
    server.close(() => {
      client.close()
      process.exit(0)
    })
    // Idle keep-alive sockets would hold close() open; end them so shutdown is prompt.
    if ('closeIdleConnections' in server) server.closeIdleConnections()
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

main().catch((err: unknown) => {
  log({ level: 'fatal', msg: 'edge failed to start', error: err instanceof Error ? err.message : String(err) })
  process.exit(1)
})
