// The Worker in workerd against a real libSQL server: fetch through the entrypoint, bearer auth, the scheduled alert job delivering a signed webhook, and billing writes (payment batch, CSV rate import).
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { describe, expect, inject, it } from 'vitest'
import { makeDb } from './db.js'
import { cdrRow, insertCdrs } from './test-support/cdrs.js'
import './test-support/provided-context.js'
import worker from './worker.js'

// `exports` is typed per project by `wrangler types`; this project does not generate them, so name the one entry used.
const { default: self } = exports as unknown as { default: Fetcher }
const adminKey = inject('adminApiKey')
const base = 'https://edge.test'

describe('edge Worker (workerd + sqld)', () => {
  it('creates a routing gateway and reads it back through fetch', async () => {
    const created = await self.fetch(`${base}/v1/routing-gateways`, {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'workerd-vendor', host: '198.51.100.9', prefixes: ['0044'] }),
    })
    expect(created.status).toBe(201)
    const body = (await created.json()) as { id: string; name: string; port: number }
    expect(body).toMatchObject({ name: 'workerd-vendor', port: 5060 })

    const read = await self.fetch(`${base}/v1/routing-gateways/${body.id}`, {
      headers: { authorization: `Bearer ${adminKey}` },
    })
    expect(read.status).toBe(200)
    expect(await read.json()).toEqual(body)
  })

  it('serves /docs and its swagger-ui-dist files from the static-assets binding, no CDN', async () => {
    const page = await self.fetch(`${base}/docs`)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(html).toContain('/docs/assets/swagger-ui-bundle.js')
    expect(html).not.toMatch(/https?:\/\//)
    const bundle = await self.fetch(`${base}/docs/assets/swagger-ui-bundle.js`)
    expect(bundle.status).toBe(200)
    expect(bundle.headers.get('content-type')).toContain('javascript')
    expect((await bundle.text()).length).toBeGreaterThan(100_000)
    expect((await self.fetch(`${base}/docs/assets/index.html`)).status).toBe(404)
  })

  it('returns 401 without a key', async () => {
    const res = await self.fetch(`${base}/v1/routing-gateways`)
    expect(res.status).toBe(401)
    const body = (await res.json()) as { error: { code: string; requestId: string } }
    expect(body.error).toMatchObject({ code: 'UNAUTHORIZED', requestId: expect.any(String) })
  })

  it('runs the scheduled alert job to completion against the database', async () => {
    const ctx = createExecutionContext()
    worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '* * * * *' }), env, ctx)
    await waitOnExecutionContext(ctx)
    const health = await self.fetch(`${base}/health`)
    expect(health.status).toBe(200)
    expect(await health.json()).toMatchObject({ ok: true, configVersion: expect.any(Number) })
  })

  it('records a payment in one batch and imports and exports rates as CSV over the HTTP libSQL client', async () => {
    const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }
    const acc = (await (await self.fetch(`${base}/v1/accounts`, { method: 'POST', headers, body: JSON.stringify({ name: 'workerd-payer', balance: 1 }) })).json()) as { id: string }
    const paid = await self.fetch(`${base}/v1/accounts/${acc.id}/payments`, { method: 'POST', headers, body: JSON.stringify({ amount: 2.5, note: 'w' }) })
    expect(paid.status).toBe(201)
    expect(await paid.json()).toMatchObject({ accountId: acc.id, amount: 2.5, balanceAfter: 3.5 })
    const history = (await (await self.fetch(`${base}/v1/accounts/${acc.id}/payments`, { headers })).json()) as { items: { balanceAfter: number }[] }
    expect(history.items.map((p) => p.balanceAfter)).toEqual([3.5])

    const table = (await (await self.fetch(`${base}/v1/rate-tables`, { method: 'POST', headers, body: JSON.stringify({ name: 'workerd-rates' }) })).json()) as { id: string }
    const csv = 'prefix,pricePerMinute,firstIncrementSec,nextIncrementSec,effectiveFrom\r\n0033,0.015,30,6,2026-01-01T00:00:00.000Z\r\n'
    const imported = await self.fetch(`${base}/v1/rate-tables/${table.id}/rates/import`, { method: 'POST', headers: { ...headers, 'content-type': 'text/csv' }, body: csv })
    expect(await imported.json()).toEqual({ total: 1, created: 1, updated: 0 })
    expect(await (await self.fetch(`${base}/v1/rate-tables/${table.id}/rates`, { headers: { ...headers, accept: 'text/csv' } })).text()).toBe(csv)
  })

  it('streams the CDR CSV export and answers the analysis queries over the HTTP libSQL client', async () => {
    const headers = { authorization: `Bearer ${adminKey}` }
    const csv = await self.fetch(`${base}/v1/cdrs?format=csv&from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z`, { headers })
    expect(csv.status).toBe(200)
    expect(await csv.text()).toMatch(/^id,callId,startedAt,.*,notes\r\n$/)
    const window = 'from=2000-01-01T00:00:00Z&to=2000-01-02T00:00:00Z'
    for (const path of [`/v1/analysis/calls?${window}`, `/v1/analysis/gateway-failures?${window}`, `/v1/analysis/diagnosis?${window}`]) {
      const res = await self.fetch(`${base}${path}`, { headers })
      expect(res.status, path).toBe(200)
    }
  })
})

describe('alert job in workerd (scheduled handler, sqld, a real receiver on 127.0.0.1)', () => {
  it('fires a signed alert.firing for a 503 spike and records the delivery as delivered', async () => {
    const headers = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }
    const post = async (path: string, body: unknown) => {
      const res = await self.fetch(`${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })
      expect(res.status, path).toBe(201)
      return (await res.json()) as { id: string; secret: string }
    }
    const receiverUrl = inject('webhookReceiverUrl')
    const secret = `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`
    const hook = await post('/v1/webhooks', { name: 'workerd-receiver', url: receiverUrl, secret, severities: ['critical'], allowPrivateNetwork: true })
    const gateway = await post('/v1/routing-gateways', { name: 'workerd-spiking', host: '198.51.100.10', prefixes: ['0049'] })
    const rule = await post('/v1/alert-rules', {
      name: 'workerd-503', scope: { kind: 'routingGateway', id: gateway.id }, metric: 'sipCodeCount', sipCode: 503,
      threshold: 10, minAttempts: 10, windowSec: 600, severity: 'critical',
    })
    const nowMs = Date.now()
    await insertCdrs(makeDb({ DATABASE_URL: inject('databaseUrl') }), Array.from({ length: 12 }, (_, i) =>
      cdrRow({ routingGatewayId: gateway.id, startedAtMs: nowMs - 120_000 + i * 1000, terminationReason: 'GatewayRejected', sipCode: 503 })))

    const ctx = createExecutionContext()
    worker.scheduled(createScheduledController({ scheduledTime: nowMs, cron: '* * * * *' }), env, ctx)
    await waitOnExecutionContext(ctx)

    const received = (await (await fetch(receiverUrl)).json()) as { headers: Record<string, string>; body: string; json: any }[]
    const mine = received.filter((r) => r.json.rule.id === rule.id)
    expect(mine).toHaveLength(1)
    const [got] = mine
    expect(got!.json).toMatchObject({ type: 'alert.firing', alert: { state: 'firing', value: 12 }, topReasons: [{ reason: 'GatewayRejected', count: 12 }] })
    const { 'webhook-id': id, 'webhook-timestamp': ts, 'webhook-signature': signature } = got!.headers
    expect(Math.abs(Date.now() / 1000 - Number(ts))).toBeLessThan(300)
    const key = await crypto.subtle.importKey('raw', Uint8Array.from(atob(secret.slice(6)), (c) => c.charCodeAt(0)), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify'])
    const mac = Uint8Array.from(atob(String(signature).replace(/^v1,/, '')), (c) => c.charCodeAt(0))
    expect(await crypto.subtle.verify('HMAC', key, mac, new TextEncoder().encode(`${id}.${ts}.${got!.body}`))).toBe(true)

    const alerts = await self.fetch(`${base}/v1/alerts?ruleId=${rule.id}`, { headers })
    const body = (await alerts.json()) as { items: { deliveries: { webhookId: string; status: string; attempts: number }[] }[] }
    expect(body.items[0]?.deliveries).toEqual([expect.objectContaining({ webhookId: hook.id, status: 'delivered', attempts: 1 })])
  })
})

describe('operator console in workerd (static assets)', () => {
  it('serves the console: page URLs from the Worker through the ASSETS binding, with the CSP', async () => {
    const res = await self.fetch(`${base}/console/calls`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'")
    const html = await res.text()
    const js = /src="([^"]+)"/.exec(html)?.[1]
    expect(js).toMatch(/^\/console\/assets\/app-/)
    const asset = await env.ASSETS.fetch(new Request(`${base}${js}`))
    expect(asset.status).toBe(200)
    expect(await asset.text()).toContain('/v1/session')
  })
})
