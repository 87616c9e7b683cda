// RTP/RTCP port pairs (RFC 3550 §11: RTP on an even port, RTCP on the next odd one) from a configured range.
import { describe, expect, it } from 'vitest'
import { PortPool, PortPoolError } from './port-pool.js'

describe('PortPool', () => {
  it('hands out even ports in ascending order, each with its odd RTCP port inside the range', () => {
    const pool = new PortPool(20001, 20008)
    expect(pool.capacity).toBe(3)
    expect([pool.allocate(), pool.allocate(), pool.allocate()]).toEqual([20002, 20004, 20006])
  })

  it('hands a freed pair out again only after every other free pair (least recently freed first)', () => {
    const pool = new PortPool(30000, 30005)
    const a = pool.allocate()!
    pool.release(a)
    expect([pool.allocate(), pool.allocate(), pool.allocate()]).toEqual([30002, 30004, 30000])
  })

  it('returns null when the range is exhausted and succeeds again after a release', () => {
    const pool = new PortPool(30000, 30003)
    expect(pool.allocate()).toBe(30000)
    expect(pool.allocate()).toBe(30002)
    expect(pool.allocate()).toBeNull()
    pool.release(30000)
    expect(pool.available).toBe(1)
    expect(pool.allocate()).toBe(30000)
    expect(pool.inUse).toBe(2)
  })

  it('throws on a double free and on ports outside the pool', () => {
    const pool = new PortPool(30000, 30009)
    const p = pool.allocate()!
    pool.release(p)
    expect(() => pool.release(p)).toThrow(PortPoolError)
    expect(() => pool.release(30001)).toThrow(PortPoolError)
    expect(() => pool.release(40000)).toThrow(PortPoolError)
    expect(pool.inUse).toBe(0)
  })

  it('rejects an empty or inverted range at construction', () => {
    expect(() => new PortPool(30010, 30000)).toThrow(PortPoolError)
    expect(new PortPool(30001, 30001).capacity).toBe(0)
  })
})
