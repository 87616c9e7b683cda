// GET /v1/session: who the request authenticates as; for a cookie session also its CSRF token (the console reads it after a reload).
import { getCookie } from 'hono/cookie'
import { isoFromMs } from '../../../shared/entities/fields.js'
import { findSession, SESSION_COOKIE } from '../../auth/session.js'
import { defineOperation } from '../../openapi/operation.js'
import { sessionInfo } from './schemas.js'

/** The who-am-I operation of /v1/session. */
export const currentSession = defineOperation(
  {
    method: 'get',
    path: '/',
    operationId: 'getSession',
    summary: 'Who this request authenticates as (key, role) and, with the session cookie, the CSRF token for writes',
    responses: { 200: { description: 'the caller', schema: sessionInfo } },
  },
  async (c) => {
    const p = c.var.principal
    const token = p.via === 'session' ? getCookie(c, SESSION_COOKIE) : undefined
    const session = token === undefined ? null : await findSession(c.var.db, token, Date.now())
    return c.json({
      keyId: p.keyId, keyName: p.keyName, role: p.role, via: p.via,
      csrfToken: session?.csrfToken ?? null, expiresAt: session === null ? null : isoFromMs(session.expiresAtMs),
    })
  },
)
