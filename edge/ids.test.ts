// Server-assigned ids: prefixed, fixed width, unique, and sorted by creation time (what keyset pagination relies on).
import { describe, expect, it } from 'vitest'
import { newId } from './ids.js'

describe('newId', () => {
  it('starts with the prefix and has a fixed width', () => {
    expect(newId('acc')).toMatch(/^acc_[0-9a-hjkmnp-tv-z]{26}$/)
  })

  it('sorts later ids after earlier ones', () => {
    const ids = [0, 1, 1_000, 1_700_000_000_000, 4_000_000_000_000].map((ms) => newId('rgw', ms))
    expect([...ids].sort()).toEqual(ids)
  })

  it('never repeats within the same millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newId('k', 42)))
    expect(ids.size).toBe(1000)
  })
})
