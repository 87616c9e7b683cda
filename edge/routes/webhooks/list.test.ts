// GET /v1/webhooks: webhooks are listed without their secrets.
import { describe, expect, it } from 'vitest'
import { create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/webhooks', () => {
  const h = useHarness()

  it('lists the webhooks oldest first with no secret in any item', async () => {
    const a = await create(h(), '/v1/webhooks', { name: 'a', url: 'https://a.example/' })
    const b = await create(h(), '/v1/webhooks', { name: 'b', url: 'https://b.example/' })
    const res = await h().request('GET', '/v1/webhooks')
    expect(res.body.items.map((w: { id: string }) => w.id)).toEqual([a.id, b.id])
    for (const item of res.body.items) expect(item).not.toHaveProperty('secret')
  })
})
