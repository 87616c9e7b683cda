// One access-log line per API request (request id, key id, method, route, status, latency) and a request-scoped logger for handlers.
import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import type { Logger } from '../../shared/log/logger.js'
import type { AppEnv } from '../env.js'

/** One answered request, as logged (and counted on the Node edge's /metrics). */
export interface RequestRecord {
  method: string
  route: string
  status: number
  latencyMs: number
}

/** Sets `c.var.log` (the app's logger with the request id), logs the request once it is answered and hands it to `observe`. */
export function accessLog(log: Logger, observe?: (r: RequestRecord) => void) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = Date.now()
    const requestLog = log.child({ requestId: c.get('requestId') })
    c.set('log', requestLog)
    try {
      await next()
    } finally {
      // The route pattern (/v1/accounts/:id), not the path, so ids do not explode the cardinality of log queries.
      // An unmatched path is logged as it came but counted as one label value, so scanners cannot grow the series.
      const matched = routePath(c, -1)
      const record = { method: c.req.method, route: matched || c.req.path, status: c.res.status, latencyMs: Date.now() - started }
      requestLog.info('request', { keyId: c.get('principal')?.keyId ?? null, ...record })
      observe?.({ ...record, route: matched === '' || matched === '/*' || matched === '*' ? '(unmatched)' : matched })
    }
  })
}
