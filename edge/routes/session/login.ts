// POST /v1/session: exchanges an API key for the console's httpOnly session cookie and returns the CSRF token for writes.
import { z } from 'zod'
import { isoFromMs } from '../../../shared/entities/fields.js'
import { setCookie } from 'hono/cookie'
import { createSession, isHttps, SESSION_COOKIE } from '../../auth/session.js'
import { ApiError } from '../../errors.js'
import { principalOfSecret } from '../../middleware/auth.js'
import { defineOperation } from '../../openapi/operation.js'
import { sessionInfo } from './schemas.js'

/** Login body: the API key, sent once; the browser keeps only the cookie. */
export const loginBody = z.strictObject({ apiKey: z.string().min(1).max(200).describe('an admin or viewer API key') })

/** The login operation of /v1/session. */
export const login = defineOperation(
  {
    method: 'post',
    path: '/',
    operationId: 'createSession',
    summary: 'Console login: trade an API key for a session cookie (httpOnly, SameSite=Strict, Secure over https); public',
    auditAction: 'login',
    public: true,
    body: loginBody,
    responses: { 201: { description: 'the session; writes with the cookie must send csrfToken as x-csrf-token', schema: sessionInfo } },
  },
  async (c, { body }) => {
    const principal = await principalOfSecret(c.var.db, body.apiKey)
    if (principal === null) throw new ApiError('UNAUTHORIZED', 'unknown API key')
    const session = await createSession(c.var.db, principal.keyId, Date.now())
    const secure = isHttps(c.req.url, c.req.header('x-forwarded-proto'))
    // No Max-Age: the cookie ends with the browser session; the server ends it sooner (idle and absolute expiry).
    setCookie(c, SESSION_COOKIE, session.token, { httpOnly: true, sameSite: 'Strict', secure, path: '/' })
    c.set('principal', { ...principal, via: 'session' })
    const info = { keyId: principal.keyId, keyName: principal.keyName, role: principal.role, via: 'session' as const, csrfToken: session.csrfToken, expiresAt: isoFromMs(session.expiresAtMs) }
    c.var.audit?.record({ resourceId: principal.keyId, after: info })
    return c.json(info, 201)
  },
)
