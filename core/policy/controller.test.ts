// Covers admission end to end on real snapshots: RFC 3261 §22 (401/407 challenge), RFC 7616/8760 digest, ingress authentication (docs/architecture.md), account checks, line limits and routing reasons.
import { describe, expect, it, vi } from 'vitest'
import type { Decision, RejectDecision, RouteDecision } from '../call/ports.js'
import type { ConfigSnapshot } from '../config/snapshot.js'
import { ManualClock } from '../lib/clock.js'
import { Metrics } from '../lib/metrics.js'
import { PolicyController, type PolicyControllerOptions } from './controller.js'
import { LineCounters } from './limits.js'
import type { RegisteredGateways } from './registered.js'
import {
  account, admission, credentialsFor, gatewayGroup, invite, mappingGateway, policySnapshot, routingGateway, type FixtureInput,
} from './test-support/policy-inputs.js'

const URI = 'sip:4930123@203.0.113.1'
const ALICE = { username: 'alice', password: 'secret', algorithm: 'SHA-256' as const, uri: URI }

function setup(input: FixtureInput = {}, opts: Partial<PolicyControllerOptions> = {}) {
  const clock = new ManualClock(Date.UTC(2024, 0, 3, 12)) // a Wednesday, noon UTC
  const metrics = new Metrics()
  const config = { current: policySnapshot(input) as ConfigSnapshot }
  const controller = new PolicyController({ config, metrics, random: () => 0, ...opts })
  const fromIp = (ip = '192.0.2.10', port = 5060, callee = '4930123') => controller.admit(admission(invite(URI), ip, port, clock.now(), callee))
  const withCredentials = (credentials: string, ip = '203.0.113.50') =>
    controller.admit(admission(invite(URI, [`Proxy-Authorization: ${credentials}`]), ip, 5060, clock.now()))
  const challenge = (algorithm: 'SHA-256' | 'MD5' = 'SHA-256'): string => {
    const d = controller.admit(admission(invite(URI), '203.0.113.50', 5060, clock.now()))
    if (d.kind !== 'challenge') throw new Error(`expected a challenge, got ${d.kind}`)
    return d.headers.find(([, v]) => v.includes(`algorithm=${algorithm}`))![1]
  }
  return { clock, metrics, config, controller, fromIp, withCredentials, challenge }
}

const asRoute = (d: Decision): RouteDecision => {
  if (d.kind !== 'route') throw new Error(`expected a route, got ${JSON.stringify(d)}`)
  return d
}
const ipOnly = { mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'] }), mappingGateway('mgPort', { authMode: 'ip_port', ips: ['192.0.2.20'], port: 5060 })] }
/** What the caller can observe of a refusal or challenge (CDR fields excluded). */
const onTheWire = (d: Decision) => (d.kind === 'route' ? d : { kind: d.kind, status: d.status, headers: d.headers, silent: d.kind === 'reject' ? d.silent : false })

describe('PolicyController', () => {
  describe('identification', () => {
    it('admits INVITE from a known IP with targets, account, params and the gateway fields the call needs', () => {
      const { fromIp } = setup({
        routingGateways: [routingGateway('rg1', { stopSwitchingCodes: [486], switchUntilConnect: false, mediaProxy: true, groupId: 'g1', calleeRewrite: { strip: 2, add: '0' } })],
        gatewayGroups: [gatewayGroup('g1')],
      })
      const d = asRoute(fromIp())
      expect(d).toMatchObject({ mappingGatewayId: 'mgIp', accountId: 'acc1', caller: '4921198765', callee: '4930123', maxCallDurationSec: 0, mediaProxy: false })
      expect(d.params.SS_MAX_ROUTING_ATTEMPTS).toBe(5)
      expect(d.targets).toEqual([expect.objectContaining({
        routingGatewayId: 'rg1', calleeOut: '030123', host: '198.51.100.1', port: 5060, switchUntilConnect: false, stopSwitchingCodes: [486], mediaProxy: true, groupId: 'g1',
      })])
    })

    it('rejects INVITE from unknown IP with 403', () => {
      const { fromIp, metrics } = setup(ipOnly)
      expect(fromIp('203.0.113.9')).toMatchObject({ kind: 'reject', status: 403, reason: 'AuthenticationFailed', silent: false, recordCdr: false, mappingGatewayId: null })
      expect(metrics.get('sip_unknown_source_total')?.get()).toBe(1)
    })

    it('drops INVITE from unknown IP silently when SS_REPLY_UNAUTHORIZED is off', () => {
      const { fromIp } = setup({ ...ipOnly, parameters: { SS_REPLY_UNAUTHORIZED: false } })
      expect(fromIp('203.0.113.9')).toMatchObject({ kind: 'reject', silent: true, reason: 'AuthenticationFailed' })
    })

    it('records INVITE from unknown IP in a CDR when SS_RECORD_UNKNOWN_SOURCE is on', () => {
      const { fromIp } = setup({ ...ipOnly, parameters: { SS_RECORD_UNKNOWN_SOURCE: true } })
      expect(fromIp('203.0.113.9')).toMatchObject({ kind: 'reject', recordCdr: true })
    })

    it('rejects an IP+port gateway called from another port with 403', () => {
      const { fromIp } = setup(ipOnly)
      expect(asRoute(fromIp('192.0.2.20', 5060)).mappingGatewayId).toBe('mgPort')
      expect(fromIp('192.0.2.20', 5062)).toMatchObject({ kind: 'reject', status: 403, reason: 'AuthenticationFailed' })
    })
  })

  describe('digest', () => {
    it('challenges a password gateway with MD5 and SHA-256 together, MD5 first by default', () => {
      const { controller, clock } = setup()
      const d = controller.admit(admission(invite(URI), '203.0.113.50', 5060, clock.now()))
      expect(d).toMatchObject({ kind: 'challenge', status: 407 })
      expect(d.kind === 'challenge' && d.headers.map(([n, v]) => [n, /algorithm=([\w-]+)/.exec(v)?.[1]])).toEqual([
        ['Proxy-Authenticate', 'MD5'], ['Proxy-Authenticate', 'SHA-256'],
      ])
    })

    it('challenges with 401 WWW-Authenticate when configured to', () => {
      const { controller, clock } = setup({}, { challengeStatus: 401 })
      const d = controller.admit(admission(invite(URI), '203.0.113.50', 5060, clock.now()))
      expect(d).toMatchObject({ kind: 'challenge', status: 401, headers: [['WWW-Authenticate', expect.any(String)], ['WWW-Authenticate', expect.any(String)]] })
    })

    it('routes a password gateway once it answers the challenge, with SHA-256 or MD5', () => {
      const { withCredentials, challenge } = setup()
      expect(asRoute(withCredentials(credentialsFor(challenge(), ALICE))).mappingGatewayId).toBe('mgPw')
      expect(asRoute(withCredentials(credentialsFor(challenge('MD5'), { ...ALICE, algorithm: 'MD5' }))).mappingGatewayId).toBe('mgPw')
    })

    it('answers stale=true for an expired nonce', () => {
      const { withCredentials, challenge, clock } = setup({ parameters: { SS_AUTH_NONCE_TTL: 30 } })
      const creds = credentialsFor(challenge(), ALICE)
      clock.advance(30_000)
      const d = withCredentials(creds)
      expect(d).toMatchObject({ kind: 'challenge', status: 407 })
      expect(d.kind === 'challenge' && d.headers.every(([, v]) => v.endsWith('stale=true'))).toBe(true)
    })

    it('re-challenges a replayed nonce count', () => {
      const { withCredentials, challenge } = setup()
      const creds = credentialsFor(challenge(), ALICE)
      const first = asRoute(withCredentials(creds))
      first.release()
      expect(withCredentials(creds)).toMatchObject({ kind: 'challenge', status: 407 })
    })

    it('gives a known user with a wrong password and an unknown user the same answer', () => {
      const { withCredentials, challenge } = setup()
      const wrong = withCredentials(credentialsFor(challenge(), { ...ALICE, password: 'guess' }))
      const unknown = withCredentials(credentialsFor(challenge(), { ...ALICE, username: 'mallory' }))
      expect(wrong).toMatchObject({ kind: 'reject', status: 403, reason: 'AuthenticationFailed', mappingGatewayId: 'mgPw', recordCdr: true })
      expect(unknown).toMatchObject({ kind: 'reject', mappingGatewayId: null, recordCdr: false })
      expect(onTheWire(wrong)).toEqual(onTheWire(unknown))
    })

    it('rejects credentials whose uri is not the Request-URI with 403', () => {
      const { withCredentials, challenge } = setup()
      expect(withCredentials(credentialsFor(challenge(), { ...ALICE, uri: 'sip:999@203.0.113.1' }))).toMatchObject({ kind: 'reject', status: 403 })
    })

    it('rejects right credentials from an IP the password gateway does not list with 403', () => {
      const { withCredentials, challenge } = setup({ mappingGateways: [mappingGateway('mgPw', { authMode: 'password', username: 'alice', password: 'secret', ips: ['192.0.2.40'] })] })
      expect(asRoute(withCredentials(credentialsFor(challenge(), ALICE), '192.0.2.40')).mappingGatewayId).toBe('mgPw')
      expect(withCredentials(credentialsFor(challenge(), ALICE), '192.0.2.41')).toMatchObject({ kind: 'reject', status: 403, reason: 'AuthenticationFailed' })
    })
  })

  describe('gateway and account', () => {
    it('rejects a barred mapping gateway with 403 AccountLocked', () => {
      const { fromIp } = setup({ mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'], lockType: 'bar_all' })] })
      expect(fromIp()).toMatchObject({ kind: 'reject', status: 403, reason: 'AccountLocked', mappingGatewayId: 'mgIp', accountId: 'acc1', recordCdr: true })
    })

    it('rejects a locked account with 403 AccountLocked', () => {
      const { fromIp } = setup({ accounts: [account('acc1', { status: 'locked' })] })
      expect(fromIp()).toMatchObject({ kind: 'reject', status: 403, reason: 'AccountLocked' })
    })

    it('rejects a prepaid account whose balance plus overdraft is not positive with 503 AccountBalanceNotEnough', () => {
      expect(setup({ accounts: [account('acc1', { balance: 0 })] }).fromIp()).toMatchObject({ status: 503, reason: 'AccountBalanceNotEnough' })
      expect(setup({ accounts: [account('acc1', { balance: -5, overdraftLimit: 5 })] }).fromIp()).toMatchObject({ reason: 'AccountBalanceNotEnough' })
      expect(setup({ accounts: [account('acc1', { balance: -5, overdraftLimit: 10 })] }).fromIp().kind).toBe('route')
      expect(setup({ accounts: [account('acc1', { type: 'postpaid', balance: 0 })] }).fromIp().kind).toBe('route')
    })

    it('caps the call at the shorter non-zero of SS_MAXCALLDURATION and the account limit', () => {
      expect(asRoute(setup({ parameters: { SS_MAXCALLDURATION: 3600 }, accounts: [account('acc1', { maxCallDurationSec: 600 })] }).fromIp()).maxCallDurationSec).toBe(600)
      expect(asRoute(setup({ parameters: { SS_MAXCALLDURATION: 300 }, accounts: [account('acc1', { maxCallDurationSec: 600 })] }).fromIp()).maxCallDurationSec).toBe(300)
      expect(asRoute(setup({ accounts: [account('acc1', { maxCallDurationSec: 600 })] }).fromIp()).maxCallDurationSec).toBe(600)
    })
  })

  describe('limits and routing', () => {
    it('rejects a call over the mapping gateway line limit with 503 CallLimitExceeded until a call ends', () => {
      const { fromIp } = setup({ mappingGateways: [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'], lineLimit: 1 })] })
      const first = asRoute(fromIp())
      expect(fromIp()).toMatchObject({ kind: 'reject', status: 503, reason: 'CallLimitExceeded' })
      first.release()
      first.release()
      asRoute(fromIp())
      expect(fromIp()).toMatchObject({ reason: 'CallLimitExceeded' })
    })

    it('returns AllGatewayBusy when every matching gateway is at its line limit', () => {
      const { fromIp } = setup({ routingGateways: [routingGateway('rg1', { lineLimit: 1 }), routingGateway('rg2', { lineLimit: 1, priority: 1 })] })
      const a = asRoute(fromIp())
      expect(a.acquire(a.targets[0]!)).toBe(true)
      const b = asRoute(fromIp())
      expect(b.targets.map((t) => t.routingGatewayId)).toEqual(['rg2'])
      expect(b.acquire(b.targets[0]!)).toBe(true)
      expect(fromIp()).toMatchObject({ kind: 'reject', status: 503, reason: 'AllGatewayBusy', mappingGatewayId: 'mgIp' })
      b.releaseTarget(b.targets[0]!)
      expect(asRoute(fromIp()).targets.map((t) => t.routingGatewayId)).toEqual(['rg2'])
    })

    it('returns NoAvailableRouter with 503 when no prefix matches', () => {
      const { fromIp } = setup({ routingGateways: [routingGateway('rg1', { prefixes: ['33'] })] })
      expect(fromIp()).toMatchObject({ kind: 'reject', status: 503, reason: 'NoAvailableRouter' })
    })

    it('keeps reserved group lines for their mapping gateway and answers AllGatewayBusy to the others', () => {
      const { fromIp } = setup({
        ...ipOnly,
        routingGateways: [routingGateway('rg1', { groupId: 'g1' })],
        gatewayGroups: [gatewayGroup('g1', { lineLimit: 2, reservedLines: [{ mappingGatewayId: 'mgPort', lines: 1 }] })],
      })
      const a = asRoute(fromIp())
      expect(a.acquire(a.targets[0]!)).toBe(true)
      expect(fromIp()).toMatchObject({ kind: 'reject', reason: 'AllGatewayBusy' })
      const b = asRoute(fromIp('192.0.2.20', 5060))
      expect(b.acquire(b.targets[0]!)).toBe(true)
    })

    it('routes on its line counters by the routing table index: a full gateway is skipped for lineLimit after its lines were taken', () => {
      const lines = new LineCounters()
      const byIndex = vi.spyOn(lines.live, 'gatewayCallsAt')
      const { fromIp, config } = setup({ routingGateways: [routingGateway('rg1', { lineLimit: 1 }), routingGateway('rg2', { priority: 5 })] }, { lines })
      const a = asRoute(fromIp())
      expect(a.acquire(a.targets[0]!)).toBe(true)
      const b = asRoute(fromIp())
      expect(b.targets.map((t) => t.routingGatewayId)).toEqual(['rg2'])
      expect(b.rejected).toEqual([expect.objectContaining({ routingGatewayId: 'rg1', reason: 'lineLimit' })])
      expect(byIndex).toHaveBeenCalledWith(config.current.routing)
    })

    it('skips a gateway the health source reports offline', () => {
      const health = { online: new Map([['rg1', false]]) }
      const { fromIp } = setup({ routingGateways: [routingGateway('rg1', { optionsCheck: true }), routingGateway('rg2', { priority: 5 })] }, { health })
      const d = asRoute(fromIp())
      expect(d.targets.map((t) => t.routingGatewayId)).toEqual(['rg2'])
      expect(d.rejected).toEqual([expect.objectContaining({ routingGatewayId: 'rg1', reason: 'offline' })])
    })

    it('refuses with 503 NoAvailableRouter and notes the offline gateways for the CDR when every match is offline', () => {
      const health = { online: new Map([['rg1', false]]) }
      const { fromIp } = setup({ routingGateways: [routingGateway('rg1', { optionsCheck: true })] }, { health })
      expect(fromIp()).toMatchObject({ kind: 'reject', status: 503, reason: 'NoAvailableRouter', notes: ['routing skipped rg1: offline (OPTIONS check)'] })
      health.online.set('rg1', true)
      expect(fromIp().kind).toBe('route')
    })

    it('follows group work calendars in SS_TIMEZONE', () => {
      // 12:00 UTC on a Wednesday is 21:00 in Tokyo: outside a 09:00-17:00 window there, inside it in UTC.
      const input = (zone: string): FixtureInput => ({
        parameters: { SS_TIMEZONE: zone },
        routingGateways: [routingGateway('rg1', { groupId: 'g1' })],
        gatewayGroups: [gatewayGroup('g1', { calendar: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '17:00' }] })],
      })
      expect(setup(input('UTC')).fromIp().kind).toBe('route')
      expect(setup(input('Asia/Tokyo')).fromIp()).toMatchObject({ kind: 'reject', reason: 'NoAvailableRouter' })
    })

    it('decides on the snapshot current at admit time, and a call keeps the params it was admitted with', () => {
      const { fromIp, config } = setup()
      const before = asRoute(fromIp())
      config.current = policySnapshot({ parameters: { SS_MAX_ROUTING_ATTEMPTS: 2 }, routingGateways: [routingGateway('rg1', { prefixes: ['33'] })] })
      expect((fromIp() as RejectDecision).reason).toBe('NoAvailableRouter')
      expect(before.params.SS_MAX_ROUTING_ATTEMPTS).toBe(5)
      before.release()
    })
  })

  describe('registered (dynamic) gateways', () => {
    const registered: RegisteredGateways = {
      mappingGatewayAt: (src) => (src.address === '198.51.100.77' && src.port === 40000 ? 'mgDyn' : undefined),
      reach: (id) => (id === 'rgDyn' ? { host: '10.0.0.5', port: 5070, transport: 'tcp', nextHop: { address: '198.51.100.88', port: 61000, family: 'IPv4' } } : undefined),
      registeredRouting: { has: (id) => id === 'rgDyn' },
    }
    const dynamicSetup = (routingGateways = [routingGateway('rg1')]) => setup({
      mappingGateways: [mappingGateway('mgDyn', { authMode: 'password', username: 'pbx', password: 'pw', dynamic: true })],
      routingGateways,
    }, { registered })

    it('admits a dynamic mapping gateway from the source it registered from without a challenge, and challenges it from elsewhere', () => {
      const { fromIp } = dynamicSetup()
      expect(asRoute(fromIp('198.51.100.77', 40000)).mappingGatewayId).toBe('mgDyn')
      expect(fromIp('198.51.100.77', 40001)).toMatchObject({ kind: 'challenge' })
    })

    it('sends to a dynamic routing gateway at its binding, and skips one that is not registered', () => {
      const { fromIp } = dynamicSetup([
        routingGateway('rgDyn', { host: undefined, dynamic: true, username: 'v1', password: 'x', priority: 0 }),
        routingGateway('rgGone', { host: undefined, dynamic: true, username: 'v2', password: 'y', priority: 1 }),
        routingGateway('rgStatic', { priority: 2 }),
      ])
      const d = asRoute(fromIp('198.51.100.77', 40000))
      expect(d.targets.map((t) => t.routingGatewayId)).toEqual(['rgDyn', 'rgStatic'])
      expect(d.targets[0]).toMatchObject({ host: '10.0.0.5', port: 5070, transport: 'tcp', nextHop: { address: '198.51.100.88', port: 61000 } })
      expect(d.targets[1]).not.toHaveProperty('nextHop')
      expect(d.rejected).toContainEqual(expect.objectContaining({ routingGatewayId: 'rgGone', reason: 'unregistered' }))
    })
  })
})
