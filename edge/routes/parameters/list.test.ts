// GET /v1/parameters: the whole shared catalogue with value, default, unit, bounds and description.
import { describe, expect, it } from 'vitest'
import { PARAM_NAMES } from '../../../shared/params/system-params.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/parameters', () => {
  const h = useHarness()

  it('lists every catalogue parameter with every documented field', async () => {
    const res = await h().request('GET', '/v1/parameters', { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body.items.map((p: { name: string }) => p.name)).toEqual(PARAM_NAMES)
    expect(res.body.items.find((p: { name: string }) => p.name === 'SS_MAXCALLDURATION')).toMatchObject({
      value: 0,
      default: 0,
      unit: 's',
      min: 0,
      max: expect.any(Number),
      description: expect.any(String),
    })
  })

  it('shows a stored value in place of the default', async () => {
    await h().request('PUT', '/v1/parameters/SS_SIP_TIMEOUT_INVITE', { body: { value: 5 } })
    const res = await h().request('GET', '/v1/parameters')
    expect(res.body.items.find((p: { name: string }) => p.name === 'SS_SIP_TIMEOUT_INVITE')).toMatchObject({ value: 5, default: 10 })
  })
})
