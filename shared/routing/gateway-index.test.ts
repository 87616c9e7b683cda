// Covers per-gateway values kept by id and mirrored by a routing table's gateway index (what the core's counters and quality windows give routing).
import { describe, expect, it } from 'vitest'
import { GatewayIndexed, type GatewayIds } from './gateway-index.js'

const table = (...ids: string[]): GatewayIds => ({ gateways: ids.map((id) => ({ config: { id } })), indexOf: new Map(ids.map((id, i) => [id, i])) })

describe('GatewayIndexed', () => {
  it('mirrors the values by the table gateway index, undefined for gateways without one', () => {
    const v = new GatewayIndexed<number>()
    v.set('b', 2)
    v.set('x', 9)
    expect([...v.at(table('a', 'b', 'c'))]).toEqual([undefined, 2, undefined])
  })

  it('keeps the mirror in step as values change and are deleted after it was built', () => {
    const v = new GatewayIndexed<number>()
    const t = table('a', 'b')
    v.at(t)
    v.set('a', 1)
    v.set('b', 5)
    v.delete('b')
    v.set('z', 3)
    expect([...v.at(t)]).toEqual([1, undefined])
    expect([...v.map]).toEqual([['a', 1], ['z', 3]])
  })

  it('rebuilds the mirror for a new table from the values by id (they outlive config snapshots)', () => {
    const v = new GatewayIndexed<number>()
    v.at(table('a', 'b'))
    v.set('b', 4)
    v.set('c', 7)
    expect([...v.at(table('c', 'b'))]).toEqual([7, 4])
    expect(v.get('b')).toBe(4)
  })
})
