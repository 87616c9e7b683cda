// GET /v1/registrations and the registration in gateway status: live bindings only, filtered by kind and gateway; the per-gateway status of a dynamic routing gateway; one username per gateway across both kinds.
import { describe, expect, it } from 'vitest'
import { gatewayStatus, registrations } from '../../../shared/db/schema.js'
import type { RegistrationInsert } from '../../../shared/entities/registration.js'
import { useHarness } from '../../test-support/harness.js'

const now = Date.now()
const binding = (id: string, kind: 'mapping' | 'routing', gatewayId: string, over: Partial<RegistrationInsert> = {}): RegistrationInsert => ({
  id, kind, gatewayId, aor: `sip:${gatewayId}@switch`, contact: `sip:${gatewayId}@10.0.0.5:5060`, q: null, expiresAtMs: now + 600_000,
  callId: `c-${id}`, cseq: 1, userAgent: 'PBX/2.1', sourceIp: '198.51.100.7', sourcePort: 40123, transport: 'udp', nodeId: 'node-1',
  registeredAtMs: now - 1000, updatedAtMs: now - 1000, ...over,
})

describe('GET /v1/registrations', () => {
  const h = useHarness()

  it('lists live bindings with contact, user agent, source and expiry, filtered by kind and gateway, never the expired ones', async () => {
    await h().db.insert(registrations).values([
      binding('b1', 'mapping', 'mgw_a'), binding('b2', 'routing', 'rgw_a', { transport: 'tcp' }),
      binding('b3', 'mapping', 'mgw_old', { expiresAtMs: now - 1 }),
    ])
    const all = await h().request('GET', '/v1/registrations', { as: 'viewer' })
    expect(all.status).toBe(200)
    expect(all.body.items.map((r: { id: string }) => r.id)).toEqual(['b1', 'b2'])
    expect(all.body.items[0]).toMatchObject({ kind: 'mapping', gatewayId: 'mgw_a', contact: 'sip:mgw_a@10.0.0.5:5060', userAgent: 'PBX/2.1', sourceIp: '198.51.100.7', sourcePort: 40123, transport: 'udp' })
    expect(Date.parse(all.body.items[0].expiresAt)).toBe(now + 600_000)
    expect((await h().request('GET', '/v1/registrations?kind=routing')).body.items.map((r: { id: string }) => r.id)).toEqual(['b2'])
    expect((await h().request('GET', '/v1/registrations?gatewayId=mgw_a')).body.items.map((r: { id: string }) => r.id)).toEqual(['b1'])
    expect((await h().request('GET', '/v1/registrations?kind=other')).status).toBe(400)
  })

  it('shows a dynamic gateway\'s registration in its status, in the list and by id', async () => {
    const created = await h().request('POST', '/v1/routing-gateways', { body: { name: 'dyn', dynamic: true, username: 'vendor1', password: 'pw' } })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ host: '', dynamic: true, username: 'vendor1' })
    expect(created.body).not.toHaveProperty('password')
    const id = created.body.id as string
    const before = await h().request('GET', `/v1/routing-gateways/${id}/status`)
    expect(before.body).toMatchObject({ routingGatewayId: id, dynamic: true, online: null, registration: null })
    await h().db.insert(registrations).values(binding('b9', 'routing', id, { userAgent: 'VendorGW' }))
    await h().db.insert(gatewayStatus).values({ kind: 'routing', gatewayId: id, online: true, lastCheckAtMs: null, rttMs: null, lossRatio: null, lastCode: null, currentCalls: 2, callsPerSec: 0, nodeId: 'node-1', updatedAtMs: now })
    const after = await h().request('GET', `/v1/routing-gateways/${id}/status`)
    expect(after.body).toMatchObject({ online: true, currentCalls: 2, registration: { contact: `sip:${id}@10.0.0.5:5060`, userAgent: 'VendorGW', source: '198.51.100.7:40123', transport: 'udp' } })
    expect((await h().request('GET', '/v1/status/gateways')).body.items[0].registration).toMatchObject({ userAgent: 'VendorGW' })
    expect((await h().request('GET', '/v1/routing-gateways/rgw_nope/status')).status).toBe(404)
  })

  it('refuses a username a gateway of the other kind already has (409), and a dynamic gateway without credentials (400)', async () => {
    const acc = await h().request('POST', '/v1/accounts', { body: { name: 'acme' } })
    const mgw = await h().request('POST', '/v1/mapping-gateways', { body: { name: 'pbx', accountId: acc.body.id, authMode: 'password', username: 'shared', password: 'pw', dynamic: true } })
    expect(mgw.status).toBe(201)
    expect(mgw.body.dynamic).toBe(true)
    expect((await h().request('POST', '/v1/routing-gateways', { body: { name: 'dyn2', dynamic: true, username: 'shared', password: 'pw' } })).status).toBe(409)
    const noCreds = await h().request('POST', '/v1/routing-gateways', { body: { name: 'dyn3', dynamic: true } })
    expect(noCreds.status).toBe(400)
    expect(noCreds.body.error.issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(['username', 'password'])
  })
})
