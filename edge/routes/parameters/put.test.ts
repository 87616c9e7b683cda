// PUT /v1/parameters/{name}: values checked by the shared schema and cross-parameter rules, stored, and versioned.
import { describe, expect, it } from 'vitest'
import { useHarness } from '../../test-support/harness.js'

describe('PUT /v1/parameters/{name}', () => {
  const h = useHarness()

  it('returns 400 naming value when SS_MAXCALLDURATION is -1', async () => {
    const res = await h().request('PUT', '/v1/parameters/SS_MAXCALLDURATION', { body: { value: -1 } })
    expect(res.status).toBe(400)
    expect(res.body.error.code).toBe('BAD_REQUEST')
    expect(res.body.error.issues[0].path).toEqual(['value'])
  })

  it('stores 3600 and GET returns 3600', async () => {
    const put = await h().request('PUT', '/v1/parameters/SS_MAXCALLDURATION', { body: { value: 3600 } })
    expect(put.status).toBe(200)
    expect(put.body).toMatchObject({ name: 'SS_MAXCALLDURATION', value: 3600, updatedAt: expect.any(String) })
    const get = await h().request('GET', '/v1/parameters/SS_MAXCALLDURATION')
    expect(get.body.value).toBe(3600)
  })

  it('returns 400 for a boolean parameter given a string', async () => {
    const res = await h().request('PUT', '/v1/parameters/SS_REPLY_UNAUTHORIZED', { body: { value: 'no' } })
    expect(res.status).toBe(400)
  })

  it('returns 400 when the value breaks a rule with another parameter', async () => {
    await h().request('PUT', '/v1/parameters/SS_MAXCALLDURATION', { body: { value: 60 } })
    const res = await h().request('PUT', '/v1/parameters/SS_CALLREMINTIME', { body: { value: 60 } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].message).toContain('SS_MAXCALLDURATION')
  })

  it('returns 400 when the body has no value', async () => {
    expect((await h().request('PUT', '/v1/parameters/SS_MAXCALLDURATION', { body: {} })).status).toBe(400)
  })

  it('returns 404 for an unknown parameter name', async () => {
    expect((await h().request('PUT', '/v1/parameters/SS_NO_SUCH_THING', { body: { value: 1 } })).status).toBe(404)
  })

  it('returns 403 when a viewer sets a parameter', async () => {
    expect((await h().request('PUT', '/v1/parameters/SS_MAXCALLDURATION', { as: 'viewer', body: { value: 1 } })).status).toBe(403)
  })

  it('bumps the config version on every stored value', async () => {
    const before = await h().configVersion()
    await h().request('PUT', '/v1/parameters/SS_MAXCALLDURATION', { body: { value: 100 } })
    await h().request('PUT', '/v1/parameters/SS_MAXCALLDURATION', { body: { value: 200 } })
    expect(await h().configVersion()).toBe(before + 2)
  })
})
