// Local default: serves the edge app on Node with the embedded libSQL file, migrating, seeding and bootstrapping on start.
import { mkdir } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { serve } from '@hono/node-server'
import { applyMigrations, openDatabase } from '../../shared/db/node/database.js'
import { createLogger } from '../../shared/log/node/logger.js'
import { runAlertJob } from '../alerts/job.js'
import { createApp } from '../app.js'
import { adminKeyNotice, ensureAdminKey } from './bootstrap-admin.js'
import { readDocsAsset } from './docs-assets.js'
import { CONSOLE_DIST, ensureConsoleBuilt } from '../console/build.js'
import { consoleFiles } from './console-files.js'
import { createEdgeMetrics, serveEdgeMetrics } from './metrics.js'
import { parseNodeEnv } from './env.js'
import { publicOnlyFetch } from './public-fetch.js'
import { isNewDatabase, seedDemoConfig } from './seed.js'

/** The version in package.json, for softswitch_build_info. */
const PACKAGE_VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version

/** The URL a person on this machine uses: a wildcard bind is reached on loopback. */
function localUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host
  return `http://${h.includes(':') ? `[${h}]` : h}:${port}`
}

/** Starts the local edge and resolves once it listens; SIGTERM/SIGINT close it and exit 0. */
async function main(): Promise<void> {
  const startedAtMs = performance.now()
  const env = parseNodeEnv(process.env)
  const log = createLogger({ level: env.LOG_LEVEL, context: { service: 'edge' } })
  await mkdir(env.DATA_DIR, { recursive: true })
  const { db, client } = openDatabase({ url: env.DATABASE_URL, authToken: env.DATABASE_AUTH_TOKEN })

  const isNew = await isNewDatabase(db)
  await applyMigrations(db)
  if (isNew) {
    await seedDemoConfig(db)
    log.info('new database: migrated and seeded the demo configuration')
  }
  const admin = await ensureAdminKey(db, env.ADMIN_API_KEY)
  if (env.ADMIN_API_KEY !== undefined && env.ADMIN_API_KEY.length < 16) {
    log.warn('ADMIN_API_KEY is shorter than 16 characters; prefer a generated key (npm run api-key)')
  }
  // The secret goes to the terminal once (stderr), never into the JSON log, which may be shipped elsewhere.
  if (admin.kind === 'created') log.warn('created the first admin API key; it is printed once on stderr and not logged')

  await ensureConsoleBuilt()
  const metrics = createEdgeMetrics(PACKAGE_VERSION)
  const app = createApp({ getDb: () => db, log, docsAsset: readDocsAsset, consoleAssets: consoleFiles(CONSOLE_DIST), onRequest: (r) => metrics.observe(r) })
  const metricsServer = await serveEdgeMetrics(metrics, env.METRICS_HOST, env.METRICS_PORT, log)
  log.info('edge metrics listening', { metrics: `http://${env.METRICS_HOST}:${metricsServer.port}/metrics`, port: metricsServer.port })
  const jobLog = log.child({ job: 'alerts' })
  // Webhooks go out through a lookup that refuses non-public addresses (the address checked is the one connected to).
  const webhookFetch = publicOnlyFetch()
  const alerts = setInterval(() => {
    runAlertJob(db, { log: jobLog, fetch: webhookFetch }).catch((err: unknown) => jobLog.error('alert job failed', { err }))
  }, env.ALERT_INTERVAL_MS)

  const server = serve({ fetch: app.fetch, port: env.API_PORT, hostname: env.API_HOST }, (info) => {
    log.info('edge listening', {
      port: info.port,
      address: info.address,
      database: env.DATABASE_URL.replace(/\/\/[^@/]*@/, '//***@'),
      startupMs: Math.round(performance.now() - startedAtMs),
    })
    process.stderr.write(adminKeyNotice(admin, localUrl(env.API_HOST, info.port)) + '\n')
  })

  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log.info('stopping', { signal })
    clearInterval(alerts)
    metricsServer.server.close()
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
  process.stderr.write(JSON.stringify({ level: 'error', time: new Date().toISOString(), service: 'edge', msg: 'edge failed to start', err: err instanceof Error ? { name: err.name, message: err.message } : String(err) }) + '\n')
  process.exit(1)
})
