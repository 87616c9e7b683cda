// Covers the billed-seconds rule: every started second is billed, an unanswered call bills nothing, the cap is never exceeded.
import { describe, expect, it } from 'vitest'
import { billedDurationSec } from './billed-duration.js'

describe('billedDurationSec', () => {
  it('bills every started second and nothing for an unanswered call', () => {
    expect(billedDurationSec(null, 5000)).toBe(0)
    expect(billedDurationSec(1000, 1000)).toBe(0)
    expect(billedDurationSec(1000, 62_000)).toBe(61)
    expect(billedDurationSec(1000, 62_001)).toBe(62)
    expect(billedDurationSec(1000, 1001)).toBe(1)
  })

  it('bills every started second, and a call ended by a cap timer a few ms late exactly the cap', () => {
    expect(billedDurationSec(1000, 62_001)).toBe(62)
    expect(billedDurationSec(1000, 61_000)).toBe(60)
    expect(billedDurationSec(1000, 61_004, 60)).toBe(60)
    expect(billedDurationSec(1000, 31_004, 60)).toBe(31)
    expect(billedDurationSec(null, 61_004, 60)).toBe(0)
  })
})
