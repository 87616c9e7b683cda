// Signed webhook POSTs (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature) with WebCrypto, so Workers and Node sign alike.
import { WEBHOOK_SECRET_PREFIX, webhookUrlIssue } from '../../shared/entities/webhook.js'

/** What one POST to a receiver came to; never thrown. */
export type DeliveryResult = { ok: true; status: number } | { ok: false; status: number | null; error: string }

/**
 * The fetch the job uses: global fetch on Workers (Cloudflare's network cannot reach the operator's private
 * addresses), on Node one that refuses a name resolving to a non-public address unless the webhook allows it
 * (edge/node/public-fetch.ts).
 */
export type FetchLike = (input: string, init: RequestInit, target?: { allowPrivateNetwork: boolean }) => Promise<Response>

const encoder = new TextEncoder()

/** Standard base64 of bytes. */
function base64(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary)
}

/** A new secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + base64(crypto.getRandomValues(new Uint8Array(32)))
}

/** The key bytes of a `whsec_` secret (the part after the prefix, base64-decoded). */
export function decodeWebhookSecret(secret: string): Uint8Array<ArrayBuffer> {
  const binary = atob(secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret)
  return Uint8Array.from(binary, (c) => c.charCodeAt(0))
}

/** `v1,` + base64 HMAC-SHA256 over `{id}.{timestamp}.{body}` keyed with the decoded secret (Standard Webhooks). */
export async function signWebhook(secret: string, id: string, timestampSec: number, body: string): Promise<string> {
  const key = await crypto.subtle.importKey('raw', decodeWebhookSecret(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign'])
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(`${id}.${timestampSec}.${body}`))
  return `v1,${base64(new Uint8Array(mac))}`
}

/** The three Standard Webhooks headers plus the JSON content type for one attempt. */
export async function webhookHeaders(secret: string, id: string, nowMs: number, body: string): Promise<Record<string, string>> {
  const timestampSec = Math.floor(nowMs / 1000)
  return {
    'content-type': 'application/json',
    'user-agent': 'softswitch-alerts/1',
    'webhook-id': id,
    'webhook-timestamp': String(timestampSec),
    'webhook-signature': await signWebhook(secret, id, timestampSec, body),
  }
}

/** POSTs one signed body with a per-attempt timeout; any 2xx is delivered, anything else (or no answer) a failure value. */
export async function postWebhook(
  fetchFn: FetchLike,
  target: { url: string; secret: string; allowPrivateNetwork?: boolean },
  message: { id: string; body: string },
  options: { nowMs: number; timeoutMs: number },
): Promise<DeliveryResult> {
  const allowPrivateNetwork = target.allowPrivateNetwork ?? false
  // Checked again at every attempt: a row written before the check existed, or edited in the database, is refused too.
  const refused = webhookUrlIssue({ url: target.url, allowPrivateNetwork })
  if (refused !== null) return { ok: false, status: null, error: `not sent: ${refused}` }
  try {
    const headers = await webhookHeaders(target.secret, message.id, options.nowMs, message.body)
    const init: RequestInit = { method: 'POST', headers, body: message.body, signal: AbortSignal.timeout(options.timeoutMs), redirect: 'manual' }
    const res = await fetchFn(target.url, init, { allowPrivateNetwork })
    // Drain the body so the connection is released (the receiver's answer is not used).
    await res.body?.cancel().catch(() => undefined)
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status }
    return { ok: false, status: res.status, error: `receiver answered ${res.status}` }
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')
    return { ok: false, status: null, error: timedOut ? `no answer within ${options.timeoutMs} ms` : `request failed: ${err instanceof Error ? err.message : String(err)}` }
  }
}
