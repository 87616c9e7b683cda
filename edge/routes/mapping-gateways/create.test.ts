// POST /v1/mapping-gateways: auth-mode rules, IP validation issues, the account reference, digest storage and duplicates.
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { mappingGateways } from '../../../shared/db/schema.js'
import { computeHa1 } from '../../../shared/auth/digest-hash.js'
import { accountBody, create, mappingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('POST /v1/mapping-gateways', () => {
  const h = useHarness()

  it('returns 201 with an mgw_ id and the defaults', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const res = await h().request('POST', '/v1/mapping-gateways', { body: mappingGatewayBody(account.id, { name: 'pbx' }) })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^mgw_/),
      name: 'pbx',
      authMode: 'ip',
      ips: ['192.0.2.10'],
      lineLimit: 0,
      lockType: 'none',
      mediaProxy: false,
    })
  })

  it('returns 400 naming ips.0 when a mapping gateway IP is invalid', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const res = await h().request('POST', '/v1/mapping-gateways', { body: mappingGatewayBody(account.id, { ips: ['300.1.1.1'] }) })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('BAD_REQUEST')
    expect(res.body.error.issues.map((i: { path: unknown }) => i.path)).toContainEqual(['ips', 0])
  })

  it('returns 400 naming port when ip_port auth has no port', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const res = await h().request('POST', '/v1/mapping-gateways', { body: mappingGatewayBody(account.id, { authMode: 'ip_port' }) })
    expect(res.status).toBe(400)
    expect(res.body.error.issues.map((i: { path: unknown }) => i.path)).toContainEqual(['port'])
  })

  it('returns 400 naming accountId when the account does not exist', async () => {
    const res = await h().request('POST', '/v1/mapping-gateways', { body: mappingGatewayBody('acc_missing') })
    expect(res.status).toBe(400)
    expect(res.body.error.issues).toEqual([expect.objectContaining({ path: ['accountId'], message: expect.stringContaining('acc_missing') })])
  })

  it('stores the password only as MD5 and SHA-256 HA1 under SS_AUTH_REALM', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id, {
      authMode: 'password', ips: [], username: 'pbx7', password: 'pa55',
    }))
    expect(made).toMatchObject({ authMode: 'password', username: 'pbx7' })
    expect(made).not.toHaveProperty('password')
    const [row] = await h().db.select().from(mappingGateways).where(eq(mappingGateways.id, made.id))
    expect(row).toMatchObject({
      digestRealm: 'softswitch',
      ha1Md5: computeHa1('MD5', 'pbx7', 'softswitch', 'pa55'),
      ha1Sha256: computeHa1('SHA-256', 'pbx7', 'softswitch', 'pa55'),
    })
  })

  it('hashes under the realm set through PUT /v1/parameters/SS_AUTH_REALM', async () => {
    await h().request('PUT', '/v1/parameters/SS_AUTH_REALM', { body: { value: 'sip.example.net' } })
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id, {
      authMode: 'password', ips: [], username: 'pbx8', password: 'pa55',
    }))
    const [row] = await h().db.select().from(mappingGateways).where(eq(mappingGateways.id, made.id))
    expect(row?.digestRealm).toBe('sip.example.net')
    expect(row?.ha1Md5).toBe(computeHa1('MD5', 'pbx8', 'sip.example.net', 'pa55'))
  })

  it('returns 409 for a duplicate mapping gateway name', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id, { name: 'same' }))
    const res = await h().request('POST', '/v1/mapping-gateways', { body: mappingGatewayBody(account.id, { name: 'same' }) })
    expect(res.status).toBe(409)
  })

  it('returns 409 naming username when another gateway already uses that digest username', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const digest = { authMode: 'password', ips: [], username: 'shared-user', password: 'x' }
    await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id, digest))
    const res = await h().request('POST', '/v1/mapping-gateways', { body: mappingGatewayBody(account.id, digest) })
    expect(res.status).toBe(409)
    expect(res.body.error.message).toContain('username')
  })

  it('returns 403 when a viewer creates a mapping gateway', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const res = await h().request('POST', '/v1/mapping-gateways', { as: 'viewer', body: mappingGatewayBody(account.id) })
    expect(res.status).toBe(403)
  })
})
