// Audits every successful write under /v1 in one place: gives the request an AuditTrail and writes what it holds once the handler succeeded.
import { createMiddleware } from 'hono/factory'
import { auditLog } from '../../shared/db/schema.js'
import type { AppEnv } from '../env.js'
import { AuditTrail } from './trail.js'

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The JSON body of a response without consuming it (null for other types or an empty body). */
async function jsonBody(res: Response): Promise<unknown> {
  if (!/\bapplication\/json\b/i.test(res.headers.get('content-type') ?? '')) return null
  try {
    const text = await res.clone().text()
    return text === '' ? null : JSON.parse(text)
  } catch {
    return null
  }
}

/**
 * On POST/PUT/PATCH/DELETE: a 2xx whose handler did not already write its entries inside its transaction gets them
 * written now (the entries the handler recorded, else one with the response body as the after state). Failed requests
 * change nothing and are not recorded.
 */
export const auditWrites = createMiddleware<AppEnv>(async (c, next) => {
  if (READ_METHODS.has(c.req.method)) return next()
  const trail = new AuditTrail({ method: c.req.method, path: c.req.path, requestId: c.get('requestId') ?? null }, () => c.get('principal'))
  c.set('audit', trail)
  await next()
  if (c.res.status >= 400 || trail.written) return
  const nowMs = Date.now()
  const rows = trail.pendingRows(nowMs, await jsonBody(c.res))
  if (rows.length === 0) return
  try {
    await c.var.db.insert(auditLog).values(rows)
    trail.written = true
  } catch (err) {
    // The change is already committed; say so loudly rather than turn a done write into an error for the client.
    c.var.log.error('audit entry not written', { path: c.req.path, err })
  }
})
