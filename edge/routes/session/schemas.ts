// The shape GET/POST /v1/session return: who is logged in, with which role, and the CSRF token of a cookie session.
import { z } from 'zod'
import { API_KEY_ROLES } from '../../../shared/entities/enums.js'
import { entityId, isoTime } from '../../../shared/entities/fields.js'

/** Who the request authenticates as. */
export const sessionInfo = z.object({
  keyId: entityId,
  keyName: z.string(),
  role: z.enum(API_KEY_ROLES).describe('viewer keys may only read'),
  via: z.enum(['bearer', 'session']),
  csrfToken: z.string().nullable().describe('send as x-csrf-token on writes made with the cookie; null for bearer keys'),
  expiresAt: isoTime.nullable().describe('when the session ends unless used (null for bearer keys)'),
})
