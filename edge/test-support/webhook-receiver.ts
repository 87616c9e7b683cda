// A real webhook receiver for tests (node:http on 127.0.0.1) and a Standard Webhooks verifier written with node:crypto, independent of the edge's signer.
import { createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request the receiver got. */
export interface ReceivedWebhook {
  headers: IncomingHttpHeaders
  body: string
  json: any
}

/** How the receiver answers the n-th request (1-based): a status, or 'hang' to never answer. */
export type Answer = number | 'hang'

/** A running receiver. */
export interface WebhookReceiver {
  url: string
  received: ReceivedWebhook[]
  close: () => Promise<void>
}

/** Starts a receiver on a free port that records every POST and answers with `answer(n)` after `delayMs`; GET returns the recorded list. */
export async function startWebhookReceiver(answer: (n: number) => Answer = () => 204, delayMs = 0): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = []
  const server = createServer((req, res) => {
    // GET lists what was received, for tests that cannot read this process's memory (the Worker in workerd).
    if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(received))
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      received.push({ headers: req.headers, body, json: JSON.parse(body) })
      const a = answer(received.length)
      if (a === 'hang') return
      setTimeout(() => res.writeHead(a).end(), delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    }),
  }
}

/** Verifies a delivery as a Standard Webhooks receiver does: HMAC-SHA256 of `{id}.{ts}.{body}` with the decoded key, and |now - ts| <= tolerance. */
export function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string, nowSec: number, toleranceSec = 300): boolean {
  const id = String(headers['webhook-id'])
  const ts = Number(headers['webhook-timestamp'])
  if (!Number.isInteger(ts) || Math.abs(nowSec - ts) > toleranceSec) return false
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64')
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest()
  return String(headers['webhook-signature'])
    .split(' ')
    .some((s) => {
      const [version, sig] = s.split(',')
      const given = Buffer.from(sig ?? '', 'base64')
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected)
    })
}
