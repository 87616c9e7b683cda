// Operator authentication: a bearer API key, or a console session cookie (with its CSRF token on writes); enforces admin/viewer roles.
import { eq } from 'drizzle-orm'
import { getCookie } from 'hono/cookie'
import { createMiddleware } from 'hono/factory'
import { apiKeys } from '../../shared/db/schema.js'
import { hashApiKeySecret } from '../../shared/entities/api-key.js'
import { CSRF_HEADER, findSession, SESSION_COOKIE, sameToken } from '../auth/session.js'
import type { AppEnv, Db, Principal } from '../env.js'
import { ApiError } from '../errors.js'

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The key a bearer secret names, or null. */
export async function principalOfSecret(db: Db, secret: string): Promise<Principal | null> {
  const rows = await db
    .select({ id: apiKeys.id, name: apiKeys.name, role: apiKeys.role })
    .from(apiKeys)
    .where(eq(apiKeys.secretHash, hashApiKeySecret(secret)))
    .limit(1)
  const key = rows[0]
  return key === undefined ? null : { keyId: key.id, keyName: key.name, role: key.role, via: 'bearer' }
}

/**
 * `Authorization: Bearer <key>` or the console's session cookie: neither → 401; a cookie write without the session's
 * `x-csrf-token` → 403; a viewer's write → 403 (logging out excepted). The login itself (POST /v1/session) carries the
 * key in its body and passes through.
 */
export const requireApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const path = c.req.path
  const write = !READ_METHODS.has(c.req.method)
  if (c.req.method === 'POST' && path === '/v1/session') return next()
  const header = c.req.header('authorization')
  let principal: Principal
  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
    if (match?.[1] === undefined) throw new ApiError('UNAUTHORIZED', 'missing bearer token (Authorization: Bearer <key>)')
    const key = await principalOfSecret(c.var.db, match[1])
    if (key === null) throw new ApiError('UNAUTHORIZED', 'unknown API key')
    principal = key
  } else {
    const token = getCookie(c, SESSION_COOKIE)
    if (token === undefined) throw new ApiError('UNAUTHORIZED', 'missing bearer token (Authorization: Bearer <key>) or console session')
    const session = await findSession(c.var.db, token, Date.now())
    if (session === null) throw new ApiError('UNAUTHORIZED', 'the console session expired or was ended; log in again')
    if (write && !sameToken(c.req.header(CSRF_HEADER), session.csrfToken)) {
      throw new ApiError('FORBIDDEN', `a write with the session cookie needs its ${CSRF_HEADER} header`)
    }
    principal = session.principal
  }
  const logout = c.req.method === 'DELETE' && path === '/v1/session'
  if (principal.role !== 'admin' && write && !logout) throw new ApiError('FORBIDDEN', `role ${principal.role} may only read`)
  c.set('principal', principal)
  await next()
})
