// The status port (API.md "Processes and environment": /health, /metrics in the Prometheus text format 0.0.4, /v1/calls) over real HTTP on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { startStatusServer, type StatusServer } from './server.js'

let server: StatusServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

async function start(health: () => { ok: boolean; [k: string]: unknown }, metrics = new Metrics()): Promise<string> {
  server = await startStatusServer({ host: '127.0.0.1', port: 0, metrics, health, log: silentLogger })
  return `http://127.0.0.1:${server.port}`
}

describe('status server', () => {
  it('returns 200 with the health JSON while ok, 503 when not', async () => {
    let ok = true
    const base = await start(() => ({ ok, transactions: 3 }))
    const a = await fetch(`${base}/health`)
    expect([a.status, await a.json()]).toEqual([200, { ok: true, transactions: 3 }])
    ok = false
    expect((await fetch(`${base}/health`)).status).toBe(503)
  })

  it('returns the registry in the Prometheus text format on /metrics', async () => {
    const m = new Metrics()
    m.counter('sip_requests_received_total', 'requests', ['method']).labels('OPTIONS').inc(5)
    const base = await start(() => ({ ok: true }), m)
    const res = await fetch(`${base}/metrics`)
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    expect(await res.text()).toContain('sip_requests_received_total{method="OPTIONS"} 5\n')
  })

  it('returns 404 for unknown paths, 405 for writes, and an empty call list', async () => {
    const base = await start(() => ({ ok: true }))
    expect((await fetch(`${base}/nope`)).status).toBe(404)
    expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(405)
    expect(await (await fetch(`${base}/v1/calls`)).json()).toEqual({ items: [] })
  })

  it('answers 500 and keeps serving when the health source throws', async () => {
    let fail = true
    const base = await start(() => {
      if (fail) throw new Error('boom')
      return { ok: true }
    })
    expect((await fetch(`${base}/health`)).status).toBe(500)
    fail = false
    expect((await fetch(`${base}/health`)).status).toBe(200)
  })
})
