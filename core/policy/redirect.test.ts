// Which 3xx Contacts a call may follow: SS_REDIRECT_FOLLOW_TARGETS gateways (only an unlocked static routing gateway's address, sent as that gateway) and any (an IP address, as the redirecting gateway); never a bad number or a host name.
import { describe, expect, it } from 'vitest'
import type { RouteTarget } from '../call/ports.js'
import { redirectTarget } from './redirect.js'
import { policySnapshot, routingGateway } from './test-support/policy-inputs.js'

const FROM: RouteTarget = {
  routingGatewayId: 'rg1', priority: 1, matchedPrefix: '49', protectRoute: false, calleeOut: '4930123', callerOut: '100',
  host: '198.51.100.1', port: 5060, transport: 'udp', switchUntilConnect: true, stopSwitchingCodes: [], mediaProxy: false, groupId: null,
}

const GATEWAYS = [
  routingGateway('rg1'),
  routingGateway('rg2', { host: '198.51.100.2', port: 5070, transport: 'tcp', mediaProxy: true }),
  routingGateway('rgLocked', { host: '198.51.100.3', lockType: 'bar_all' }),
]

describe('redirectTarget', () => {
  it('gateways (default): follows to a configured gateway\'s address as that gateway, with the Contact\'s number', () => {
    const snap = policySnapshot({ routingGateways: GATEWAYS })
    expect(redirectTarget(snap, { user: '777', host: '198.51.100.2', port: 5070, transport: null }, FROM)).toMatchObject({
      routingGatewayId: 'rg2', host: '198.51.100.2', port: 5070, transport: 'tcp', calleeOut: '777', callerOut: '100', mediaProxy: true,
    })
    // No user part: the number stays the one sent to the redirecting gateway.
    expect(redirectTarget(snap, { user: null, host: '198.51.100.2', port: 5070, transport: null }, FROM)?.calleeOut).toBe('4930123')
  })

  it('gateways: refuses an unknown address, a wrong port, a locked gateway and a number that is not one', () => {
    const snap = policySnapshot({ routingGateways: GATEWAYS })
    expect(redirectTarget(snap, { user: '1', host: '203.0.113.9', port: null, transport: null }, FROM)).toBeNull()
    expect(redirectTarget(snap, { user: '1', host: '198.51.100.2', port: 5060, transport: null }, FROM)).toBeNull()
    expect(redirectTarget(snap, { user: '1', host: '198.51.100.3', port: null, transport: null }, FROM)).toBeNull()
    expect(redirectTarget(snap, { user: '1;evil', host: '198.51.100.2', port: 5070, transport: null }, FROM)).toBeNull()
  })

  it('any: follows to an IP address as the redirecting gateway (its id and rules), never to a host name', () => {
    const snap = policySnapshot({ routingGateways: GATEWAYS, parameters: { SS_REDIRECT_FOLLOW_TARGETS: 'any' } })
    expect(redirectTarget(snap, { user: '555', host: '203.0.113.9', port: null, transport: 'tls' }, { ...FROM, nextHop: { address: '10.0.0.1', port: 5060, family: 'IPv4' } })).toEqual({
      ...FROM, host: '203.0.113.9', port: 5061, transport: 'tls', calleeOut: '555',
    })
    expect(redirectTarget(snap, { user: '555', host: 'evil.example', port: null, transport: null }, FROM)).toBeNull()
  })
})
