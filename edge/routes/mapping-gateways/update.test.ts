// PATCH /v1/mapping-gateways/{id}: merged auth state checks, password rehashing, account references and unknown ids.
import { eq } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { computeHa1 } from '../../../shared/auth/digest-hash.js'
import { mappingGateways } from '../../../shared/db/schema.js'
import { accountBody, create, mappingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('PATCH /v1/mapping-gateways/{id}', () => {
  const h = useHarness()

  it('changes the line limit and bumps the config version', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id))
    const before = await h().configVersion()
    const res = await h().request('PATCH', `/v1/mapping-gateways/${made.id}`, { body: { lineLimit: 30 } })
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ id: made.id, lineLimit: 30, ips: made.ips })
    expect(await h().configVersion()).toBe(before + 1)
  })

  it('returns 400 naming username and password when switched to password auth without credentials', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id))
    const res = await h().request('PATCH', `/v1/mapping-gateways/${made.id}`, { body: { authMode: 'password' } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues.map((i: { path: unknown }) => i.path)).toEqual(expect.arrayContaining([['username'], ['password']]))
  })

  it('rehashes a new password for the stored username', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id, {
      authMode: 'password', ips: [], username: 'pbx9', password: 'old',
    }))
    expect((await h().request('PATCH', `/v1/mapping-gateways/${made.id}`, { body: { password: 'new' } })).status).toBe(200)
    const [row] = await h().db.select().from(mappingGateways).where(eq(mappingGateways.id, made.id))
    expect(row?.ha1Md5).toBe(computeHa1('MD5', 'pbx9', 'softswitch', 'new'))
  })

  it('returns 400 naming accountId when moved to an account that does not exist', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id))
    const res = await h().request('PATCH', `/v1/mapping-gateways/${made.id}`, { body: { accountId: 'acc_missing' } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['accountId'])
  })

  it('returns 404 for an unknown mapping gateway id', async () => {
    const res = await h().request('PATCH', '/v1/mapping-gateways/mgw_missing', { body: { lineLimit: 1 } })
    expect(res.status).toBe(404)
  })
})
