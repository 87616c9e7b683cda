// Console sessions: an API key exchanged for a random cookie token (stored as its SHA-256) with a CSRF token for writes; idle and absolute expiry.
import { and, eq, lt } from 'drizzle-orm'
import { apiKeys, consoleSessions } from '../../shared/db/schema.js'
import { sha256Hex } from '../../shared/auth/digest-hash.js'
import type { Principal, Queryable } from '../env.js'

/** Name of the httpOnly session cookie. */
export const SESSION_COOKIE = 'ss_session'
/** Header the console sends on every write made with the cookie (the value comes from the login or GET /v1/session). */
export const CSRF_HEADER = 'x-csrf-token'
/** A session ends after this long without a request (a wallboard that refreshes keeps it alive). */
export const SESSION_IDLE_MS = 60 * 60_000
/** ...and at the latest this long after the login. */
export const SESSION_MAX_MS = 12 * 3_600_000

/** A live session with the key it stands for. */
export interface SessionInfo {
  principal: Principal
  csrfToken: string
  expiresAtMs: number
}

/** 32 random bytes as unpadded base64url. */
function randomToken(): string {
  let binary = ''
  for (const b of crypto.getRandomValues(new Uint8Array(32))) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** Constant-time comparison of two strings (length leaks, content does not). */
export function sameToken(a: string | undefined, b: string): boolean {
  if (a === undefined || a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i)
  return diff === 0
}

/** Starts a session for an existing key (and drops expired ones); returns the cookie token, shown to nobody but the browser. */
export async function createSession(db: Queryable, keyId: string, nowMs: number): Promise<{ token: string; csrfToken: string; expiresAtMs: number }> {
  const token = randomToken()
  const csrfToken = randomToken()
  const expiresAtMs = nowMs + SESSION_IDLE_MS
  await db.delete(consoleSessions).where(lt(consoleSessions.expiresAtMs, nowMs))
  await db.insert(consoleSessions).values({ tokenHash: sha256Hex(token), keyId, csrfToken, createdAtMs: nowMs, expiresAtMs })
  return { token, csrfToken, expiresAtMs }
}

/** The session of a cookie token, or null when unknown, expired or its key was revoked; slides the idle expiry when half used. */
export async function findSession(db: Queryable, token: string, nowMs: number): Promise<SessionInfo | null> {
  const tokenHash = sha256Hex(token)
  const rows = await db
    .select({
      keyId: apiKeys.id, keyName: apiKeys.name, role: apiKeys.role, csrfToken: consoleSessions.csrfToken,
      createdAtMs: consoleSessions.createdAtMs, expiresAtMs: consoleSessions.expiresAtMs,
    })
    .from(consoleSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, consoleSessions.keyId))
    .where(eq(consoleSessions.tokenHash, tokenHash))
    .limit(1)
  const s = rows[0]
  if (s === undefined || s.expiresAtMs <= nowMs) return null
  let expiresAtMs = s.expiresAtMs
  if (expiresAtMs - nowMs < SESSION_IDLE_MS / 2) {
    expiresAtMs = Math.min(nowMs + SESSION_IDLE_MS, s.createdAtMs + SESSION_MAX_MS)
    if (expiresAtMs > s.expiresAtMs) {
      await db.update(consoleSessions).set({ expiresAtMs }).where(eq(consoleSessions.tokenHash, tokenHash))
    }
  }
  return { principal: { keyId: s.keyId, keyName: s.keyName, role: s.role, via: 'session' }, csrfToken: s.csrfToken, expiresAtMs }
}

/** Ends a session (logout). */
export async function deleteSession(db: Queryable, token: string): Promise<void> {
  await db.delete(consoleSessions).where(and(eq(consoleSessions.tokenHash, sha256Hex(token))))
}

/** True when the request reached us over TLS (directly, or through a proxy that says so), so the cookie must be Secure. */
export function isHttps(url: string, forwardedProto: string | undefined): boolean {
  return url.startsWith('https:') || forwardedProto?.split(',')[0]?.trim().toLowerCase() === 'https'
}
