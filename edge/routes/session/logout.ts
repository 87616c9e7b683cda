// DELETE /v1/session: ends the console session and clears its cookie.
import { deleteCookie, getCookie } from 'hono/cookie'
import { deleteSession, isHttps, SESSION_COOKIE } from '../../auth/session.js'
import { defineOperation } from '../../openapi/operation.js'

/** The logout operation of /v1/session. */
export const logout = defineOperation(
  {
    method: 'delete',
    path: '/',
    operationId: 'deleteSession',
    summary: 'Console logout: ends the session of the cookie (any role may)',
    auditAction: 'logout',
    anyRole: true,
    responses: { 204: { description: 'logged out' } },
  },
  async (c) => {
    const token = getCookie(c, SESSION_COOKIE)
    if (token !== undefined) await deleteSession(c.var.db, token)
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isHttps(c.req.url, c.req.header('x-forwarded-proto')) })
    c.var.audit?.record({ resourceId: c.var.principal.keyId, after: null })
    return c.body(null, 204)
  },
)
