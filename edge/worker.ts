// Cloudflare Workers entry: the same app over libSQL's HTTP client, plus the cron-triggered alert job.
import { runAlertJob } from './alerts/job.js'
import { createApp } from './app.js'
import type { DocsAssetReader } from './docs/page.js'
import { makeDb } from './db.js'
import { parseWorkerEnv } from './env.js'
import { createJsonLogger } from '../shared/log/logger.js'

/** The same JSON lines as pino writes on Node, through console.log (Workers Logs collect it). */
const log = createJsonLogger({ sink: (line) => console.log(line), context: { service: 'edge' } })
/** The /docs files come from the static-assets binding (wrangler.toml [assets]; the console build copies them to docs/). */
const docsAsset: DocsAssetReader = async (c, name) => {
  const assets = (c.env as { ASSETS?: { fetch(url: string): Promise<Response> } }).ASSETS
  return assets?.fetch(`https://assets.invalid/docs/${name}`)
}
const app = createApp({
  getDb: (c) => makeDb(parseWorkerEnv(c.env)),
  log,
  docsAsset,
  consoleAssets: async (c, path) => {
    const assets = (c.env as { ASSETS?: { fetch(request: Request): Promise<Response> } }).ASSETS
    if (assets === undefined) return null
    const res = await assets.fetch(new Request(new URL(path, c.req.url)))
    return res.ok ? res : null
  },
})

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
