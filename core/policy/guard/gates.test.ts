// The screen's gates over a real transaction layer: stateless 403 and 407 once per request received (retransmissions included) and no transaction left, silence with replies off, a guesser banned and then ignored, pike, and the per-source transaction cap.
import { describe, expect, it } from 'vitest'
import type { ConfigSnapshot } from '../../config/snapshot.js'
import { request, uaStack } from '../../sip/ua/test-support/ua-stack.js'
import { isStatelessTag } from '../../sip/message/build.js'
import type { SipResponse } from '../../sip/message/message.js'
import { credentialsFor, mappingGateway, policySnapshot } from '../test-support/policy-inputs.js'
import { AuthRefusalFanout, type AuthRefusal } from './auth-refusals.js'
import { BlacklistGate, IngressAuthGate, PikeGate, SourceTransactionsGate } from './gates.js'
import { IngressAuth } from './ingress-auth.js'
import { SourceGuard } from './source-guard.js'

const IP_ONLY = [mappingGateway('mgIp', { authMode: 'ip', ips: ['192.0.2.10'] })]

function stack(over: Parameters<typeof policySnapshot>[0] = {}) {
  const config = { current: policySnapshot(over) as ConfigSnapshot }
  const events: AuthRefusal[] = []
  let layerRef: { serverTransactionsFrom(a: string): number } | undefined
  const s = uaStack((router, metrics) => {
    const guard = new SourceGuard({ config, metrics })
    const refusals = new AuthRefusalFanout()
    refusals.add(guard)
    refusals.add({ onAuthRefused: (e) => events.push(e) })
    const auth = new IngressAuth({ metrics, guard, refusals })
    const clock = { now: () => s.clock.now() + 1_000_000 }
    router.addGate(new BlacklistGate(config, guard, clock as never))
    router.addGate(new PikeGate(config, guard, clock as never))
    router.addGate(new SourceTransactionsGate(config, guard, { serverTransactionsFrom: (a) => layerRef!.serverTransactionsFrom(a) }))
    router.addGate(new IngressAuthGate(config, auth, guard, clock as never, null))
  })
  layerRef = s.layer
  return { ...s, config, events }
}

/** An INVITE from the peer with its own branch and Call-ID, optionally carrying credentials. */
function invite(n: number, authorization?: string): string {
  const text = request('INVITE', { branch: `z9hG4bKg${n}` }).replace('Call-ID: b2b-1@127.0.0.2', `Call-ID: g${n}@127.0.0.2`)
  return authorization === undefined ? text : text.replace('Content-Length: 0', `Proxy-Authorization: ${authorization}\nContent-Length: 0`)
}

describe('screen gates', () => {
  it('answers an unknown source\'s INVITE with one stateless 403 per request received, retransmissions included, and keeps no transaction', () => {
    const s = stack({ mappingGateways: IP_ONLY })
    for (let i = 0; i < 3; i++) s.send(invite(1))
    s.send(invite(2))
    s.clock.advance(40_000)
    expect(s.statuses()).toEqual([403, 403, 403, 403])
    expect(s.layer.size).toBe(0)
    expect(s.events.map((e) => [e.reason, e.sourceIp])).toEqual(Array(4).fill(['unknown_source', '127.0.0.2']))
  })

  it('answers nothing at all with SS_REPLY_UNAUTHORIZED off, OPTIONS from the unknown source included', () => {
    const s = stack({ mappingGateways: IP_ONLY, parameters: { SS_REPLY_UNAUTHORIZED: false } })
    s.send(invite(1))
    s.send(request('OPTIONS'))
    s.clock.advance(40_000)
    expect(s.got).toEqual([])
    expect(s.layer.size).toBe(0)
  })

  it('challenges statelessly (one 407 per request, no Timer G), and bans a guesser at SS_AUTH_FAIL_LIMIT wrong passwords: silence after', () => {
    const s = stack({ parameters: { SS_AUTH_FAIL_LIMIT: 3 } })
    s.send(invite(1))
    s.clock.advance(1)
    expect(s.statuses()).toEqual([407])
    const challenge = (s.got[0]!.msg as SipResponse).headers.first('proxy-authenticate')!
    s.clock.advance(40_000)
    expect(s.statuses()).toEqual([407])
    expect(s.layer.size).toBe(0)
    for (let i = 0; i < 5; i++) {
      s.send(invite(10 + i, credentialsFor(challenge, { username: 'alice', password: `guess${i}`, algorithm: 'SHA-256', uri: 'sip:127.0.0.1:5060', nc: `0000000${i + 1}` })))
    }
    s.clock.advance(1)
    expect(s.statuses()).toEqual([407, 403, 403, 403])
    expect(s.events.map((e) => e.reason)).toEqual(['wrong_password', 'wrong_password', 'wrong_password'])
    expect(s.metrics.get('sip_screened_requests_total')?.get('blacklist', 'drop')).toBe(2)
    expect(s.metrics.get('security_bans_total')?.get('auth_failures')).toBe(1)
    expect(s.layer.size).toBe(0)
  })

  it('absorbs the ACK of a stateless 407 by its To tag alone: it never reaches the screen or the dialogs', () => {
    const s = stack()
    s.send(invite(1))
    s.clock.advance(1)
    expect(s.statuses()).toEqual([407])
    const toTag = (s.got[0]!.msg as SipResponse).to!.tag!
    expect(isStatelessTag(toTag)).toBe(true)
    s.send(request('ACK', { branch: 'z9hG4bKg1', toTag }).replace('Call-ID: b2b-1@127.0.0.2', 'Call-ID: g1@127.0.0.2'))
    s.clock.advance(1)
    expect(s.metrics.get('sip_stateless_acks_total')?.get()).toBe(1)
    expect(s.metrics.get('sip_acks_ignored_total')?.get()).toBe(0)
    expect(s.statuses()).toEqual([407])
    expect(s.layer.size).toBe(0)
  })

  it('challenges an IP+port gateway\'s address arriving from another port once a password gateway exists, and refuses it as ip_port_mismatch naming that gateway', () => {
    const s = stack({
      mappingGateways: [
        mappingGateway('mgNat', { authMode: 'ip_port', ips: ['127.0.0.2'], port: 1 }),
        mappingGateway('mgPw', { authMode: 'password', username: 'alice', password: 'secret' }),
      ],
      parameters: { SS_AUTH_FAIL_LIMIT: 2 },
    })
    for (let i = 0; i < 3; i++) s.send(invite(i))
    s.clock.advance(1)
    expect(s.statuses()).toEqual([407, 407, 407])
    expect(s.events.map((e) => [e.reason, e.mappingGatewayId, e.sourceIp])).toEqual(Array(3).fill(['ip_port_mismatch', 'mgNat', '127.0.0.2']))
    // The address is configured on a gateway: never banned for it.
    expect(s.metrics.get('security_bans_total')?.get('auth_failures') ?? 0).toBe(0)
  })

  it('lets a gateway\'s own INVITE through to a server transaction', () => {
    const s = stack({ mappingGateways: [mappingGateway('mgLocal', { authMode: 'ip', ips: ['127.0.0.2'] })] })
    s.send(invite(1))
    s.clock.advance(1)
    expect(s.statuses()).toEqual([100, 501])
    expect(s.layer.size).toBe(1)
  })

  it('drops an unknown source past SS_PIKE_BURST requests and bans it', () => {
    const s = stack({ mappingGateways: IP_ONLY, parameters: { SS_PIKE_RATE: 1, SS_PIKE_BURST: 5 } })
    for (let i = 0; i < 8; i++) s.send(invite(i))
    s.clock.advance(1)
    expect(s.statuses()).toEqual([403, 403, 403, 403, 403])
    expect(s.metrics.get('security_bans_total')?.get('request_flood')).toBe(1)
    expect(s.metrics.get('sip_screened_requests_total')?.get('pike', 'drop')).toBe(1)
    expect(s.metrics.get('sip_screened_requests_total')?.get('blacklist', 'drop')).toBe(2)
  })

  it('caps the server transactions one unknown source holds at SS_MAX_TRANSACTIONS_PER_SOURCE', () => {
    const s = stack({ mappingGateways: IP_ONLY, parameters: { SS_MAX_TRANSACTIONS_PER_SOURCE: 3 } })
    for (let i = 0; i < 5; i++) s.send(request('OPTIONS', { branch: `z9hG4bKo${i}` }).replace('CSeq: 1', `CSeq: ${i + 1}`))
    s.clock.advance(1)
    expect(s.statuses()).toEqual([200, 200, 200])
    expect(s.layer.serverTransactionsFrom('127.0.0.2')).toBe(3)
    s.clock.advance(40_000)
    expect(s.layer.serverTransactionsFrom('127.0.0.2')).toBe(0)
    s.send(request('OPTIONS', { branch: 'z9hG4bKo9' }))
    s.clock.advance(1)
    expect(s.statuses()).toEqual([200, 200, 200, 200])
  })
})
