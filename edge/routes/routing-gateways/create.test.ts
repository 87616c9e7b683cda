// POST /v1/routing-gateways: defaults, prefix and host validation, references to groups/accounts/mapping gateways, duplicates.
import { describe, expect, it } from 'vitest'
import { accountBody, create, gatewayGroupBody, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

const paths = (body: { error: { issues: { path: unknown }[] } }) => body.error.issues.map((i) => i.path)

describe('POST /v1/routing-gateways', () => {
  const h = useHarness()

  it('returns 201 with the documented defaults filled in', async () => {
    const res = await h().request('POST', '/v1/routing-gateways', { body: { name: 'carrier', host: 'sip.carrier.example' } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^rgw_/),
      port: 5060,
      transport: 'udp',
      prefixes: [],
      prefixMode: 'extension',
      priority: 0,
      switchUntilConnect: true,
      stopSwitchingCodes: [],
      mappingGatewayRule: null,
      groupId: null,
      clearingAccountId: null,
      calleeRewrite: { strip: 0, add: '' },
    })
  })

  it('returns 400 with the zod issues when a prefix contains letters', async () => {
    const res = await h().request('POST', '/v1/routing-gateways', { body: routingGatewayBody({ prefixes: ['0033', '44ab'] }) })
    expect(res.status).toBe(400)
    expect(paths(res.body)).toContainEqual(['prefixes', 1])
  })

  it('returns 400 naming host when it is a mistyped IPv4 address', async () => {
    const res = await h().request('POST', '/v1/routing-gateways', { body: routingGatewayBody({ host: '192.0.2.256' }) })
    expect(res.status).toBe(400)
    expect(paths(res.body).some((p) => Array.isArray(p) && p[0] === 'host')).toBe(true)
  })

  it('returns 409 for a duplicate routing gateway name', async () => {
    await create(h(), '/v1/routing-gateways', routingGatewayBody({ name: 'dup' }))
    const res = await h().request('POST', '/v1/routing-gateways', { body: routingGatewayBody({ name: 'dup' }) })
    expect(res.status).toBe(409)
    expect(res.body.error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('dup') })
  })

  it('returns 400 naming groupId, clearingAccountId and the rule id that do not exist', async () => {
    const res = await h().request('POST', '/v1/routing-gateways', {
      body: routingGatewayBody({ groupId: 'grp_missing' }),
    })
    expect(res.status).toBe(400)
    expect(paths(res.body)).toEqual([['groupId']])
    const account = await h().request('POST', '/v1/routing-gateways', { body: routingGatewayBody({ clearingAccountId: 'acc_missing' }) })
    expect(paths(account.body)).toEqual([['clearingAccountId']])
    const rule = await h().request('POST', '/v1/routing-gateways', {
      body: routingGatewayBody({ mappingGatewayRule: { mode: 'forbid', ids: ['mgw_missing'] } }),
    })
    expect(paths(rule.body)).toEqual([['mappingGatewayRule', 'ids', 0]])
  })

  it('accepts existing group and clearing account references', async () => {
    const group = await create(h(), '/v1/gateway-groups', gatewayGroupBody())
    const account = await create(h(), '/v1/accounts', accountBody())
    const made = await create(h(), '/v1/routing-gateways', routingGatewayBody({ groupId: group.id, clearingAccountId: account.id }))
    expect(made).toMatchObject({ groupId: group.id, clearingAccountId: account.id })
  })

  it('returns 403 when a viewer creates a routing gateway', async () => {
    expect((await h().request('POST', '/v1/routing-gateways', { as: 'viewer', body: routingGatewayBody() })).status).toBe(403)
  })
})
