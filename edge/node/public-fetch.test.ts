// The Node webhook fetch against a real receiver: a name resolving to loopback is refused at connect time unless the webhook allows private networks.
import { afterEach, describe, expect, it } from 'vitest'
import { postWebhook } from '../alerts/webhook.js'
import { generateWebhookSecret } from '../alerts/webhook.js'
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js'
import { publicOnlyFetch, type Resolver } from './public-fetch.js'

/** DNS for names the test owns (the machine's resolver has no records for them): hooks.example.com is made to point at loopback. */
const rebinding: Resolver = (hostname, callback) => {
  if (hostname === 'hooks.example.com') return callback(null, [{ address: '127.0.0.1', family: 4 }])
  if (hostname === 'mixed.example.com') return callback(null, [{ address: '93.184.215.14', family: 4 }, { address: '169.254.169.254', family: 4 }])
  callback(Object.assign(new Error(`no record for ${hostname}`), { code: 'ENOTFOUND' }), [])
}

describe('publicOnlyFetch', () => {
  let receiver: WebhookReceiver | undefined
  afterEach(async () => receiver?.close())
  const message = { id: 'msg_1', body: '{"a":1}' }

  it('refuses a public-looking name that resolves to loopback, and delivers to it when the webhook allows private networks', async () => {
    receiver = await startWebhookReceiver(() => 204)
    const url = receiver.url.replace('127.0.0.1', 'hooks.example.com')
    const fetchFn = publicOnlyFetch(rebinding)
    const secret = generateWebhookSecret()
    const refused = await postWebhook(fetchFn, { url, secret }, message, { nowMs: Date.now(), timeoutMs: 2000 })
    expect(refused).toMatchObject({ ok: false, status: null, error: expect.stringContaining('resolves to 127.0.0.1, a loopback address') })
    expect(receiver.received).toHaveLength(0)
    const allowed = await postWebhook(fetchFn, { url, secret, allowPrivateNetwork: true }, message, { nowMs: Date.now(), timeoutMs: 2000 })
    expect(allowed).toEqual({ ok: true, status: 204 })
    expect(receiver.received.map((r) => r.json)).toEqual([{ a: 1 }])
  })

  it('refuses a name with any non-public address among its records, and literal metadata and loopback URLs before any connection', async () => {
    const fetchFn = publicOnlyFetch(rebinding)
    const secret = generateWebhookSecret()
    for (const url of ['http://mixed.example.com/x', 'http://169.254.169.254/latest/meta-data/', 'http://[::1]:9/x', 'http://10.1.2.3/x']) {
      const r = await postWebhook(fetchFn, { url, secret }, message, { nowMs: Date.now(), timeoutMs: 2000 })
      expect(r, url).toMatchObject({ ok: false, status: null })
      expect(r.ok ? '' : r.error, url).toMatch(/169\.254\.169\.254|::1|10\.1\.2\.3/)
    }
  })
})
