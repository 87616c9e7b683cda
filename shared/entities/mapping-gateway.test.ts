// Covers docs/api.md /v1/mapping-gateways: auth-mode rules, address validation, and RFC 7616 HA1 storage of the write-only password.
import { describe, expect, it } from 'vitest'
import { computeHa1 } from '../auth/digest-hash.js'
import {
  mappingGateway, mappingGatewayCreate, mappingGatewayFromRow, mappingGatewayToRow, mappingGatewayUpdate,
  mergeMappingGatewayUpdate,
} from './mapping-gateway.js'

const base = { name: 'gw', accountId: 'acc1' }
const issuesOf = (body: unknown) => mappingGatewayCreate.safeParse(body).error?.issues.map((i) => i.path.join('.')) ?? []

describe('mappingGatewayCreate', () => {
  it('accepts IPv4 and IPv6 sources for ip mode and fills defaults', () => {
    expect(mappingGatewayCreate.parse({ ...base, authMode: 'ip', ips: ['192.0.2.1', '2001:db8::1'] })).toEqual({
      ...base, authMode: 'ip', ips: ['192.0.2.1', '2001:db8::1'], lineLimit: 0, cpsLimit: 0, cpsBurst: 0, lockType: 'none', mediaProxy: false,
      calleeRules: [], callerRules: [], allowLossRoutes: false, dynamic: false,
    })
  })

  it('lets only a password gateway be dynamic (it registers with its digest credentials)', () => {
    expect(issuesOf({ ...base, authMode: 'ip', ips: ['192.0.2.1'], dynamic: true })).toEqual(['authMode'])
    expect(issuesOf({ ...base, authMode: 'password', username: 'pbx', password: 'pw', dynamic: true })).toEqual([])
  })

  it('requires at least one ip for ip and ip_port modes', () => {
    expect(issuesOf({ ...base, authMode: 'ip' })).toEqual(['ips'])
    expect(issuesOf({ ...base, authMode: 'ip_port', port: 5060 })).toEqual(['ips'])
  })

  it('requires a port for ip_port mode', () => {
    expect(issuesOf({ ...base, authMode: 'ip_port', ips: ['192.0.2.1'] })).toEqual(['port'])
  })

  it('requires username and password for password mode', () => {
    expect(issuesOf({ ...base, authMode: 'password' }).sort()).toEqual(['password', 'username'])
    expect(issuesOf({ ...base, authMode: 'password', username: 'u', password: 'p' })).toEqual([])
  })

  it.each([
    [['192.0.2.256'], 'ips.0'],
    [['example.com'], 'ips.0'],
    [['10.0.0.0/8'], 'ips.0'],
    [['192.0.2.1', '192.0.2.1'], 'ips'],
  ])('rejects ips %j', (ips, path) => {
    expect(issuesOf({ ...base, authMode: 'ip', ips })).toContain(path)
  })

  it.each([0, 65536, 80.5])('rejects port %s', (port) => {
    expect(issuesOf({ ...base, authMode: 'ip_port', ips: ['192.0.2.1'], port })).toContain('port')
  })

  it('rejects a username containing a colon, which would make HA1 ambiguous', () => {
    expect(issuesOf({ ...base, authMode: 'password', username: 'a:b', password: 'p' })).toContain('username')
  })

  it('rejects a negative or fractional lineLimit', () => {
    expect(issuesOf({ ...base, authMode: 'ip', ips: ['192.0.2.1'], lineLimit: -1 })).toContain('lineLimit')
    expect(issuesOf({ ...base, authMode: 'ip', ips: ['192.0.2.1'], lineLimit: 1.5 })).toContain('lineLimit')
  })
})

describe('mappingGatewayUpdate', () => {
  it('rejects an empty body and a username change without a password', () => {
    expect(mappingGatewayUpdate.safeParse({}).success).toBe(false)
    expect(mappingGatewayUpdate.safeParse({ username: 'new' }).success).toBe(false)
    expect(mappingGatewayUpdate.parse({ username: 'new', password: 'pw' })).toEqual({ username: 'new', password: 'pw' })
  })
})

describe('mapping gateway row mapping', () => {
  const created = mappingGatewayCreate.parse({ ...base, authMode: 'password', username: 'Mufasa', password: 'Circle of Life' })
  const row = mappingGatewayToRow(created, { id: 'm1', nowMs: 1000, realm: 'http-auth@example.org' })

  it('stores MD5 and SHA-256 HA1 under the realm and never the password', () => {
    expect(row).toMatchObject({
      digestRealm: 'http-auth@example.org',
      ha1Md5: '3d78807defe7de2157e2b0b6573a855f',
      ha1Sha256: '7987c64c30e25f1b74be53f966b49b90f2808aa92faf9a00262392d7b4794232',
    })
    expect(JSON.stringify(row)).not.toContain('Circle of Life')
  })

  it('exposes no password or hash in the public shape', () => {
    const json = mappingGatewayFromRow(row)
    expect(mappingGateway.parse(json)).toEqual(json)
    expect(Object.keys(json)).not.toEqual(expect.arrayContaining(['password']))
    expect(JSON.stringify(json)).not.toMatch(/ha1|digestRealm|Circle/)
    expect(json).not.toHaveProperty('port')
    expect(json.username).toBe('Mufasa')
  })

  it('rehashes with the stored username when only the password changes', () => {
    const r = mergeMappingGatewayUpdate(row, mappingGatewayUpdate.parse({ password: 'new' }), { nowMs: 2000, realm: 'r' })
    expect(r.ok && r.set).toMatchObject({ digestRealm: 'r', ha1Md5: computeHa1('MD5', 'Mufasa', 'r', 'new'), updatedAtMs: 2000 })
  })

  it('refuses switching to ip mode without ips after the merge', () => {
    const r = mergeMappingGatewayUpdate(row, mappingGatewayUpdate.parse({ authMode: 'ip' }), { nowMs: 2000, realm: 'r' })
    expect(r).toEqual({ ok: false, issues: [{ path: 'ips', message: 'authMode ip requires at least one ip' }] })
  })

  it('refuses password mode once the username is cleared', () => {
    const r = mergeMappingGatewayUpdate(row, mappingGatewayUpdate.parse({ username: null }), { nowMs: 2000, realm: 'r' })
    expect(r.ok).toBe(false)
  })

  it('clears the hashes when the username is cleared on an ip gateway', () => {
    const ipRow = { ...row, authMode: 'ip' as const, ips: ['192.0.2.1'] }
    const r = mergeMappingGatewayUpdate(ipRow, mappingGatewayUpdate.parse({ username: null }), { nowMs: 2000, realm: 'r' })
    expect(r.ok && r.row).toMatchObject({ username: null, ha1Md5: null, ha1Sha256: null, digestRealm: null })
  })
})
