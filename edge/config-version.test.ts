// The config version the core polls: starts at 0 and moves by one on every configuration write through the API.
import { describe, expect, it } from 'vitest'
import { accountBody, create, gatewayGroupBody, mappingGatewayBody, routingGatewayBody } from './test-support/fixtures.js'
import { useHarness } from './test-support/harness.js'

describe('config version', () => {
  const h = useHarness()

  it('is 0 on a freshly migrated database', async () => {
    expect(await h().configVersion()).toBe(0)
  })

  it('bumps the config version on every write', async () => {
    const steps: [string, () => Promise<unknown>][] = []
    let account: { id: string } | undefined
    let ingress: { id: string } | undefined
    let route: { id: string } | undefined
    let group: { id: string } | undefined
    steps.push(['create account', async () => (account = await create(h(), '/v1/accounts', accountBody()))])
    steps.push(['create mapping gateway', async () => (ingress = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account!.id)))])
    steps.push(['create routing gateway', async () => (route = await create(h(), '/v1/routing-gateways', routingGatewayBody()))])
    steps.push(['create gateway group', async () => (group = await create(h(), '/v1/gateway-groups', gatewayGroupBody()))])
    steps.push(['patch account', () => h().request('PATCH', `/v1/accounts/${account!.id}`, { body: { overdraftLimit: 1 } })])
    steps.push(['patch mapping gateway', () => h().request('PATCH', `/v1/mapping-gateways/${ingress!.id}`, { body: { lineLimit: 2 } })])
    steps.push(['patch routing gateway', () => h().request('PATCH', `/v1/routing-gateways/${route!.id}`, { body: { priority: 2 } })])
    steps.push(['patch gateway group', () => h().request('PATCH', `/v1/gateway-groups/${group!.id}`, { body: { lineLimit: 20 } })])
    steps.push(['put parameter', () => h().request('PUT', '/v1/parameters/SS_MAXCALLDURATION', { body: { value: 3600 } })])
    steps.push(['delete routing gateway', () => h().request('DELETE', `/v1/routing-gateways/${route!.id}`)])
    steps.push(['delete gateway group', () => h().request('DELETE', `/v1/gateway-groups/${group!.id}`)])
    steps.push(['delete mapping gateway', () => h().request('DELETE', `/v1/mapping-gateways/${ingress!.id}`)])
    steps.push(['delete account', () => h().request('DELETE', `/v1/accounts/${account!.id}`)])
    for (const [name, step] of steps) {
      const before = await h().configVersion()
      await step()
      expect(await h().configVersion(), name).toBe(before + 1)
    }
    const health = await h().request('GET', '/health', { as: 'none' })
    expect(health.body).toEqual({ ok: true, configVersion: steps.length })
  })

  it('does not move on reads or on rejected writes', async () => {
    const before = await h().configVersion()
    await h().request('GET', '/v1/accounts')
    await h().request('POST', '/v1/accounts', { body: { name: '' } })
    await h().request('POST', '/v1/accounts', { as: 'viewer', body: accountBody() })
    expect(await h().configVersion()).toBe(before)
  })
})
