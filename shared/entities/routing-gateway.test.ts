// Covers docs/api.md /v1/routing-gateways: create defaults, host/port/prefix/code validation and row mapping.
import { describe, expect, it } from 'vitest'
import { mergeRoutingGatewayUpdate, routingGateway, routingGatewayCreate, routingGatewayFromRow, routingGatewayToRow, routingGatewayUpdate } from './routing-gateway.js'

const issuesOf = (body: unknown) => routingGatewayCreate.safeParse(body).error?.issues.map((i) => i.path.join('.')) ?? []

describe('routingGatewayCreate', () => {
  it('fills port 5060, udp, empty prefixes (match everything), extension mode, no rewrites or rules, caller ID passed on, no loss routes', () => {
    expect(routingGatewayCreate.parse({ name: 'v', host: 'sip.vendor.example' })).toEqual({
      name: 'v', host: 'sip.vendor.example', port: 5060, transport: 'udp', prefixes: [], prefixMode: 'extension',
      priority: 0, lineLimit: 0, cpsLimit: 0, cpsBurst: 0, lockType: 'none', switchUntilConnect: true, stopSwitchingCodes: [], protectRoute: false,
      optionsCheck: false, mappingGatewayRule: null, groupId: null, clearingAccountId: null,
      calleeRewrite: { strip: 0, add: '' }, callerRewrite: { strip: 0, add: '' }, mediaProxy: false,
      calleeRules: [], callerRules: [], callerId: { presentation: 'pass', privacy: 'pass', assertedIdentity: false }, allowLossRoutes: false,
      dynamic: false,
    })
  })

  it('needs a host when static, and a username and password (no host) when dynamic', () => {
    const issues = (body: unknown): string[] => {
      const r = routingGatewayCreate.safeParse(body)
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'))
    }
    expect(issues({ name: 'v' })).toEqual(['host'])
    expect(issues({ name: 'v', dynamic: true })).toEqual(['username', 'password'])
    expect(issues({ name: 'v', dynamic: true, username: 'vendor1', password: 'pw' })).toEqual([])
    expect(issues({ name: 'v', host: 'h.example', username: 'vendor1' })).toEqual(['password'])
  })

  it('hashes the password into HA1 columns and never shows it or them', () => {
    const row = routingGatewayToRow(routingGatewayCreate.parse({ name: 'v', dynamic: true, username: 'vendor1', password: 'pw' }), { id: 'rg1', nowMs: 1, realm: 'softswitch' })
    expect(row).toMatchObject({ host: '', username: 'vendor1', digestRealm: 'softswitch', ha1Md5: expect.stringMatching(/^[0-9a-f]{32}$/) })
    const shown = routingGatewayFromRow(row)
    expect(shown).toMatchObject({ host: '', username: 'vendor1', dynamic: true })
    expect(Object.keys(shown)).not.toContain('ha1Md5')
    expect(Object.keys(shown)).not.toContain('password')
    expect(routingGateway.parse(shown)).toEqual(shown)
  })

  it('refuses a PATCH that changes the username without a password, or leaves a dynamic gateway without credentials', () => {
    const row = routingGatewayToRow(routingGatewayCreate.parse({ name: 'v', dynamic: true, username: 'vendor1', password: 'pw' }), { id: 'rg1', nowMs: 1, realm: 'softswitch' })
    expect(mergeRoutingGatewayUpdate(row, { username: 'other' }, { nowMs: 2, realm: 'softswitch' })).toMatchObject({ ok: false, issues: [{ path: 'password' }] })
    expect(mergeRoutingGatewayUpdate(row, { username: null }, { nowMs: 2, realm: 'softswitch' })).toMatchObject({ ok: false })
    expect(mergeRoutingGatewayUpdate(row, { username: 'other', password: 'new' }, { nowMs: 2, realm: 'softswitch' })).toMatchObject({ ok: true, set: { username: 'other', ha1Md5: expect.any(String) } })
    expect(mergeRoutingGatewayUpdate(row, { dynamic: false }, { nowMs: 2, realm: 'softswitch' })).toMatchObject({ ok: false, issues: [{ path: 'host' }] })
  })

  it('accepts egress dial plans and caller-ID rules, and names the bad rule of a plan', () => {
    const body = {
      name: 'v', host: 'sip.vendor.example',
      calleeRules: [{ op: 'toNational', countryCode: '49' }, { op: 'addPrefix', prefix: '1234#' }],
      callerId: { presentation: 'anonymous', privacy: 'id', assertedIdentity: true },
    }
    expect(routingGatewayCreate.parse(body).calleeRules).toEqual([
      { op: 'toNational', countryCode: '49', trunkPrefix: '0', internationalPrefix: '00' }, { op: 'addPrefix', prefix: '1234#' },
    ])
    const bad = routingGatewayCreate.safeParse({ ...body, calleeRules: [{ op: 'strip', count: 1 }, { op: 'replace', pattern: '(a+)+', replacement: '' }] })
    expect(bad.success).toBe(false)
    expect(bad.error?.issues[0]?.path).toEqual(['calleeRules', 1, 'pattern'])
  })

  it.each(['192.0.2.10', '2001:db8::5', 'gw-1.vendor.example', 'localhost'])('accepts host %s', (host) => {
    expect(issuesOf({ name: 'v', host })).toEqual([])
  })

  it.each(['', 'bad host', 'http://x', '-x.example', '192.0.2.256', '1.2.3', '999', '[2001:db8::1]'])('rejects host %j', (host) => {
    expect(issuesOf({ name: 'v', host })).toContain('host')
  })

  it.each([
    [{ prefixes: ['00a1'] }, 'prefixes.0'],
    [{ prefixes: [''] }, 'prefixes.0'],
    [{ prefixes: ['0033', '0033'] }, 'prefixes'],
    [{ port: 0 }, 'port'],
    [{ port: 70000 }, 'port'],
    [{ stopSwitchingCodes: [200] }, 'stopSwitchingCodes.0'],
    [{ stopSwitchingCodes: [486.5] }, 'stopSwitchingCodes.0'],
    [{ priority: -1 }, 'priority'],
    [{ transport: 'sctp' }, 'transport'],
    [{ prefixMode: 'longest' }, 'prefixMode'],
    [{ calleeRewrite: { strip: -1, add: '' } }, 'calleeRewrite.strip'],
    [{ callerRewrite: { strip: 0, add: 'x1' } }, 'callerRewrite.add'],
    [{ mappingGatewayRule: { mode: 'block', ids: [] } }, 'mappingGatewayRule.mode'],
  ])('rejects %j at %s', (extra, path) => {
    expect(issuesOf({ name: 'v', host: '192.0.2.10', ...extra })).toContain(path)
  })

  it('accepts prefixes with * # + and stop codes 3xx-6xx', () => {
    expect(issuesOf({ name: 'v', host: 'h.example', prefixes: ['+33', '*21#', '0'], stopSwitchingCodes: [302, 486, 603] })).toEqual([])
  })
})

describe('routingGatewayUpdate', () => {
  it('accepts clearing the group and rejects an empty body', () => {
    expect(routingGatewayUpdate.parse({ groupId: null })).toEqual({ groupId: null })
    expect(routingGatewayUpdate.safeParse({}).success).toBe(false)
  })
})

describe('routing gateway row mapping', () => {
  it('round-trips create -> row -> public JSON', () => {
    const input = routingGatewayCreate.parse({ name: 'v', host: 'h.example', prefixes: ['0033'], mappingGatewayRule: { mode: 'allow', ids: ['m1'] } })
    const json = routingGatewayFromRow(routingGatewayToRow(input, { id: 'r1', nowMs: 5 }))
    expect(routingGateway.parse(json)).toEqual(json)
    expect(json).toMatchObject({ id: 'r1', ...input, updatedAt: '1970-01-01T00:00:00.005Z' })
  })
})
