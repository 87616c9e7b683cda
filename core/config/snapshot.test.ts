// Covers building the snapshot from decoded rows: validation through the shared schemas and the hot-path lookups.
import { describe, expect, it } from 'vitest'
import { accountCreate, accountToRow } from '../../shared/entities/account.js'
import { gatewayGroupCreate, gatewayGroupToRow } from '../../shared/entities/gateway-group.js'
import { routingGatewayCreate, routingGatewayToRow } from '../../shared/entities/routing-gateway.js'
import { decideRoute } from '../../shared/routing/route.js'
import { rateCreate, rateToRow, type RateRow } from '../../shared/entities/rate.js'
import { mappingGatewayCreate, mappingGatewayToRow, type MappingGatewayRow } from '../../shared/entities/mapping-gateway.js'
import { buildSnapshot, findMappingGatewayBySource, sourceKey, type SnapshotInput } from './snapshot.js'

const ctx = { nowMs: 1, realm: 'softswitch' }
const acc = accountToRow(accountCreate.parse({ name: 'acme' }), { id: 'acc1', nowMs: 1 })

function mg(id: string, body: Record<string, unknown>): MappingGatewayRow {
  return mappingGatewayToRow(mappingGatewayCreate.parse({ name: id, accountId: 'acc1', ...body }), { id, ...ctx })
}

function input(over: Partial<SnapshotInput>): SnapshotInput {
  return { version: 7, loadedAtMs: 0, parameters: [], accounts: [acc], mappingGateways: [], routingGateways: [], gatewayGroups: [], ...over }
}

function rate(rateTableId: string, prefix: string, pricePerMinute: number): RateRow {
  return rateToRow(rateCreate.parse({ prefix, pricePerMinute }), { id: `r${rateTableId}${prefix}`, rateTableId })
}

describe('buildSnapshot', () => {
  it('builds the rate book into the snapshot, leaving out a rate row the shared schema refuses', () => {
        const bad = { ...rate('a', '33', 1), firstIncrementSec: 0 }
    const s = buildSnapshot(input({ rates: [rate('a', '49', 2), bad] }))
    expect(s.rates.find('a', '4930', 0)?.pricePerMinute).toBe(2)
    expect(s.rates.find('a', '3312', 0)).toBeNull()
    expect(s.issues).toEqual([expect.objectContaining({ table: 'rates', id: bad.id, effect: 'excluded' })])
  })

  it('gives an address claimed by two ip gateways to the lower id and reports the other', () => {
    const s = buildSnapshot(input({ mappingGateways: [mg('b', { authMode: 'ip', ips: ['192.0.2.1'] }), mg('a', { authMode: 'ip', ips: ['192.0.2.1'] })] }))
    expect(s.mappingGatewaysByIp.get('192.0.2.1')?.id).toBe('a')
    expect(s.issues).toEqual([expect.objectContaining({ id: 'b', effect: 'warning' })])
  })

  it('brackets IPv6 source keys and finds ip_port gateways by them', () => {
    expect(sourceKey('2001:db8::1', 5060)).toBe('[2001:db8::1]:5060')
    const s = buildSnapshot(input({ mappingGateways: [mg('v6', { authMode: 'ip_port', ips: ['2001:db8::1'], port: 5060 })] }))
    expect(findMappingGatewayBySource(s, '2001:db8::1', 5060)?.id).toBe('v6')
    expect(findMappingGatewayBySource(s, '2001:db8::1', 5061)).toBeUndefined()
  })

  it('excludes a password gateway whose digest hashes are missing', () => {
    const row = { ...mg('pw', { authMode: 'password', username: 'bob', password: 'x' }), ha1Md5: null }
    const s = buildSnapshot(input({ mappingGateways: [row] }))
    expect(s.mappingGatewaysByUsername.size).toBe(0)
    expect(s.issues[0]).toMatchObject({ table: 'mapping_gateways', id: 'pw', effect: 'excluded' })
  })

  it('keeps a gateway whose account is missing but warns about it', () => {
    const s = buildSnapshot(input({ accounts: [], mappingGateways: [mg('orphan', { authMode: 'ip', ips: ['192.0.2.5'] })] }))
    expect(s.mappingGateways.has('orphan')).toBe(true)
    expect(s.issues[0]).toMatchObject({ id: 'orphan', effect: 'warning' })
  })

  it('excludes a group whose reserved lines exceed its limit', () => {
    const group = { ...gatewayGroupToRow(gatewayGroupCreate.parse({ name: 'g', lineLimit: 10 }), { id: 'g1', nowMs: 1 }), reservedLines: [{ mappingGatewayId: 'x', lines: 11 }] }
    const s = buildSnapshot(input({ gatewayGroups: [group] }))
    expect(s.gatewayGroups.size).toBe(0)
    expect(s.issues[0]).toMatchObject({ table: 'gateway_groups', effect: 'excluded' })
  })

  it('falls back to defaults for an inconsistent parameter pair', () => {
    const s = buildSnapshot(input({ parameters: [{ name: 'SS_SIP_T1_MS', value: 5000 }, { name: 'SS_SIP_T2_MS', value: 4000 }] }))
    expect(s.params.SS_SIP_T1_MS).toBe(500)
    expect(s.params.SS_SIP_T2_MS).toBe(4000)
    expect(s.issues.every((i) => i.effect === 'defaulted')).toBe(true)
  })

  it('attaches a routing table built from the valid rows in SS_TIMEZONE', () => {
    const rg = routingGatewayToRow(routingGatewayCreate.parse({ name: 'v', host: '192.0.2.9', prefixes: ['49'] }), { id: 'rg1', nowMs: 1 })
    const s = buildSnapshot(input({ routingGateways: [rg], parameters: [{ name: 'SS_TIMEZONE', value: 'Asia/Tokyo' }] }))
    expect(s.routing.timeZone).toBe('Asia/Tokyo')
    const d = decideRoute(s.routing, { callee: '4930123', caller: '1', mappingGatewayId: 'm', nowMs: 0 })
    expect(d).toMatchObject({ kind: 'route', candidates: [{ routingGatewayId: 'rg1', matchedPrefix: '49' }] })
  })

  it('returns a frozen snapshot', () => {
    const s = buildSnapshot(input({}))
    expect(Object.isFrozen(s)).toBe(true)
    expect(Object.isFrozen(s.params)).toBe(true)
    expect(Object.isFrozen(s.accounts.get('acc1'))).toBe(true)
  })
})
