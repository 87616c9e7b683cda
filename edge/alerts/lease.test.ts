// Covers the job lease on a real libSQL file: one holder at a time, taken over only after expiry, released early by its holder.
import { describe, expect, it } from 'vitest'
import { useHarness } from '../test-support/harness.js'
import { claimLease, releaseLease } from './lease.js'

describe('claimLease', () => {
  const h = useHarness()

  it('gives a free lease to the first claimant and refuses a second one until it expires', async () => {
    expect(await claimLease(h().db, 'alerts', 'a', 1000, 500)).toBe(true)
    expect(await claimLease(h().db, 'alerts', 'b', 1499, 500)).toBe(false)
    expect(await claimLease(h().db, 'alerts', 'b', 1500, 500)).toBe(true)
    expect(await claimLease(h().db, 'alerts', 'a', 1600, 500)).toBe(false)
  })

  it('lets exactly one of many simultaneous claims win', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => claimLease(h().db, 'alerts', `holder-${i}`, 1000, 60_000)))
    expect(results.filter(Boolean)).toHaveLength(1)
  })

  it('is free again once its holder releases it, and a stranger cannot release it', async () => {
    await claimLease(h().db, 'alerts', 'a', 1000, 60_000)
    await releaseLease(h().db, 'alerts', 'b')
    expect(await claimLease(h().db, 'alerts', 'b', 2000, 60_000)).toBe(false)
    await releaseLease(h().db, 'alerts', 'a')
    expect(await claimLease(h().db, 'alerts', 'b', 2000, 60_000)).toBe(true)
  })

  it('keeps leases of different jobs apart', async () => {
    expect(await claimLease(h().db, 'alerts', 'a', 1000, 60_000)).toBe(true)
    expect(await claimLease(h().db, 'reports', 'a', 1000, 60_000)).toBe(true)
  })
})
