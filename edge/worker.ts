// Cloudflare Workers entry: the same app over libSQL's HTTP client, plus the cron-triggered alert job.
import { runAlertJob } from './alerts/job.js'
import { createApp } from './app.js'
import { makeDb } from './db.js'
import { parseWorkerEnv } from './env.js'
import { createJsonLogger } from '../shared/log/logger.js'

/** The same JSON lines as pino writes on Node, through console.log (Workers Logs collect it). */
const log = createJsonLogger({ sink: (line) => console.log(line), context: { service: 'edge' } })
const app = createApp({ getDb: (c) => makeDb(parseWorkerEnv(c.env)), log })

/** The part of the Workers ExecutionContext the scheduled handler uses (typed here so Node's tsconfig checks this file too). */
interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void
}

/** The Worker: `fetch` serves the API, `scheduled` (cron `* * * * *`) runs the alert job. */
export default {
  fetch: app.fetch,
  scheduled(_controller: unknown, env: unknown, ctx: WaitUntil): void {
    ctx.waitUntil(runAlertJob(makeDb(parseWorkerEnv(env)), { log: log.child({ job: 'alerts' }) }))
  },
}
