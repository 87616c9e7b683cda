// The refused-attempt tally: counts per bucket, mapping gateway, source and reason with distinct ports and usernames, deltas per take, and a hard key bound under a flood from many sources.
import { describe, expect, it } from 'vitest'
import { AUTH_REFUSAL_BUCKET_MS } from '../../../shared/db/tables/auth-refusals.js'
import type { AuthRefusal } from './auth-refusals.js'
import { REFUSAL_GATEWAY_KEYS, REFUSAL_MAX_BUCKETS, REFUSAL_MAX_KEYS, REFUSAL_SOURCE_KEYS, RefusalTally } from './refusal-tally.js'

const T0 = 1_700_000_100_000 - (1_700_000_100_000 % AUTH_REFUSAL_BUCKET_MS)

const refusal = (o: Partial<AuthRefusal> = {}): AuthRefusal =>
  ({ atMs: T0 + 1000, sourceIp: '203.0.113.7', sourcePort: 5060, reason: 'wrong_password', mappingGatewayId: 'mgw_a', username: 'alice', ...o })

describe('RefusalTally', () => {
  it('counts attempts per mapping gateway, source and reason with distinct ports, usernames, the top port and first/last times', () => {
    const t = new RefusalTally()
    t.onAuthRefused(refusal({ sourcePort: 40_000, atMs: T0 + 10 }))
    t.onAuthRefused(refusal({ sourcePort: 40_001, atMs: T0 + 20 }))
    t.onAuthRefused(refusal({ sourcePort: 40_001, atMs: T0 + 30 }))
    t.onAuthRefused(refusal({ reason: 'unknown_user', mappingGatewayId: null, username: 'root' }))
    t.onAuthRefused(refusal({ reason: 'unknown_user', mappingGatewayId: null, username: 'admin' }))
    expect(t.take(T0 + 2000)).toEqual([
      { bucketMs: T0, mappingGatewayId: 'mgw_a', sourceIp: '203.0.113.7', reason: 'wrong_password', attempts: 3, distinctPorts: 2, distinctUsers: 1, topPort: 40_001, firstAtMs: T0 + 10, lastAtMs: T0 + 30 },
      { bucketMs: T0, mappingGatewayId: '', sourceIp: '203.0.113.7', reason: 'unknown_user', attempts: 2, distinctPorts: 1, distinctUsers: 2, topPort: 5060, firstAtMs: T0 + 1000, lastAtMs: T0 + 1000 },
    ])
  })

  it('hands over only what was added since the last take, keeps distinct counts for the whole bucket, and forgets a bucket once it ended', () => {
    const t = new RefusalTally()
    t.onAuthRefused(refusal({ username: 'a' }))
    expect(t.take(T0 + 2000).map((r) => r.attempts)).toEqual([1])
    expect(t.take(T0 + 3000)).toEqual([])
    t.onAuthRefused(refusal({ username: 'b' }))
    expect(t.take(T0 + AUTH_REFUSAL_BUCKET_MS)).toMatchObject([{ attempts: 1, distinctUsers: 2 }])
    expect(t.keys).toBe(0)
  })

  it(`holds at most ${REFUSAL_MAX_KEYS} keys per bucket under 100,000 sources, folding the rest into * rows per gateway and then per reason`, () => {
    const t = new RefusalTally()
    const gateways = 100
    for (let i = 0; i < 100_000; i++) {
      t.onAuthRefused(refusal({ sourceIp: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, mappingGatewayId: `mgw_${i % gateways}`, reason: i % 2 === 0 ? 'wrong_password' : 'source_not_allowed' }))
      t.onAuthRefused(refusal({ sourceIp: `11.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, mappingGatewayId: null, reason: 'unknown_user', username: `u${i}` }))
    }
    expect(t.keys).toBeLessThanOrEqual(REFUSAL_MAX_KEYS)
    const rows = t.take(T0 + 2000)
    expect(rows.length).toBeLessThanOrEqual(REFUSAL_MAX_KEYS)
    expect(rows.reduce((s, r) => s + r.attempts, 0)).toBe(200_000)
    expect(rows.filter((r) => r.sourceIp !== '*')).toHaveLength(REFUSAL_SOURCE_KEYS)
    expect(rows.filter((r) => r.sourceIp === '*' && r.mappingGatewayId !== '')).toHaveLength(REFUSAL_GATEWAY_KEYS)
    expect(rows.filter((r) => r.sourceIp === '*' && r.mappingGatewayId === '').map((r) => r.reason).sort()).toEqual(['source_not_allowed', 'unknown_user', 'wrong_password'])
    expect(t.folded).toBe(200_000 - REFUSAL_SOURCE_KEYS)
    expect(Math.max(...rows.map((r) => r.distinctUsers))).toBe(16)
  })

  it(`keeps at most ${REFUSAL_MAX_BUCKETS} buckets while nothing takes them, counting what it drops`, () => {
    const t = new RefusalTally()
    for (let b = 0; b < 5; b++) for (let i = 0; i < 3; i++) t.onAuthRefused(refusal({ atMs: T0 + b * AUTH_REFUSAL_BUCKET_MS + i }))
    expect(t.keys).toBe(REFUSAL_MAX_BUCKETS)
    expect(t.dropped).toBe(6)
    expect(t.take(T0).map((r) => r.bucketMs)).toEqual([2, 3, 4].map((b) => T0 + b * AUTH_REFUSAL_BUCKET_MS))
  })
})
