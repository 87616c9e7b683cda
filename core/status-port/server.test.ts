// The status port (docs/api.md "Core status port": /health, /metrics in the Prometheus text format 0.0.4, /v1/calls filterable by gateway) over real HTTP on 127.0.0.1.
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../lib/log.js'
import { Metrics } from '../lib/metrics.js'
import { parsePrometheusText, sampleValue } from '../lib/test-support/prometheus-text.js'
import { startStatusServer, statusNeedsKey, type StatusServer } from './server.js'

let server: StatusServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
})

const CALLS = [
  { id: 'c1', state: 'connected', mappingGatewayId: 'mg1', routingGatewayId: 'rg1', startedAtMs: 10_000 },
  { id: 'c2', state: 'routing', mappingGatewayId: 'mg1', routingGatewayId: 'rg2', startedAtMs: 40_000 },
  { id: 'c3', state: 'early', mappingGatewayId: 'mg2', routingGatewayId: null, startedAtMs: 50_000 },
]

async function start(health: () => { ok: boolean; [k: string]: unknown }, metrics = new Metrics(), callsKey?: { required: boolean; secret?: string }): Promise<string> {
  server = await startStatusServer({ host: '127.0.0.1', port: 0, metrics, health, log: silentLogger, calls: () => CALLS, now: () => 61_500, ...(callsKey === undefined ? {} : { callsKey }) })
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
    const fams = parsePrometheusText(await res.text())
    expect(sampleValue(fams, 'softswitch_sip_requests_received_total', { method: 'OPTIONS' })).toBe(5)
  })

  it('returns 404 for unknown paths and 405 for writes', async () => {
    const base = await start(() => ({ ok: true }))
    expect((await fetch(`${base}/nope`)).status).toBe(404)
    expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(405)
  })

  it('lists current calls newest first with their age, filtered by either gateway with ?gatewayId', async () => {
    const base = await start(() => ({ ok: true }))
    const all = (await (await fetch(`${base}/v1/calls`)).json()) as { count: number; items: Array<{ id: string; ageSec: number }> }
    expect(all.count).toBe(3)
    expect(all.items.map((c) => [c.id, c.ageSec])).toEqual([['c3', 11], ['c2', 21], ['c1', 51]])
    const ids = async (q: string) => ((await (await fetch(`${base}/v1/calls?${q}`)).json()) as { items: Array<{ id: string }> }).items.map((c) => c.id)
    expect(await ids('gatewayId=mg1')).toEqual(['c2', 'c1'])
    expect(await ids('gatewayId=rg1')).toEqual(['c1'])
    expect(await ids('routingGatewayId=rg2')).toEqual(['c2'])
    expect(await ids('mappingGatewayId=mg2')).toEqual(['c3'])
    expect((await fetch(`${base}/v1/calls?gateway=x`)).status).toBe(400)
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

  it('needs a key for /v1/calls when bound beyond loopback: 403 without STATUS_API_KEY, 401 for a wrong one, 200 with it; /health stays open', async () => {
    expect(['127.0.0.1', '127.0.0.2', '::1', 'localhost'].map(statusNeedsKey)).toEqual([false, false, false, false])
    expect(['0.0.0.0', '::', '10.0.0.4', 'fdaa::3', 'fly-local-6pn'].map(statusNeedsKey)).toEqual([true, true, true, true, true])
    const unset = await start(() => ({ ok: true }), new Metrics(), { required: true })
    expect((await fetch(`${unset}/v1/calls`)).status).toBe(403)
    await server?.close()
    const base = await start(() => ({ ok: true }), new Metrics(), { required: true, secret: 'status-secret-0123456789' })
    const none = await fetch(`${base}/v1/calls`)
    expect([none.status, none.headers.get('www-authenticate')]).toEqual([401, 'Bearer'])
    expect((await fetch(`${base}/v1/calls`, { headers: { authorization: 'Bearer status-secret-x' } })).status).toBe(401)
    const ok = await fetch(`${base}/v1/calls`, { headers: { authorization: 'Bearer status-secret-0123456789' } })
    expect([ok.status, ((await ok.json()) as { count: number }).count]).toEqual([200, 3])
    expect((await fetch(`${base}/health`)).status).toBe(200)
  })
})
