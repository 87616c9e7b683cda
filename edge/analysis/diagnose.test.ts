// The pure diagnosis rules at their thresholds: each kind's minimum and share, the scope it names, cause and advice apart, and the splits that name the right cause (unreachable vs slow, NAT vs credentials vs guessing).
import { describe, expect, it } from 'vitest'
import { ATTACK_MIN_REFUSALS, ATTACK_MIN_SOURCES, CREDENTIAL_MIN_REFUSALS, findAuthenticationAttacks, findAuthFailures, NAT_MIN_REFUSALS } from './diagnose-auth.js'
import { CAPACITY_MIN_CALLS, diagnose, findCapacityExhausted, findNoRouteForPrefix, findVendorBalanceLow, NO_ROUTE_MIN_CALLS } from './diagnose.js'
import { findOneWayAudio, ONE_WAY_MIN_CALLS } from './diagnose-media.js'
import { FAS_MIN_SHORT_CALLS, findFalseAnswerSupervision, findLossRoutes, findNewCostlyDestinations, LOSS_MIN_CALLS, NEW_DEST_MIN_CALLS } from './diagnose-money.js'
import { findNetworkTimeouts, findSlowGateways, SLOW_MIN_CALLS, UNREACHABLE_MIN_ATTEMPTS } from './diagnose-network.js'
import { findSourceBans } from './diagnose-security.js'
import type { DiagnosisFacts } from './finding.js'

const empty: DiagnosisFacts = {
  window: { fromMs: 0, toMs: 3_600_000 },
  calls: 1000, reasonsByHour: [], noRouteByCallee: [], callLimitByMappingGateway: [], skippedByGateway: [], attemptsByBucket: [], pddByGateway: [],
  mediaByGateway: [], newCostlyDestinations: [], routingGateways: [], clearingAccounts: [], clearingLimit: 0, mappingGateways: [], gatewayStatus: [], bans: [],
  answeredByBucket: [], shortExamples: [], lossByGateway: [], lossExamples: [], refusals: [], refusalsByGateway: [], sourceBans: [],
}

const bucket = (routingGatewayId: string, attempts: number, o: { invite?: number; trying?: number; ringing?: number; bucketMs?: number } = {}) =>
  ({ bucketMs: o.bucketMs ?? 0, routingGatewayId, attempts, inviteTimeouts: o.invite ?? 0, tryingTimeouts: o.trying ?? 0, gatewayTimeouts: o.ringing ?? 0 })

const refusal = (o: Partial<DiagnosisFacts['refusals'][number]>): DiagnosisFacts['refusals'][number] =>
  ({ mappingGatewayId: '', sourceIp: '192.0.2.7', reason: 'wrong_password', attempts: 1, distinctPorts: 1, distinctUsers: 1, topPort: 5060, firstAtMs: 1000, lastAtMs: 2000, ...o })

describe('diagnose', () => {
  it('reports two destinations separately when no-route calls split between them', () => {
    const f = { ...empty, noRouteByCallee: [{ callee: '00861381', calls: 15 }, { callee: '00861382', calls: 5 }, { callee: '00441234', calls: 15 }] }
    expect(findNoRouteForPrefix(f).map((x) => x.scope)).toEqual([{ prefix: '0086138' }, { prefix: '00441234' }])
  })

  it('reports the whole destination when its no-route calls spread evenly below it', () => {
    const france = Array.from({ length: 9 }, (_, i) => ({ callee: `0033${i + 1}555`, calls: 12 }))
    expect(findNoRouteForPrefix({ ...empty, noRouteByCallee: france }).map((x) => x.scope)).toEqual([{ prefix: '0033' }])
  })

  it('stays silent when no-route calls are spread thinly over many destinations', () => {
    const spread = Array.from({ length: 40 }, (_, i) => ({ callee: `00${30 + (i % 20)}${i}`, calls: 12 }))
    expect(findNoRouteForPrefix({ ...empty, noRouteByCallee: spread })).toEqual([])
  })

  it('stays silent below the minimum number of calls of each rule', () => {
    expect(diagnose({
      ...empty,
      noRouteByCallee: [{ callee: '0086', calls: NO_ROUTE_MIN_CALLS - 1 }],
      skippedByGateway: [{ hourMs: 0, reason: 'AllGatewayBusy', routingGatewayId: 'g', skip: 'lineLimit', matchedPrefix: '49', calls: CAPACITY_MIN_CALLS - 1 }],
      attemptsByBucket: [bucket('g', UNREACHABLE_MIN_ATTEMPTS - 1, { invite: UNREACHABLE_MIN_ATTEMPTS - 1 })],
      mediaByGateway: [{ routingGatewayId: 'g', mappingGatewayId: 'm', relayed: ONE_WAY_MIN_CALLS - 1, calleeSilent: ONE_WAY_MIN_CALLS - 1, callerSilent: 0 }],
      refusals: [refusal({ mappingGatewayId: 'm', attempts: CREDENTIAL_MIN_REFUSALS - 1 })],
      newCostlyDestinations: [{ accountId: 'a', prefix: '882', pricePerMinute: 2, medianPricePerMinute: 0.02, calls: NEW_DEST_MIN_CALLS - 1, answered: 1, cost: 1, firstAtMs: 0 }],
    })).toEqual([])
  })

  it('gives every finding a cause apart from its advice, a scope naming what it is about, the window and example ids', () => {
    const findings = diagnose({
      ...empty,
      noRouteByCallee: [{ callee: '0086', calls: 20 }],
      attemptsByBucket: [bucket('rgw_dead', 20, { invite: 20 }), bucket('rgw_slow', 20, { trying: 10 })],
    })
    expect(findings.map((f) => [f.kind, f.scope])).toEqual([
      ['GatewayUnreachable', { routingGatewayId: 'rgw_dead' }], ['NoRouteForPrefix', { prefix: '0086' }], ['SlowGateway', { routingGatewayId: 'rgw_slow' }],
    ])
    for (const f of findings) {
      expect(f.cause.length).toBeGreaterThan(20)
      expect(f.advice.length).toBeGreaterThan(20)
      expect(f.cause).not.toBe(f.advice)
      expect(f.evidence).toMatchObject({ window: { from: '1970-01-01T00:00:00.000Z', to: '1970-01-01T01:00:00.000Z' }, exampleCdrIds: [] })
    }
  })

  it('calls a gateway unreachable only when at least half its attempts got no response at all', () => {
    const at = (invite: number) => findNetworkTimeouts({ ...empty, attemptsByBucket: [bucket('g', 20, { invite })] })
    expect(at(9)).toEqual([])
    expect(at(10)).toEqual([expect.objectContaining({ kind: 'GatewayUnreachable', severity: 'warning', evidence: expect.objectContaining({ optionsOnline: null }) })])
  })

  it('calls a vendor that answers 100 Trying and never rings slow, never unreachable', () => {
    const f = { ...empty, attemptsByBucket: [bucket('rgw_trying', SLOW_MIN_CALLS, { trying: SLOW_MIN_CALLS })] }
    expect(findNetworkTimeouts(f)).toEqual([])
    expect(findSlowGateways(f)).toEqual([expect.objectContaining({
      kind: 'SlowGateway', scope: { routingGatewayId: 'rgw_trying' }, evidence: expect.objectContaining({ tryingTimeouts: SLOW_MIN_CALLS, gatewayTimeouts: 0 }),
      cause: expect.stringMatching(/100 Trying and then nothing.*not a network or ACL problem/),
    })])
    expect(findSlowGateways({ ...empty, attemptsByBucket: [bucket('g', 10, { trying: 1, ringing: 0 })] })).toEqual([])
  })

  it('reports OwnNetworkDown for a bucket where most gateways time out together, and leaves those gateways unblamed', () => {
    const f = { ...empty, attemptsByBucket: [bucket('a', 3, { invite: 3 }), bucket('b', 3, { invite: 2 }), bucket('c', 4, { invite: 4 }), bucket('ok', 5)] }
    expect(findNetworkTimeouts(f)).toEqual([expect.objectContaining({ kind: 'OwnNetworkDown', scope: { side: 'switch' }, evidence: expect.objectContaining({ gatewaysTimingOut: ['a', 'b', 'c'], gatewaysWithAttempts: 4 }) })])
    expect(findNetworkTimeouts({ ...f, attemptsByBucket: [...f.attemptsByBucket, bucket('d', 3), bucket('e', 3)] }).map((x) => x.kind)).toEqual([])
  })

  it('names the full vendor and its prefix for AllGatewayBusy, and the customer for CallLimitExceeded', () => {
    const busy = (routingGatewayId: string, calls: number, hourMs = 0) => ({ hourMs, reason: 'AllGatewayBusy', routingGatewayId, skip: 'lineLimit' as const, matchedPrefix: '4930', calls })
    const found = findCapacityExhausted({ ...empty, skippedByGateway: [busy('rgw_full', 9), busy('rgw_full', 3, 3_600_000), busy('rgw_other', 3)], callLimitByMappingGateway: [{ mappingGatewayId: 'mgw_big', calls: 12 }] })
    expect(found.map((x) => [x.scope, x.evidence.allGatewayBusyCalls ?? x.evidence.callLimitExceededCalls])).toEqual([
      [{ routingGatewayId: 'rgw_full', prefix: '4930' }, 12], [{ mappingGatewayId: 'mgw_big' }, 12],
    ])
    expect(found[0]!.evidence.peakHours).toEqual(['1970-01-01T00:00:00.000Z'])
  })

  it('reports a vendor under the clearing limit, critical once calls were skipped for it', () => {
    const f = { ...empty, clearingLimit: 10, routingGateways: [{ id: 'rgw_poor', clearingAccountId: 'acc_v', optionsCheck: false }], clearingAccounts: [{ id: 'acc_v', balance: 2, status: 'normal' }] }
    expect(findVendorBalanceLow(f).map((x) => x.severity)).toEqual(['warning'])
    const skipped = [{ hourMs: 0, reason: 'AccountBalanceNotEnough', routingGatewayId: 'rgw_poor', skip: 'clearingBalanceLow' as const, matchedPrefix: '44', calls: 3 }]
    expect(findVendorBalanceLow({ ...f, skippedByGateway: skipped })).toEqual([expect.objectContaining({
      severity: 'critical', scope: { routingGatewayId: 'rgw_poor', clearingAccountId: 'acc_v' }, evidence: expect.objectContaining({ accountBalanceNotEnoughCalls: 3, prefixes: ['44'] }),
    })])
  })

  it('tells NAT from credentials by the refusal reason, and names the gateway and the source', () => {
    const gateways = [{ id: 'mgw_nat', authMode: 'ip_port', ips: ['192.0.2.7'], port: 5060 }, { id: 'mgw_pw', authMode: 'password', ips: [], port: null }]
    const nat = refusal({ mappingGatewayId: 'mgw_nat', reason: 'ip_port_mismatch', attempts: NAT_MIN_REFUSALS, distinctPorts: 3, topPort: 40_001, distinctUsers: 0 })
    const wrong = refusal({ mappingGatewayId: 'mgw_pw', sourceIp: '198.51.100.3', attempts: CREDENTIAL_MIN_REFUSALS })
    expect(findAuthFailures({ ...empty, mappingGateways: gateways, refusals: [nat, wrong] }).map((x) => [x.kind, x.scope, x.evidence.mostUsedPort ?? x.evidence.refusedAttempts])).toEqual([
      ['AuthFailuresBehindNat', { mappingGatewayId: 'mgw_nat', sourceIp: '192.0.2.7' }, 40_001],
      ['CredentialMismatch', { mappingGatewayId: 'mgw_pw', sourceIp: '198.51.100.3' }, CREDENTIAL_MIN_REFUSALS],
    ])
    expect(findAuthFailures({ ...empty, mappingGateways: gateways, refusals: [{ ...nat, attempts: NAT_MIN_REFUSALS - 1 }] })).toEqual([])
  })

  it('calls a source trying three usernames an attack, not a credential mismatch, and says whether it is banned', () => {
    const guesses = [
      refusal({ mappingGatewayId: 'mgw_pw', attempts: 2 }), refusal({ reason: 'unknown_user', attempts: ATTACK_MIN_REFUSALS - 2, distinctUsers: 2 }),
    ]
    const f = { ...empty, refusals: guesses }
    expect(findAuthenticationAttacks(f)).toEqual([expect.objectContaining({
      kind: 'AuthenticationAttack', severity: 'critical', scope: { sourceIp: '192.0.2.7' }, evidence: expect.objectContaining({ usernamesTried: 3, refusedAttempts: ATTACK_MIN_REFUSALS, ban: null }),
    })])
    const banned = { ...f, sourceBans: [{ cidr: '192.0.2.7/32', origin: 'core', reason: 'auth_failures', offences: 1, expiresAtMs: 10_000 }] }
    expect(findAuthenticationAttacks(banned)[0]).toMatchObject({ severity: 'warning', evidence: { ban: { reason: 'auth_failures', offences: 1 } } })
    expect(findAuthFailures({ ...f, refusals: [...guesses, refusal({ mappingGatewayId: 'mgw_pw', attempts: 10 })] })).toEqual([])
    expect(findAuthenticationAttacks({ ...f, refusals: [refusal({ reason: 'unknown_user', attempts: 20, distinctUsers: 2 })] })).toEqual([])
  })

  it('calls many sources guessing one username, or a locked username, an attack on that gateway', () => {
    const on = (sources: number, userLocked = 0) => findAuthenticationAttacks({ ...empty, refusalsByGateway: [{ mappingGatewayId: 'mgw_pw', sources, folded: false, attempts: 40, userLocked }] })
    expect(on(ATTACK_MIN_SOURCES - 1)).toEqual([])
    expect(on(ATTACK_MIN_SOURCES).map((x) => x.scope)).toEqual([{ mappingGatewayId: 'mgw_pw' }])
    expect(on(1, 3).map((x) => x.evidence.userLockedRefusals)).toEqual([3])
  })

  it('reports one-way audio on the side that sent nothing: the vendor for a silent callee, the customer for a silent caller', () => {
    const media = [
      { routingGatewayId: 'rgw_mute', mappingGatewayId: 'mgw_a', relayed: 10, calleeSilent: 6, callerSilent: 0 },
      { routingGatewayId: 'rgw_ok', mappingGatewayId: 'mgw_b', relayed: 30, calleeSilent: 1, callerSilent: 8 },
    ]
    expect(findOneWayAudio({ mediaByGateway: media }).map((x) => [x.scope, x.severity, x.evidence.silentSide])).toEqual([
      [{ routingGatewayId: 'rgw_mute' }, 'critical', 'callee'], [{ mappingGatewayId: 'mgw_b' }, 'warning', 'caller'],
    ])
    expect(findOneWayAudio({ mediaByGateway: [{ routingGatewayId: 'big', mappingGatewayId: null, relayed: 100, calleeSilent: 19, callerSilent: 0 }] })).toEqual([])
  })

  it('reports false answer supervision from FAS_MIN_SHORT_CALLS short answers in one bucket when they are at least half its answers', () => {
    const at = (short: number, answered: number) =>
      findFalseAnswerSupervision({ ...empty, answeredByBucket: [{ routingGatewayId: 'g', bucketMs: 0, answered, short, shortAvgPddMs: null }] }).map((x) => x.severity)
    expect(at(FAS_MIN_SHORT_CALLS - 1, FAS_MIN_SHORT_CALLS - 1)).toEqual([])
    expect(at(FAS_MIN_SHORT_CALLS, 2 * FAS_MIN_SHORT_CALLS + 1)).toEqual([])
    expect(at(FAS_MIN_SHORT_CALLS, 2 * FAS_MIN_SHORT_CALLS)).toEqual(['warning'])
    expect(at(16, 20)).toEqual(['critical'])
  })

  it('reports loss routes from LOSS_MIN_CALLS answered calls at a loss, critical from a fifth of the rated answers', () => {
    const at = (lossCalls: number, answered: number) =>
      findLossRoutes({ ...empty, lossByGateway: [{ routingGatewayId: 'g', answered, lossCalls, loss: lossCalls * 0.1 }] }).map((x) => x.severity)
    expect(at(LOSS_MIN_CALLS - 1, 10)).toEqual([])
    expect(at(LOSS_MIN_CALLS, 100)).toEqual(['warning'])
    expect(at(LOSS_MIN_CALLS, 15)).toEqual(['critical'])
  })

  it('reports an account calling a new costly destination, critical once one was answered', () => {
    const d = { accountId: 'acc_1', prefix: '882', pricePerMinute: 2, medianPricePerMinute: 0.02, calls: NEW_DEST_MIN_CALLS, answered: 0, cost: 0, firstAtMs: 0 }
    expect(findNewCostlyDestinations({ newCostlyDestinations: [d] })).toEqual([expect.objectContaining({ severity: 'warning', scope: { accountId: 'acc_1', prefix: '882' }, evidence: expect.objectContaining({ priceFactor: 100 }) })])
    expect(findNewCostlyDestinations({ newCostlyDestinations: [{ ...d, answered: 2, cost: 4 }] })[0]!.severity).toBe('critical')
  })

  it('reports the window\'s bans no other finding explains: a customer\'s address on its own, strangers together, critical for a campaign', () => {
    const ban = (cidr: string, offences: number, reason = 'auth_failures') => ({ cidr, reason, offences, expiresAtMs: 2_000_000, updatedAtMs: 1_000_000 })
    const f = { ...empty, bans: [ban('203.0.113.5/32', 1), ban('203.0.113.6/32', 3, 'request_flood'), ban('192.0.2.10/32', 1), ban('203.0.113.9/32', 1)], mappingGateways: [{ id: 'mg1', authMode: 'password', ips: ['192.0.2.10'], port: null }] }
    const found = findSourceBans(f, new Set(['203.0.113.9']))
    expect(found.map((x) => [x.severity, x.scope])).toEqual([
      ['critical', { mappingGatewayId: 'mg1', sourceIp: '192.0.2.10' }], ['warning', { sourceIps: ['203.0.113.6', '203.0.113.5'] }],
    ])
    expect(found[1]!.evidence).toMatchObject({ bans: 2, byReason: { auth_failures: 1, request_flood: 1 } })
    expect(findSourceBans({ ...empty, bans: Array.from({ length: 25 }, (_, i) => ban(`198.51.100.${i}/32`, 1)) })[0]!.severity).toBe('critical')
    expect(findSourceBans(empty)).toEqual([])
  })
})
