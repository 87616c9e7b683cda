// Checks that docs/api.md's route table is the one generated from the edge's operations, so no route goes undocumented.
import { describe, expect, it } from 'vitest'
import { RESOURCES } from '../edge/app.js'
import { readApiDoc, renderRouteTable, withRouteTable } from './route-docs.js'

describe('docs/api.md route table', () => {
  it('has one row per operation of every resource', () => {
    const rows = renderRouteTable().split('\n').filter((l) => / `\/v1\//.test(l))
    expect(rows).toHaveLength(RESOURCES.reduce((n, r) => n + r.operations.length, 0))
  })

  it('matches the operations (run `npx tsx scripts/route-docs.ts --write` after adding or changing a route)', () => {
    const doc = readApiDoc()
    expect(withRouteTable(doc)).toBe(doc)
  })
})
