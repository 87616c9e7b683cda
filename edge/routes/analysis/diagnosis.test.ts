// GET /v1/analysis/diagnosis: each finding kind fires on a generated CDR (or refused-attempt) pattern with its scope, evidence and example CDR ids, and healthy traffic gives none.
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import { accounts, authRefusals, gatewayStatus, ipAccessList, mappingGateways, rates, rateTables, routingGateways, systemParameters } from '../../../shared/db/schema.js'
import { gatewaySkipNote } from '../../../shared/routing/skip-notes.js'
import type { CdrRow } from '../../../shared/entities/cdr.js'
import { attempt, cdrRow, DAY0, HOUR, insertCdrs } from '../../test-support/cdrs.js'
import { useHarness, type Harness } from '../../test-support/harness.js'

const window = `from=${new Date(DAY0).toISOString()}&to=${new Date(DAY0 + 24 * HOUR).toISOString()}`
const stamp = { createdAtMs: DAY0, updatedAtMs: DAY0 }
const GATEWAYS = ['rgw_1', 'rgw_2', 'rgw_3', 'rgw_4', 'rgw_5']

/** 600 calls over the day on five vendors: 80 % answered, ordinary busy/no-answer/cancel failures, 2 s PDD, stray scan noise. */
function healthy(): CdrRow[] {
  const rows = Array.from({ length: 600 }, (_, i) => {
    const gw = GATEWAYS[i % 5]!
    const startedAtMs = DAY0 + i * 140_000
    const kind = i % 10
    if (kind === 8) return cdrRow({ startedAtMs, routingGatewayId: gw, terminationReason: 'GatewayRejected', sipCode: 486, attempts: [attempt(gw, 486, 'GatewayRejected', startedAtMs)] })
    if (kind === 9) return cdrRow({ startedAtMs, routingGatewayId: gw, terminationReason: 'CallerCancel', sipCode: 487, attempts: [attempt(gw, 487, 'CallerCancel', startedAtMs)] })
    return cdrRow({ startedAtMs, routingGatewayId: gw, callee: `00${33 + (i % 7)}1555${i % 100}`, pddMs: 1500 + (i % 10) * 100, attempts: [attempt(gw, 200, 'CallerHangup', startedAtMs)] })
  })
  const noRoute = Array.from({ length: 6 }, (_, i) => cdrRow({ startedAtMs: DAY0 + i * HOUR, routingGatewayId: null, terminationReason: 'NoAvailableRouter', callee: `0${i}99123` }))
  const scan = Array.from({ length: 30 }, (_, i) => cdrRow({ startedAtMs: DAY0 + i * 1000, routingGatewayId: null, terminationReason: 'AuthenticationFailed', sipCode: 403, sourceIp: '203.0.113.99', sourcePort: 5060 + i, accountId: null, mappingGatewayId: null }))
  const timeouts = GATEWAYS.map((gw, i) => cdrRow({ startedAtMs: DAY0 + i * 5 * HOUR, routingGatewayId: 'rgw_1', attempts: [attempt(gw, null, 'InviteTimeout'), attempt('rgw_1', 200, 'CallerHangup')] }))
  return [...rows, ...noRoute, ...scan, ...timeouts]
}

async function routingGateway(h: Harness, id: string, clearingAccountId: string | null = null): Promise<void> {
  await h.db.insert(routingGateways).values({
    id, name: id, host: '198.51.100.7', port: 5060, transport: 'udp', prefixes: [], prefixMode: 'extension', priority: 0, lineLimit: 0,
    lockType: 'none', switchUntilConnect: true, stopSwitchingCodes: [], protectRoute: false, optionsCheck: true, mappingGatewayRule: null,
    groupId: null, clearingAccountId, calleeRewrite: { strip: 0, add: '' }, callerRewrite: { strip: 0, add: '' }, mediaProxy: false, ...stamp,
  })
}

async function account(h: Harness, id: string, balance: number): Promise<void> {
  await h.db.insert(accounts).values({ id, name: id, type: 'prepaid', status: 'normal', balance, overdraftLimit: 0, maxCallDurationSec: 0, rateTableId: null, ...stamp })
}

async function mappingGateway(h: Harness, id: string, authMode: 'ip' | 'ip_port' | 'password', ip: string, port: number | null): Promise<void> {
  await account(h, `acc_${id}`, 100)
  await h.db.insert(mappingGateways).values({
    id, name: id, accountId: `acc_${id}`, authMode, ips: [ip], port, username: authMode === 'password' ? id : null, digestRealm: null,
    ha1Md5: null, ha1Sha256: null, lineLimit: 0, lockType: 'none', mediaProxy: false, ...stamp,
  })
}

const times = <T>(n: number, make: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => make(i))

describe('GET /v1/analysis/diagnosis', () => {
  const h = useHarness()

  async function diagnose(extra: CdrRow[]): Promise<{ kind: string; severity: string; scope: Record<string, unknown>; evidence: Record<string, unknown>; cause: string; advice: string }[]> {
    await insertCdrs(h().db, [...healthy(), ...extra])
    const res = await h().request('GET', `/v1/analysis/diagnosis?${window}`, { as: 'viewer' })
    expect(res.status).toBe(200)
    return res.body.findings
  }

  it('returns 200 with no findings for healthy traffic with ordinary failures and scan noise', async () => {
    for (const id of GATEWAYS) await routingGateway(h(), id)
    expect(await diagnose([])).toEqual([])
  })

  it('finds NoRouteForPrefix where NoAvailableRouter calls concentrate', async () => {
    const findings = await diagnose(times(40, (i) => cdrRow({ startedAtMs: DAY0 + i * 60_000, routingGatewayId: null, terminationReason: 'NoAvailableRouter', callee: `0086138${i % 10}55${i}` })))
    expect(findings).toEqual([expect.objectContaining({ kind: 'NoRouteForPrefix', severity: 'critical', scope: { prefix: '0086138' }, evidence: expect.objectContaining({ noRouteCalls: 40 }) })])
    expect(findings[0]!.advice).toMatch(/extension mode/)
  })

  it('finds CapacityExhausted naming the full vendor and its prefix at the peak hour, and one customer at its line limit', async () => {
    const busyNote = gatewaySkipNote('rgw_full', 'lineLimit', '0033')
    const busy = times(30, (i) => cdrRow({ startedAtMs: DAY0 + 18 * HOUR + i * 60_000, routingGatewayId: null, terminationReason: 'AllGatewayBusy', notes: [busyNote] }))
    const limited = times(12, (i) => cdrRow({ startedAtMs: DAY0 + 9 * HOUR + i * 1000, routingGatewayId: null, terminationReason: 'CallLimitExceeded', mappingGatewayId: 'mgw_big' }))
    const findings = await diagnose([...busy, ...limited, cdrRow({ startedAtMs: DAY0 + 3 * HOUR, routingGatewayId: null, terminationReason: 'AllGatewayBusy', notes: [busyNote] })])
    expect(findings).toEqual([
      expect.objectContaining({ kind: 'CapacityExhausted', scope: { routingGatewayId: 'rgw_full', prefix: '0033' }, evidence: expect.objectContaining({ allGatewayBusyCalls: 31, peakHours: ['2024-01-03T18:00:00.000Z'] }) }),
      expect.objectContaining({ kind: 'CapacityExhausted', scope: { mappingGatewayId: 'mgw_big' } }),
    ])
    expect(findings[0]!.evidence.exampleCdrIds).toEqual(busy.slice(-5).reverse().map((c) => c.id))
    expect(findings[1]!.evidence.exampleCdrIds).toEqual(limited.slice(-5).reverse().map((c) => c.id))
  })

  it('finds VendorBalanceLow for a routing gateway whose clearing account is under the limit', async () => {
    await account(h(), 'acc_vendor', 5)
    await routingGateway(h(), 'rgw_vendor', 'acc_vendor')
    await h().db.insert(systemParameters).values({ name: 'SERVER_VERIFY_CLEARING_CUSTOMER_REMAIN_MONEY_LIMIT', value: 100, updatedAtMs: DAY0 })
    const skipped = times(12, (i) => cdrRow({ startedAtMs: DAY0 + i * HOUR, routingGatewayId: null, terminationReason: 'AccountBalanceNotEnough', notes: [gatewaySkipNote('rgw_vendor', 'clearingBalanceLow', '')] }))
    const findings = await diagnose([...skipped, cdrRow({ startedAtMs: DAY0 + 5, routingGatewayId: null, terminationReason: 'AccountBalanceNotEnough' })])
    expect(findings).toEqual([expect.objectContaining({
      kind: 'VendorBalanceLow', severity: 'critical', scope: { routingGatewayId: 'rgw_vendor', clearingAccountId: 'acc_vendor' },
      evidence: expect.objectContaining({ balance: 5, limit: 100, accountBalanceNotEnoughCalls: 12, exampleCdrIds: skipped.slice(-5).reverse().map((c) => c.id) }),
    })])
  })

  it('finds GatewayUnreachable for one gateway whose INVITEs and OPTIONS go unanswered', async () => {
    await h().db.insert(gatewayStatus).values({ kind: 'routing', gatewayId: 'rgw_dead', online: false, lastCheckAtMs: DAY0, rttMs: null, lossRatio: 1, lastCode: null, currentCalls: 0, callsPerSec: 0, nodeId: 'n', updatedAtMs: DAY0 })
    const findings = await diagnose(times(20, (i) => cdrRow({ startedAtMs: DAY0 + i * HOUR, routingGatewayId: 'rgw_1', attempts: [attempt('rgw_dead', null, 'InviteTimeout'), attempt('rgw_1', 200, 'CallerHangup')] })))
    expect(findings).toEqual([expect.objectContaining({
      kind: 'GatewayUnreachable', severity: 'critical', scope: { routingGatewayId: 'rgw_dead' },
      evidence: expect.objectContaining({ attempts: 20, inviteTimeouts: 20, optionsOnline: false }),
    })])
    expect(findings[0]!.advice).toMatch(/firewall/)
  })

  it('finds OwnNetworkDown when most gateways time out in the same minutes, instead of blaming each gateway', async () => {
    const outage = DAY0 + 10 * HOUR
    const rows = times(25, (i) => cdrRow({ startedAtMs: outage + i * 10_000, routingGatewayId: null, terminationReason: 'InviteTimeout',
      attempts: [attempt(GATEWAYS[i % 5]!, null, 'InviteTimeout', outage + i * 10_000)] }))
    const findings = await diagnose(rows)
    expect(findings).toEqual([expect.objectContaining({ kind: 'OwnNetworkDown', severity: 'critical', evidence: expect.objectContaining({ maxGatewaysTimingOut: 5, firstAt: '2024-01-03T10:00:00.000Z' }) })])
  })

  it('finds SlowGateway for a vendor with a long post-dial delay', async () => {
    const findings = await diagnose(times(15, (i) => cdrRow({ startedAtMs: DAY0 + i * HOUR, routingGatewayId: 'rgw_slow', pddMs: 9000 })))
    expect(findings).toEqual([expect.objectContaining({ kind: 'SlowGateway', scope: { routingGatewayId: 'rgw_slow' }, evidence: expect.objectContaining({ avgPddMs: 9000, callsWithPdd: 15 }) })])
  })

  it('finds SlowGateway, not GatewayUnreachable, for a vendor that answers 100 Trying and never rings (TryingTimeout)', async () => {
    const stuck = times(12, (i) => cdrRow({ startedAtMs: DAY0 + i * HOUR, routingGatewayId: 'rgw_trying', terminationReason: 'TryingTimeout', sipCode: 408, attempts: [attempt('rgw_trying', 487, 'TryingTimeout', DAY0 + i * HOUR)] }))
    const findings = await diagnose(stuck)
    expect(findings).toEqual([expect.objectContaining({ kind: 'SlowGateway', scope: { routingGatewayId: 'rgw_trying' }, evidence: expect.objectContaining({ tryingTimeouts: 12 }) })])
    expect(findings[0]!.evidence.exampleCdrIds).toEqual(stuck.slice(-5).reverse().map((c) => c.id))
  })

  async function refused(rows: { gw?: string; ip: string; reason: 'wrong_password' | 'unknown_user' | 'ip_port_mismatch'; n: number; users?: number; port?: number }[]): Promise<void> {
    await h().db.insert(authRefusals).values(rows.map((r) => ({
      bucketMs: DAY0 + 6 * HOUR, mappingGatewayId: r.gw ?? '', sourceIp: r.ip, reason: r.reason, attempts: r.n, distinctPorts: 2,
      distinctUsers: r.users ?? (r.reason === 'ip_port_mismatch' ? 0 : 1), topPort: r.port ?? 5060, firstAtMs: DAY0 + 6 * HOUR, lastAtMs: DAY0 + 6 * HOUR + 60_000,
    })))
  }

  it('finds AuthFailuresBehindNat from refused attempts when an IP+port customer arrives from another port, without any CDR', async () => {
    await mappingGateway(h(), 'mgw_nat', 'ip_port', '198.51.100.44', 5060)
    await refused([{ gw: 'mgw_nat', ip: '198.51.100.44', reason: 'ip_port_mismatch', n: 15, port: 40_001 }])
    const findings = await diagnose([])
    expect(findings).toEqual([expect.objectContaining({
      kind: 'AuthFailuresBehindNat', scope: { mappingGatewayId: 'mgw_nat', sourceIp: '198.51.100.44' },
      evidence: expect.objectContaining({ refusedAttempts: 15, mostUsedPort: 40_001, configuredPort: 5060, exampleCdrIds: [] }),
    })])
    expect(findings[0]!.advice).toMatch(/IP mode/)
  })

  it('finds CredentialMismatch for wrong passwords on one gateway from one source, with their CDRs as examples', async () => {
    await mappingGateway(h(), 'mgw_pw', 'password', '198.51.100.60', null)
    await refused([{ gw: 'mgw_pw', ip: '198.51.100.60', reason: 'wrong_password', n: 12 }])
    const refusedCdrs = times(3, (i) => cdrRow({ startedAtMs: DAY0 + 6 * HOUR + i, routingGatewayId: null, terminationReason: 'AuthenticationFailed', sipCode: 403, sourceIp: '198.51.100.60', mappingGatewayId: 'mgw_pw' }))
    const findings = await diagnose(refusedCdrs)
    expect(findings).toEqual([expect.objectContaining({
      kind: 'CredentialMismatch', scope: { mappingGatewayId: 'mgw_pw', sourceIp: '198.51.100.60' },
      evidence: expect.objectContaining({ refusedAttempts: 12, byReason: { wrong_password: 12 }, exampleCdrIds: refusedCdrs.slice().reverse().map((c) => c.id) }),
    })])
    expect(findings[0]!.advice).toMatch(/realm/)
  })

  it('finds AuthenticationAttack for a source guessing several usernames, with the ban that holds it', async () => {
    await refused([{ gw: 'mgw_x', ip: '203.0.113.66', reason: 'wrong_password', n: 3 }, { ip: '203.0.113.66', reason: 'unknown_user', n: 7, users: 4 }])
    await h().db.insert(ipAccessList).values({ id: 'ban_1', list: 'blacklist', cidr: '203.0.113.66/32', reason: 'auth_failures', origin: 'core', note: null, offences: 1, expiresAtMs: DAY0 + 30 * HOUR, nodeId: 'n', createdAtMs: DAY0 + 6 * HOUR, updatedAtMs: DAY0 + 6 * HOUR })
    const findings = await diagnose([])
    expect(findings).toEqual([expect.objectContaining({
      kind: 'AuthenticationAttack', severity: 'warning', scope: { sourceIp: '203.0.113.66' },
      evidence: expect.objectContaining({ refusedAttempts: 10, usernamesTried: 5, mappingGatewaysNamed: ['mgw_x'], ban: { origin: 'core', reason: 'auth_failures', offences: 1, expiresAt: '2024-01-04T06:00:00.000Z' } }),
    })])
  })

  it('finds OneWayAudio on the vendor whose side sent no RTP, not on a vendor with a stray silent call', async () => {
    const relayed = (gw: string, i: number, fromCallee: number) => cdrRow({
      startedAtMs: DAY0 + 7 * HOUR + i * 1000, routingGatewayId: gw, durationSec: 30, rtpPacketsFromCaller: 1500, rtpBytesFromCaller: 258_000,
      rtpPacketsFromCallee: fromCallee, rtpBytesFromCallee: fromCallee * 172, attempts: [attempt(gw, 200, 'CallerHangup', DAY0 + 7 * HOUR + i * 1000)],
    })
    const mute = times(6, (i) => relayed('rgw_mute', i, 0))
    const findings = await diagnose([...mute, ...times(10, (i) => relayed('rgw_fine', 20 + i, i === 0 ? 0 : 1500))])
    expect(findings).toEqual([expect.objectContaining({ kind: 'OneWayAudio', severity: 'critical', scope: { routingGatewayId: 'rgw_mute' }, evidence: expect.objectContaining({ oneWayCalls: 6, silentSide: 'callee' }) })])
    expect(findings[0]!.evidence.exampleCdrIds).toEqual(mute.slice(-5).reverse().map((c) => c.id))
  })

  it('finds NewCostlyDestination for an account calling a premium prefix priced far above its table that it never called before', async () => {
    await h().db.insert(rateTables).values({ id: 'rt_1', name: 'retail', ...stamp })
    const rate = (id: string, prefix: string, price: number) => ({ id, rateTableId: 'rt_1', prefix, pricePerMinute: price, firstIncrementSec: 1, nextIncrementSec: 1, effectiveFromMs: 0 })
    await h().db.insert(rates).values([rate('r1', '0033', 0.02), rate('r2', '0044', 0.02), rate('r3', '0049', 0.03), rate('r4', '00882', 2.5), rate('r5', '008821', 0.01)])
    await account(h(), 'acc_fraud', 100)
    await h().db.update(accounts).set({ rateTableId: 'rt_1' }).where(sql`${accounts.id} = 'acc_fraud'`)
    const call = (callee: string, startedAtMs: number) => cdrRow({ startedAtMs, accountId: 'acc_fraud', callee, cost: 1.25, attempts: [attempt('rgw_1', 200, 'CallerHangup', startedAtMs)] })
    const history = [call('0033155501', DAY0 - 5 * 86_400_000), call('0088211111', DAY0 - 86_400_000)]
    const premium = times(4, (i) => call(`008826000${i}`, DAY0 + 8 * HOUR + i * 60_000))
    const findings = await diagnose([...history, ...premium, ...times(4, (i) => call(`008821555${i}`, DAY0 + 8 * HOUR + i))])
    expect(findings).toEqual([expect.objectContaining({
      kind: 'NewCostlyDestination', severity: 'critical', scope: { accountId: 'acc_fraud', prefix: '00882' },
      evidence: expect.objectContaining({ calls: 4, answeredCalls: 4, pricePerMinute: 2.5, medianPricePerMinute: 0.02, exampleCdrIds: premium.slice().reverse().map((c) => c.id) }),
    })])
  })

  it('finds FalseAnswerSupervision for a vendor whose answers in one burst last seconds, not for a control vendor with a few short calls', async () => {
    const burst = DAY0 + 14 * HOUR
    const fas = times(14, (i) => cdrRow({
      startedAtMs: burst + i * 15_000, routingGatewayId: 'rgw_fas', durationSec: 1 + (i % 2), pddMs: 150, cost: 0.01,
      attempts: [attempt('rgw_fas', 200, 'CallerHangup', burst + i * 15_000)],
    }))
    const control = times(12, (i) => cdrRow({
      startedAtMs: burst + i * 20_000, routingGatewayId: 'rgw_ok', durationSec: i % 3 === 0 ? 2 : 95,
      attempts: [attempt('rgw_ok', 200, 'CallerHangup', burst + i * 20_000)],
    }))
    const findings = await diagnose([...fas, ...control])
    expect(findings).toEqual([expect.objectContaining({
      kind: 'FalseAnswerSupervision', severity: 'critical', scope: { routingGatewayId: 'rgw_fas' },
      evidence: expect.objectContaining({ burstStart: '2024-01-03T14:00:00.000Z', shortAnsweredCalls: 14, answeredCalls: 14, shortShare: 1, shortAvgPddMs: 150, burstBuckets: 1 }),
    })])
    expect(findings[0]!.evidence.exampleCdrIds).toEqual(fas.slice(-5).reverse().map((c) => c.id))
    expect(findings[0]).toMatchObject({ cause: expect.stringMatching(/false answer supervision/), advice: expect.stringMatching(/claim the billed seconds back/) })
  })

  it('finds LossRoutes for a vendor whose answered calls cost more than the customer paid, not for a profitable one', async () => {
    const priced = (gw: string, i: number, cost: number, vendorCost: number) => cdrRow({
      startedAtMs: DAY0 + 2 * HOUR + i * 60_000, routingGatewayId: gw, cost, vendorCost, attempts: [attempt(gw, 200, 'CallerHangup', DAY0 + 2 * HOUR + i * 60_000)],
    })
    const rows = [
      ...times(4, (i) => priced('rgw_loss', i, 0.6, 0.9)), ...times(6, (i) => priced('rgw_loss', 10 + i, 0.6, 0.3)),
      ...times(10, (i) => priced('rgw_profit', 20 + i, 0.6, 0.3)), priced('rgw_once', 40, 0.6, 0.61),
    ]
    const findings = await diagnose(rows)
    expect(findings).toEqual([expect.objectContaining({
      kind: 'LossRoutes', severity: 'critical', scope: { routingGatewayId: 'rgw_loss' },
      evidence: expect.objectContaining({ lossCalls: 4, ratedAnsweredCalls: 10, lossShare: 0.4, loss: 1.2, exampleCdrIds: rows.slice(0, 4).reverse().map((c) => c.id) }),
    })])
    expect(findings[0]).toMatchObject({ cause: expect.stringMatching(/cost more at the vendor/), advice: expect.stringMatching(/NoProfitableRoute/) })
  })

  it('returns 400 naming to when the window is longer than 31 days', async () => {
    const res = await h().request('GET', '/v1/analysis/diagnosis?from=2024-01-01T00:00:00Z&to=2024-03-01T00:00:00Z')
    expect(res.status).toBe(400)
    expect(res.body.error.issues[0].path).toEqual(['to'])
  })
})
