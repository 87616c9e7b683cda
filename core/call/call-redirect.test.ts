// A vendor's 3xx through the B2BUA on the loop network, per SS_REDIRECT_MODE: failover (a failure; the caller never gets a 3xx without its Contact), relay (the 3xx with its Contact, GatewayRedirected) and follow (allowed Contacts in q order as attempts of their own, bounded by SS_REDIRECT_MAX_FOLLOW), each named in the CDR.
import { describe, expect, it } from 'vitest'
import { CLEAN, callBench, SDP_B, target } from './test-support/call-harness.js'

const CONTACTS: Array<[string, string]> = [['Contact', '<sip:888@10.9.9.9:5060>;q=0.4, <sip:777@127.0.0.4:5080>;q=0.7']]

/** A follow policy that allows the address of gw2 (127.0.0.4:5080) only, sending on the Contact's number. */
function allowGw2(s: ReturnType<typeof callBench>): void {
  s.controller.redirectTo = (c) => (c.host === '127.0.0.4' && c.port === 5080 ? target('gw2', '127.0.0.4', { calleeOut: c.user ?? '0' }) : null)
}

describe('Call with a vendor redirect (3xx)', () => {
  it('failover (the default): the 302 is a failure, the next gateway is tried, and a last 3xx reaches the caller as 480, never without its Contact', () => {
    const s = callBench([target('gw1', '127.0.0.3'), target('gw2', '127.0.0.4')])
    s.caller.invite()
    s.settle()
    const b1 = s.gw1.last('INVITE')
    const r1 = s.gw1.reply(b1, 302, { headers: CONTACTS })
    s.gw1.ackNon2xx(b1, r1)
    s.settle()
    const b2 = s.gw2.last('INVITE')
    expect(b2.uri).toBe('sip:0049301234@127.0.0.4:5080')
    const r2 = s.gw2.reply(b2, 302, { headers: [['Contact', '<sip:1@10.1.1.1>']] })
    s.gw2.ackNon2xx(b2, r2)
    s.settle()
    expect(s.caller.statuses()).toEqual([100, 480])
    const cdr = s.observer.ended[0]!
    expect(cdr).toMatchObject({ terminationReason: 'GatewayRejected', sipCode: 480 })
    expect(cdr.attempts.map((a) => `${a.routingGatewayId}:${a.sipCode}:${a.reason}`)).toEqual(['gw1:302:GatewayRejected', 'gw2:302:GatewayRejected'])
    expect(cdr.notes.join('\n')).toContain('routing gateway gw1 redirected (302) to sip:888@10.9.9.9:5060, sip:777@127.0.0.4:5080: taken as a failure')
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('relay: the 302 goes to the caller with the vendor\'s Contact, no other gateway is tried, CDR GatewayRedirected', () => {
    const s = callBench([target('gw1', '127.0.0.3'), target('gw2', '127.0.0.4')], { SS_REDIRECT_MODE: 'relay' })
    const invite = s.caller.invite()
    s.settle()
    const b1 = s.gw1.last('INVITE')
    s.gw1.ackNon2xx(b1, s.gw1.reply(b1, 302, { headers: CONTACTS, reason: 'Moved Temporarily' }))
    s.settle()
    const res = s.caller.responses('INVITE').at(-1)!
    expect(res.status).toBe(302)
    expect(res.reason).toBe('Moved Temporarily')
    expect(res.contacts?.map((c) => c.uri)).toEqual(['sip:888@10.9.9.9:5060', 'sip:777@127.0.0.4:5080'])
    s.caller.ackNon2xx(invite, res)
    expect(s.gw2.requests('INVITE')).toHaveLength(0)
    const cdr = s.observer.ended[0]!
    expect(cdr).toMatchObject({ terminationReason: 'GatewayRedirected', sipCode: 302, endedBy: 'callee' })
    expect(cdr.attempts.map((a) => `${a.routingGatewayId}:${a.sipCode}:${a.reason}`)).toEqual(['gw1:302:GatewayRedirected'])
    expect(cdr.notes.join('\n')).toContain('relayed to the caller')
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('follow: the allowed Contact is tried with its number as the next attempt and answers; the refused one is named in the CDR', () => {
    const s = callBench([target('gw1', '127.0.0.3'), target('gw3', '127.0.0.5')], { SS_REDIRECT_MODE: 'follow' })
    allowGw2(s)
    const invite = s.caller.invite()
    s.settle()
    const b1 = s.gw1.last('INVITE')
    s.gw1.ackNon2xx(b1, s.gw1.reply(b1, 302, { headers: CONTACTS }))
    s.settle()
    // The redirect target comes before the rest of the route (gw3).
    const b2 = s.gw2.last('INVITE')
    expect(b2.uri).toBe('sip:777@127.0.0.4:5080')
    expect(s.gw3.requests('INVITE')).toHaveLength(0)
    s.gw2.reply(b2, 200, { sdp: SDP_B })
    s.settle()
    const ok = s.caller.responses('INVITE').find((r) => r.status === 200)!
    s.caller.inDialog('ACK', { req: invite, res: ok, asUac: true })
    s.caller.inDialog('BYE', { req: invite, res: ok, asUac: true })
    s.settle()
    s.gw2.reply(s.gw2.last('BYE'), 200)
    const cdr = s.observer.ended[0]!
    expect(cdr).toMatchObject({ terminationReason: 'CallerHangup', routingGatewayId: 'gw2', calleeOut: '777' })
    expect(cdr.attempts.map((a) => `${a.routingGatewayId}:${a.sipCode}:${a.reason}`)).toEqual(['gw1:302:GatewayRedirected', 'gw2:200:CallerHangup'])
    expect(cdr.notes.join('\n')).toContain('following 777@gw2; not allowed (SS_REDIRECT_FOLLOW_TARGETS gateways): sip:888@10.9.9.9:5060')
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('follow: stops at SS_REDIRECT_MAX_FOLLOW (a redirect loop is not followed again) and goes on with the route', () => {
    const s = callBench([target('gw1', '127.0.0.3'), target('gw3', '127.0.0.5')], { SS_REDIRECT_MODE: 'follow', SS_REDIRECT_MAX_FOLLOW: 1 })
    allowGw2(s)
    s.caller.invite()
    s.settle()
    const b1 = s.gw1.last('INVITE')
    s.gw1.ackNon2xx(b1, s.gw1.reply(b1, 302, { headers: [['Contact', '<sip:777@127.0.0.4:5080>']] }))
    s.settle()
    const b2 = s.gw2.last('INVITE')
    s.gw2.ackNon2xx(b2, s.gw2.reply(b2, 302, { headers: [['Contact', '<sip:777@127.0.0.4:5080>']] }))
    s.settle()
    expect(s.gw2.requests('INVITE')).toHaveLength(1)
    const b3 = s.gw3.last('INVITE')
    s.gw3.ackNon2xx(b3, s.gw3.reply(b3, 486))
    s.settle()
    expect(s.caller.statuses()).toEqual([100, 486])
    const cdr = s.observer.ended[0]!
    expect(cdr.attempts.map((a) => `${a.routingGatewayId}:${a.sipCode}:${a.reason}`)).toEqual(['gw1:302:GatewayRedirected', 'gw2:302:GatewayRedirected', 'gw3:486:GatewayRejected'])
    expect(cdr.notes.join('\n')).toContain('1 over SS_REDIRECT_MAX_FOLLOW')
    expect(s.leftovers()).toEqual(CLEAN)
  })
})
