// Covers docs/api.md /v1/gateway-groups: reserved lines and the weekly work calendar.
import { describe, expect, it } from 'vitest'
import { gatewayGroup, gatewayGroupCreate, gatewayGroupFromRow, gatewayGroupToRow, gatewayGroupUpdate, reservedLinesIssue } from './gateway-group.js'

const issuesOf = (body: unknown) => gatewayGroupCreate.safeParse(body).error?.issues.map((i) => i.path.join('.')) ?? []

describe('gatewayGroupCreate', () => {
  it('defaults to unlimited lines, no reservations and an always-open calendar', () => {
    expect(gatewayGroupCreate.parse({ name: 'g' })).toEqual({ name: 'g', lineLimit: 0, reservedLines: [], calendar: [] })
  })

  it('accepts a weekday window and an overnight window', () => {
    const calendar = [{ days: [1, 2, 3, 4, 5], from: '08:00', to: '18:00' }, { days: [6], from: '22:00', to: '06:00' }]
    expect(issuesOf({ name: 'g', calendar })).toEqual([])
  })

  it.each([
    [{ days: [7], from: '08:00', to: '18:00' }, 'calendar.0.days.0'],
    [{ days: [], from: '08:00', to: '18:00' }, 'calendar.0.days'],
    [{ days: [1, 1], from: '08:00', to: '18:00' }, 'calendar.0.days'],
    [{ days: [1], from: '8:00', to: '18:00' }, 'calendar.0.from'],
    [{ days: [1], from: '08:00', to: '24:01' }, 'calendar.0.to'],
    [{ days: [1], from: '08:00', to: '08:00' }, 'calendar.0.to'],
  ])('rejects window %j at %s', (window, path) => {
    expect(issuesOf({ name: 'g', calendar: [window] })).toContain(path)
  })

  it('rejects reservations above the line limit and duplicate mapping gateways', () => {
    expect(issuesOf({ name: 'g', lineLimit: 5, reservedLines: [{ mappingGatewayId: 'm1', lines: 6 }] })).toEqual(['reservedLines'])
    const dup = [{ mappingGatewayId: 'm1', lines: 1 }, { mappingGatewayId: 'm1', lines: 1 }]
    expect(issuesOf({ name: 'g', reservedLines: dup })).toContain('reservedLines')
  })

  it('reports no reservation issue when the group is unlimited', () => {
    expect(reservedLinesIssue(0, [{ lines: 100 }])).toBeNull()
  })
})

describe('gateway group mapping', () => {
  it('round-trips create -> row -> public JSON and rejects an empty PATCH', () => {
    const input = gatewayGroupCreate.parse({ name: 'g', lineLimit: 10, reservedLines: [{ mappingGatewayId: 'm1', lines: 2 }] })
    const json = gatewayGroupFromRow(gatewayGroupToRow(input, { id: 'g1', nowMs: 0 }))
    expect(gatewayGroup.parse(json)).toEqual(json)
    expect(gatewayGroupUpdate.safeParse({}).success).toBe(false)
  })
})
