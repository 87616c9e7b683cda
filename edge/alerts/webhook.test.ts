// Covers Standard Webhooks signing (the spec's test vector and a node:crypto receiver) and postWebhook's Result values over real HTTP.
import { afterEach, describe, expect, it } from 'vitest'
import { startWebhookReceiver, verifyStandardWebhook, type WebhookReceiver } from '../test-support/webhook-receiver.js'
import { generateWebhookSecret, postWebhook, signWebhook } from './webhook.js'

describe('signWebhook', () => {
  it('reproduces the Standard Webhooks reference signature', async () => {
    const sig = await signWebhook('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')
    expect(sig).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=')
  })

  it('generates whsec_ secrets holding a 32-byte key', () => {
    const secret = generateWebhookSecret()
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/)
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32)
  })
})

describe('postWebhook', () => {
  let receiver: WebhookReceiver | undefined
  afterEach(async () => receiver?.close())
  const fetchFn = (url: string, init: RequestInit) => fetch(url, init)

  it('POSTs the body with webhook-id, webhook-timestamp and a signature the receiver verifies; 2xx is ok', async () => {
    receiver = await startWebhookReceiver(() => 202)
    const secret = generateWebhookSecret()
    const nowMs = Date.now()
    const result = await postWebhook(fetchFn, { url: receiver.url, secret, allowPrivateNetwork: true }, { id: 'msg_1', body: '{"a":1}' }, { nowMs, timeoutMs: 2000 })
    expect(result).toEqual({ ok: true, status: 202 })
    const [got] = receiver.received
    expect(got?.headers['webhook-id']).toBe('msg_1')
    expect(got?.headers['content-type']).toBe('application/json')
    expect(verifyStandardWebhook(secret, got!.headers, got!.body, Math.floor(nowMs / 1000))).toBe(true)
    expect(verifyStandardWebhook(generateWebhookSecret(), got!.headers, got!.body, Math.floor(nowMs / 1000))).toBe(false)
  })

  it('returns a failure value with the status for a 500 and with no status for a receiver that never answers', async () => {
    receiver = await startWebhookReceiver((n) => (n === 1 ? 500 : 'hang'))
    const target = { url: receiver.url, secret: generateWebhookSecret(), allowPrivateNetwork: true }
    expect(await postWebhook(fetchFn, target, { id: 'm', body: '{}' }, { nowMs: Date.now(), timeoutMs: 2000 })).toMatchObject({ ok: false, status: 500 })
    expect(await postWebhook(fetchFn, target, { id: 'm', body: '{}' }, { nowMs: Date.now(), timeoutMs: 150 })).toEqual({
      ok: false, status: null, error: 'no answer within 150 ms',
    })
  })

  it('returns a failure value when nothing listens on the port', async () => {
    const result = await postWebhook(fetchFn, { url: 'http://127.0.0.1:9/x', secret: generateWebhookSecret(), allowPrivateNetwork: true }, { id: 'm', body: '{}' }, { nowMs: Date.now(), timeoutMs: 2000 })
    expect(result).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/^request failed/) })
  })

  it('sends nothing to a loopback or metadata URL of a webhook that does not allow private networks', async () => {
    receiver = await startWebhookReceiver(() => 204)
    const secret = generateWebhookSecret()
    for (const url of [receiver.url, 'http://169.254.169.254/latest/meta-data/']) {
      const result = await postWebhook(fetchFn, { url, secret }, { id: 'm', body: '{}' }, { nowMs: Date.now(), timeoutMs: 2000 })
      expect(result).toMatchObject({ ok: false, status: null, error: expect.stringMatching(/^not sent: .* address; set allowPrivateNetwork/) })
    }
    expect(receiver.received).toHaveLength(0)
  })
})
