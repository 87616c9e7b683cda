// The pure diagnosis rules at their thresholds: no-route prefix concentration, capacity minimum, timeout share and the NAT/credential split.
import { describe, expect, it } from 'vitest'
import { CAPACITY_MIN_CALLS, diagnose, findNoRouteForPrefix, NO_ROUTE_MIN_CALLS } from './diagnose.js'
import { FAS_MIN_SHORT_CALLS, findFalseAnswerSupervision, findLossRoutes, LOSS_MIN_CALLS } from './diagnose-money.js'
import type { DiagnosisFacts } from './finding.js'
import { AUTH_MIN_FAILURES, findAuthFailures, findNetworkTimeouts, UNREACHABLE_MIN_ATTEMPTS } from './diagnose-network.js'
import { findSourceBans } from './diagnose-security.js'

const empty: DiagnosisFacts = {
  calls: 1000, reasonsByHour: [], noRouteByCallee: [], callLimitByMappingGateway: [], attemptsByBucket: [], pddByGateway: [],
  authFailuresBySource: [], routingGateways: [], clearingAccounts: [], clearingLimit: 0, mappingGateways: [], gatewayStatus: [], bans: [],
  answeredByBucket: [], shortExamples: [], lossByGateway: [], lossExamples: [],
}

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
      reasonsByHour: [{ hourMs: 0, reason: 'AllGatewayBusy', calls: CAPACITY_MIN_CALLS - 1 }],
      attemptsByBucket: [{ bucketMs: 0, routingGatewayId: 'g', attempts: UNREACHABLE_MIN_ATTEMPTS - 1, inviteTimeouts: UNREACHABLE_MIN_ATTEMPTS - 1, gatewayTimeouts: 0 }],
      authFailuresBySource: [{ sourceIp: '192.0.2.1', failures: AUTH_MIN_FAILURES - 1, distinctPorts: 9, digestFailures: 9, topPort: 1 }],
    })).toEqual([])
  })

  it('calls a gateway unreachable only when at least half its attempts time out', () => {
    const at = (inviteTimeouts: number) => findNetworkTimeouts({ ...empty, attemptsByBucket: [{ bucketMs: 0, routingGatewayId: 'g', attempts: 20, inviteTimeouts, gatewayTimeouts: 0 }] })
    expect(at(9)).toEqual([])
    expect(at(10)).toEqual([expect.objectContaining({ kind: 'GatewayUnreachable', severity: 'warning', evidence: expect.objectContaining({ optionsOnline: null }) })])
  })

  it('tells NAT from credentials by the mapping gateway that owns the source address', () => {
    const source = { sourceIp: '192.0.2.7', failures: 20, distinctPorts: 5, digestFailures: 0, topPort: 40_001 }
    const ipPort = { id: 'm1', authMode: 'ip_port', ips: ['192.0.2.7'], port: 5060 }
    expect(findAuthFailures({ ...empty, authFailuresBySource: [source], mappingGateways: [ipPort] }).map((x) => x.kind)).toEqual(['AuthFailuresBehindNat'])
    expect(findAuthFailures({ ...empty, authFailuresBySource: [source], mappingGateways: [{ ...ipPort, authMode: 'password' }] }).map((x) => x.kind)).toEqual(['CredentialMismatch'])
    expect(findAuthFailures({ ...empty, authFailuresBySource: [source] })).toEqual([])
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

  it('reports the window\'s automatic bans once, most repeated first, names a customer\'s address among them, and is critical for a campaign', () => {
    const ban = (cidr: string, offences: number, reason = 'auth_failures') => ({ cidr, reason, offences, expiresAtMs: 2_000_000, updatedAtMs: 1_000_000 })
    const f = { ...empty, bans: [ban('203.0.113.5/32', 1), ban('203.0.113.6/32', 3, 'request_flood'), ban('192.0.2.10/32', 1)], mappingGateways: [{ id: 'mg1', authMode: 'ip', ips: ['192.0.2.10'], port: null }] }
    const [finding] = findSourceBans(f)
    expect(finding).toMatchObject({ kind: 'SourcesBanned', severity: 'warning', evidence: { bans: 3, byReason: { auth_failures: 2, request_flood: 1 }, customerAddresses: ['192.0.2.10/32'] } })
    expect((finding!.evidence.sources as { cidr: string }[])[0]!.cidr).toBe('203.0.113.6/32')
    expect(findSourceBans({ ...empty, bans: Array.from({ length: 25 }, (_, i) => ban(`198.51.100.${i}/32`, 1)) })[0]!.severity).toBe('critical')
    expect(findSourceBans(empty)).toEqual([])
  })
})
