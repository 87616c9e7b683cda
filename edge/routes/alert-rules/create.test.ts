// POST /v1/alert-rules: defaults, metric/parameter consistency, scope references, duplicates, and no core config bump.
import { describe, expect, it } from 'vitest'
import { create, routingGatewayBody } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('POST /v1/alert-rules', () => {
  const h = useHarness()

  it('returns 201 with scope all, a 300 s window, 10 minimum attempts, warning severity and a 900 s cooldown by default', async () => {
    const res = await h().request('POST', '/v1/alert-rules', { body: { name: 'asr drop', metric: 'asr', threshold: 0.3 } })
    expect(res.status).toBe(201)
    expect(res.body).toMatchObject({
      id: expect.stringMatching(/^alr_/), scope: { kind: 'all' }, metric: 'asr', reason: null, sipCode: null, windowSec: 300,
      threshold: 0.3, minAttempts: 10, severity: 'warning', cooldownSec: 900, enabled: true,
    })
  })

  it('does not bump the config version (alert rules are edge-only)', async () => {
    const before = await h().configVersion()
    await create(h(), '/v1/alert-rules', { name: 'quiet', metric: 'failureRatio', threshold: 0.5 })
    expect(await h().configVersion()).toBe(before)
  })

  it('accepts a 503 count on an existing routing gateway', async () => {
    const gw = await create(h(), '/v1/routing-gateways', routingGatewayBody())
    const made = await create(h(), '/v1/alert-rules', { name: '503s', scope: { kind: 'routingGateway', id: gw.id }, metric: 'sipCodeCount', sipCode: 503, threshold: 20 })
    expect(made).toMatchObject({ scope: { kind: 'routingGateway', id: gw.id }, sipCode: 503 })
  })

  it.each([
    [{ metric: 'reasonCount', threshold: 5 }, ['reason']],
    [{ metric: 'sipCodeCount', threshold: 5 }, ['sipCode']],
    [{ metric: 'failureRatio', threshold: 50 }, ['threshold']],
    [{ metric: 'gatewayOffline', threshold: 1, scope: { kind: 'prefix', prefix: '0033' } }, ['scope']],
    [{ metric: 'asr', threshold: 0.3, scope: { kind: 'prefix', prefix: '00x' } }, ['scope', 'prefix']],
    [{ metric: 'asr', threshold: 0.3, windowSec: 10 }, ['windowSec']],
  ])('returns 400 with the zod issues for %j', async (body, path) => {
    const res = await h().request('POST', '/v1/alert-rules', { body: { name: 'bad', ...body } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues.map((i: { path: unknown }) => i.path)).toContainEqual(path)
  })

  it('returns 400 naming scope.id when the routing gateway does not exist', async () => {
    const res = await h().request('POST', '/v1/alert-rules', { body: { name: 'ghost', scope: { kind: 'routingGateway', id: 'rgw_missing' }, metric: 'asr', threshold: 0.2 } })
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['scope', 'id'])
  })

  it('returns 409 for a duplicate alert rule name', async () => {
    await create(h(), '/v1/alert-rules', { name: 'once', metric: 'asr', threshold: 0.2 })
    expect((await h().request('POST', '/v1/alert-rules', { body: { name: 'once', metric: 'asr', threshold: 0.1 } })).status).toBe(409)
  })

  it('returns 403 when a viewer creates a rule', async () => {
    expect((await h().request('POST', '/v1/alert-rules', { as: 'viewer', body: { name: 'v', metric: 'asr', threshold: 0.1 } })).status).toBe(403)
  })
})
