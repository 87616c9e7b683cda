// The Worker in workerd against a real libSQL server: fetch through the entrypoint, bearer auth, and the scheduled handler.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { describe, expect, inject, it } from 'vitest'
import './test/provided-context.js'
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
