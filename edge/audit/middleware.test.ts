// The audit trail as written by the API: every successful write leaves one entry (who, what, before/after, secrets redacted), failed ones none.
import { describe, expect, it } from 'vitest'
import { accountBody, create, mappingGatewayBody, routingGatewayBody } from '../test-support/fixtures.js'
import { useHarness } from '../test-support/harness.js'

describe('audit trail of writes', () => {
  const h = useHarness()
  const audit = async (query = '') => (await h().request('GET', `/v1/audit${query}`)).body.items as any[]

  it('records create, update and delete of a routing gateway with the key, before and after', async () => {
    const gw = await create(h(), '/v1/routing-gateways', routingGatewayBody({ name: 'audited', priority: 1 }))
    await h().request('PATCH', `/v1/routing-gateways/${gw.id}`, { body: { priority: 7 } })
    await h().request('DELETE', `/v1/routing-gateways/${gw.id}`)
    const items = await audit(`?resourceId=${gw.id}`)
    expect(items.map((i) => i.action)).toEqual(['delete', 'update', 'create'])
    const [del, upd, crt] = items
    expect(crt).toMatchObject({ keyName: 'test admin', method: 'POST', resource: 'routing-gateways', operation: 'createRoutingGateway', before: null, after: { id: gw.id, priority: 1 } })
    expect(upd).toMatchObject({ before: { priority: 1 }, after: { priority: 7 }, path: `/v1/routing-gateways/${gw.id}` })
    expect(del).toMatchObject({ before: { id: gw.id, priority: 7 }, after: null })
    expect(crt.keyId).toMatch(/^key_/)
    expect(crt.requestId).toEqual(expect.any(String))
  })

  it('never stores a secret: mapping-gateway passwords, API-key and webhook secrets are redacted', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody())
    await create(h(), '/v1/mapping-gateways', mappingGatewayBody(acc.id, { authMode: 'password', username: 'u1', password: 'hunter2-secret', ips: [] }))
    const key = await create(h(), '/v1/api-keys', { name: 'ops', role: 'viewer' })
    const hook = await create(h(), '/v1/webhooks', { url: 'https://hooks.example/x', name: 'noc' })
    const text = JSON.stringify(await audit())
    expect(text).not.toContain('hunter2-secret')
    expect(text).not.toContain(key.secret)
    expect(text).not.toContain(hook.secret)
    const keyEntry = (await audit('?resource=api-keys'))[0]
    expect(keyEntry.after).toMatchObject({ name: 'ops', secret: '[redacted]' })
  })

  it('records nothing for a refused or failed write', async () => {
    await h().request('POST', '/v1/routing-gateways', { as: 'viewer', body: routingGatewayBody() })
    await h().request('POST', '/v1/routing-gateways', { body: { name: 'bad', host: 'not a host' } })
    await h().request('DELETE', '/v1/routing-gateways/rgw_missing')
    expect(await audit()).toEqual([])
  })

  it('records sub-resource writes (a payment) against their parent with the response as the after state', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody({ type: 'prepaid' }))
    const pay = await h().request('POST', `/v1/accounts/${acc.id}/payments`, { body: { amount: 2.5, note: 'top-up' } })
    expect(pay.status).toBe(201)
    const [entry] = await audit('?operation=createPayment')
    expect(entry).toMatchObject({ resource: 'accounts', resourceId: acc.id, action: 'payment', before: null, after: { amount: 2.5, balanceAfter: 2.5 } })
  })

  it('records a parameter change with its old and new value', async () => {
    await h().request('PUT', '/v1/parameters/SS_MAXCALLDURATION', { body: { value: 3600 } })
    const [entry] = await audit('?resource=parameters')
    expect(entry).toMatchObject({ resourceId: 'SS_MAXCALLDURATION', action: 'update', before: { updatedAt: null }, after: { value: 3600 } })
  })
})
