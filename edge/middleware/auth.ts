// Operator bearer-token authentication: looks the key up by the SHA-256 of its secret and enforces admin/viewer roles.
import { eq } from 'drizzle-orm'
import { createMiddleware } from 'hono/factory'
import { apiKeys } from '../../shared/db/schema.js'
import { hashApiKeySecret } from '../../shared/entities/api-key.js'
import type { AppEnv } from '../env.js'
import { ApiError } from '../errors.js'

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

/** Requires `Authorization: Bearer <key>`: missing or unknown key → 401, viewer on a non-GET → 403. */
export const requireApiKey = createMiddleware<AppEnv>(async (c, next) => {
  const header = c.req.header('authorization')
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header)
  if (match?.[1] === undefined) throw new ApiError('UNAUTHORIZED', 'missing bearer token (Authorization: Bearer <key>)')
  const secretHash = hashApiKeySecret(match[1])
  const rows = await c.var.db
    .select({ id: apiKeys.id, role: apiKeys.role })
    .from(apiKeys)
    .where(eq(apiKeys.secretHash, secretHash))
    .limit(1)
  const key = rows[0]
  if (key === undefined) throw new ApiError('UNAUTHORIZED', 'unknown API key')
  if (key.role !== 'admin' && !READ_METHODS.has(c.req.method)) {
    throw new ApiError('FORBIDDEN', `role ${key.role} may only read`)
  }
  c.set('principal', { keyId: key.id, role: key.role })
  await next()
})
