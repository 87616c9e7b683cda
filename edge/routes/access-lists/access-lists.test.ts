// /v1/blacklist and /v1/whitelist: add by IP or CIDR (canonical form), permanent or timed bans, list with reason, count and expiry, remove, and every write bumps the config version the cores reload on.
import { describe, expect, it } from 'vitest'
import { ipAccessList } from '../../../shared/db/schema.js'
import { useHarness } from '../../test-support/harness.js'

describe('IP access lists', () => {
  const h = useHarness()

  it('adds a permanent ban by CIDR in canonical form and a timed one by address, lists both active with reason and expiry, and bumps the config version', async () => {
    const before = await h().configVersion()
    const block = await h().request('POST', '/v1/blacklist', { body: { cidr: '198.51.100.77/24', note: 'scanner range' } })
    expect(block.status).toBe(201)
    expect(block.body).toMatchObject({ id: expect.stringMatching(/^bl_/), cidr: '198.51.100.0/24', reason: 'manual', origin: 'operator', note: 'scanner range', count: 0, expiresAt: null, active: true })
    const timed = await h().request('POST', '/v1/blacklist', { body: { cidr: '2001:DB8::7', durationSec: 3600 } })
    expect(timed.status).toBe(201)
    expect(timed.body.cidr).toBe('2001:db8::7/128')
    expect(Date.parse(timed.body.expiresAt) - Date.now()).toBeGreaterThan(3_590_000)
    expect(await h().configVersion()).toBe(before + 2)
    const list = await h().request('GET', '/v1/blacklist')
    expect(list.body.items.map((e: { cidr: string }) => e.cidr).sort()).toEqual(['198.51.100.0/24', '2001:db8::7/128'])
  })

  it('lists a core\'s automatic ban with its count and expiry, hides it from the active list once expired, and removing it bumps the version', async () => {
    const now = Date.now()
    await h().db.insert(ipAccessList).values([
      { id: 'bl_auto', list: 'blacklist', cidr: '203.0.113.9/32', reason: 'auth_failures', origin: 'core', note: null, offences: 3, expiresAtMs: now + 4_800_000, nodeId: 'core-1', createdAtMs: now - 1000, updatedAtMs: now },
      { id: 'bl_old', list: 'blacklist', cidr: '203.0.113.10/32', reason: 'request_flood', origin: 'core', note: null, offences: 1, expiresAtMs: now - 1, nodeId: 'core-1', createdAtMs: now - 9000, updatedAtMs: now - 8000 },
    ])
    const active = (await h().request('GET', '/v1/blacklist')).body.items
    expect(active).toEqual([expect.objectContaining({ id: 'bl_auto', reason: 'auth_failures', origin: 'core', count: 3, active: true, nodeId: 'core-1', expiresAt: new Date(now + 4_800_000).toISOString() })])
    const expired = (await h().request('GET', '/v1/blacklist?state=expired')).body.items
    expect(expired).toEqual([expect.objectContaining({ id: 'bl_old', active: false })])
    expect((await h().request('GET', '/v1/blacklist?state=all')).body.items).toHaveLength(2)
    const before = await h().configVersion()
    expect((await h().request('DELETE', '/v1/blacklist/bl_auto')).status).toBe(204)
    expect(await h().configVersion()).toBe(before + 1)
    expect((await h().request('GET', '/v1/blacklist/bl_auto')).status).toBe(404)
  })

  it('keeps the whitelist apart: add, read, list, remove, and a block already listed is 409', async () => {
    const made = await h().request('POST', '/v1/whitelist', { body: { cidr: '192.0.2.0/28', note: 'our own gateways' } })
    expect([made.status, made.body.cidr]).toEqual([201, '192.0.2.0/28'])
    expect((await h().request('POST', '/v1/whitelist', { body: { cidr: '192.0.2.5/28' } })).status).toBe(409)
    expect((await h().request('GET', `/v1/whitelist/${made.body.id}`)).body).toMatchObject({ note: 'our own gateways' })
    expect((await h().request('GET', `/v1/blacklist/${made.body.id}`)).status).toBe(404)
    expect((await h().request('GET', '/v1/blacklist')).body.items).toEqual([])
    expect((await h().request('GET', '/v1/whitelist')).body.items).toHaveLength(1)
    expect((await h().request('DELETE', `/v1/whitelist/${made.body.id}`)).status).toBe(204)
    expect((await h().request('GET', '/v1/whitelist')).body.items).toEqual([])
  })

  it('refuses a malformed block, both end times, viewers and missing keys', async () => {
    for (const cidr of ['10.0.0.0/33', 'example.com', '127.1']) {
      const r = await h().request('POST', '/v1/blacklist', { body: { cidr } })
      expect([r.status, r.body.error.issues[0].path]).toEqual([400, ['cidr']])
    }
    expect((await h().request('POST', '/v1/blacklist', { body: { cidr: '10.0.0.1', durationSec: 60, expiresAt: new Date().toISOString() } })).status).toBe(400)
    expect((await h().request('POST', '/v1/blacklist', { as: 'viewer', body: { cidr: '10.0.0.1' } })).status).toBe(403)
    expect((await h().request('GET', '/v1/whitelist', { as: 'none' })).status).toBe(401)
  })
})
