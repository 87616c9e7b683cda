// Covers the rate list cursor: `<prefix>_<effectiveFromMs>` round trips (empty prefix, * # +, negative times) and malformed cursors decode to null.
import { describe, expect, it } from 'vitest'
import { decodeRateCursor, encodeRateCursor } from './rates-page.js'

describe('rate cursor', () => {
  it.each([{ prefix: '', effectiveFromMs: 0 }, { prefix: '+44*#', effectiveFromMs: 1_767_225_600_000 }, { prefix: '1', effectiveFromMs: -86_400_000 }])(
    'round trips %j',
    (c) => {
      expect(decodeRateCursor(encodeRateCursor(c))).toEqual(c)
    },
  )

  it.each(['abc', '0033', '0033_', '00a_1', '_1.5'])('decodes %j to null', (cursor) => {
    expect(decodeRateCursor(cursor)).toBeNull()
  })
})
