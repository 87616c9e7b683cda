// One access-log line per API request (request id, key id, method, route, status, latency) and a request-scoped logger for handlers.
import { createMiddleware } from 'hono/factory'
import { routePath } from 'hono/route'
import type { Logger } from '../../shared/log/logger.js'
import type { AppEnv } from '../env.js'

/** Sets `c.var.log` (the app's logger with the request id) and logs the request once it is answered. */
export function accessLog(log: Logger) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const started = Date.now()
    const requestLog = log.child({ requestId: c.get('requestId') })
    c.set('log', requestLog)
    try {
      await next()
    } finally {
      // The route pattern (/v1/accounts/:id), not the path, so ids do not explode the cardinality of log queries.
      const route = routePath(c, -1) || c.req.path
      requestLog.info('request', {
        keyId: c.get('principal')?.keyId ?? null,
        method: c.req.method,
        route,
        status: c.res.status,
        latencyMs: Date.now() - started,
      })
    }
  })
}
