// POST /v1/gateway-groups: defaults, calendar validation, reserved lines that must name existing mapping gateways, duplicates.
import { describe, expect, it } from 'vitest'
import { accountBody, create, gatewayGroupBody, mappingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('POST /v1/gateway-groups', () => {
  const h = useHarness()

  it('returns 201 with empty reserved lines and calendar by default', async () => {
    const res = await h().request('POST', '/v1/gateway-groups', { body: { name: 'tier1' } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^grp_/), lineLimit: 0, reservedLines: [], calendar: [] })
  })

  it('returns 400 naming calendar.0.from when a time is not HH:MM', async () => {
    const res = await h().request('POST', '/v1/gateway-groups', {
      body: gatewayGroupBody({ calendar: [{ days: [1], from: '8am', to: '18:00' }] }),
    })
    expect(res.status).toBe(400)
    expect(res.body.error.issues.map((i: { path: unknown }) => i.path)).toContainEqual(['calendar', 0, 'from'])
  })

  it('returns 400 naming reservedLines.0.mappingGatewayId when the mapping gateway does not exist', async () => {
    const res = await h().request('POST', '/v1/gateway-groups', {
      body: gatewayGroupBody({ reservedLines: [{ mappingGatewayId: 'mgw_missing', lines: 1 }] }),
    })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['reservedLines', 0, 'mappingGatewayId'])
  })

  it('accepts reserved lines for an existing mapping gateway within the line limit', async () => {
    const account = await create(h(), '/v1/accounts', accountBody())
    const ingress = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(account.id))
    const made = await create(h(), '/v1/gateway-groups', gatewayGroupBody({ lineLimit: 10, reservedLines: [{ mappingGatewayId: ingress.id, lines: 4 }] }))
    expect(made.reservedLines).toEqual([{ mappingGatewayId: ingress.id, lines: 4 }])
  })

  it('returns 409 for a duplicate gateway group name', async () => {
    await create(h(), '/v1/gateway-groups', gatewayGroupBody({ name: 'g' }))
    expect((await h().request('POST', '/v1/gateway-groups', { body: gatewayGroupBody({ name: 'g' }) })).status).toBe(409)
  })
})
