// GET /v1/alert-rules: keyset pages of rules, oldest first.
import { describe, expect, it } from 'vitest'
import { create } from '../../test-support/fixtures.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/alert-rules', () => {
  const h = useHarness()

  it('returns every rule across two pages', async () => {
    const a = await create(h(), '/v1/alert-rules', { name: 'a', metric: 'asr', threshold: 0.2 })
    const b = await create(h(), '/v1/alert-rules', { name: 'b', metric: 'failureRatio', threshold: 0.8 })
    const first = await h().request('GET', '/v1/alert-rules?limit=1')
    const second = await h().request('GET', `/v1/alert-rules?limit=1&cursor=${first.body.nextCursor}`)
    expect(first.body.items.map((r: { id: string }) => r.id)).toEqual([a.id])
    expect(second.body).toEqual({ items: [b], nextCursor: null })
  })
})
