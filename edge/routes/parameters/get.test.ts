// GET /v1/parameters/{name}: one parameter, and 404 for a name outside the catalogue.
import { describe, expect, it } from 'vitest'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/parameters/{name}', () => {
  const h = useHarness()

  it('returns the default while nothing is stored', async () => {
    const res = await h().request('GET', '/v1/parameters/SS_SESSION_EXPIRES')
    expect(res.status).toBe(200)
    expect(res.body).toMatchObject({ name: 'SS_SESSION_EXPIRES', value: 1800, default: 1800, updatedAt: null })
  })

  it('returns 404 for an unknown parameter name', async () => {
    const res = await h().request('GET', '/v1/parameters/SS_NO_SUCH_THING')
    expect(res.status).toBe(404)
    expect(res.body.error.code).toBe('NOT_FOUND')
  })
})
