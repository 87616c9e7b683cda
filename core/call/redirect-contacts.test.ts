// RFC 3261 §8.1.3.4/§21.3: a 3xx's Contacts in q order, their number, host, port and transport, and the ones a call cannot use.
import { describe, expect, it } from 'vitest'
import { buildResponse } from '../sip/message/build.js'
import { makeStack, outgoing } from '../sip/transaction/test-support/loop-stack.js'
import { redirectChoices } from './redirect-contacts.js'

function redirect(...contacts: string[]) {
  return buildResponse(outgoing(makeStack(), 'INVITE'), 302, { toTag: 'b', headers: contacts.map((c) => ['Contact', c] as [string, string]) })
}

describe('redirectChoices', () => {
  it('orders by q (absent = 1), keeps the listed order among equals, and reads number, host, port and transport', () => {
    const r = redirect('<sip:111@10.0.0.1:5070>;q=0.5', '<sip:222@10.0.0.2;transport=tcp>, <sips:333@[2001:db8::1]:5071>;q=0.9', '<sip:10.0.0.4>;q=1.0')
    expect(redirectChoices(r).map((c) => c.contact)).toEqual([
      { user: '222', host: '10.0.0.2', port: null, transport: 'tcp' },
      { user: null, host: '10.0.0.4', port: null, transport: null },
      { user: '333', host: '2001:db8::1', port: 5071, transport: 'tls' },
      { user: '111', host: '10.0.0.1', port: 5070, transport: null },
    ])
  })

  it('gives no usable contact for tel: URIs or unknown transports, and nothing for a 3xx without Contact', () => {
    const r = redirect('<tel:+4930123>', '<sip:1@10.0.0.1;transport=sctp>')
    expect(redirectChoices(r)).toEqual([{ uri: 'tel:+4930123', contact: null }, { uri: 'sip:1@10.0.0.1;transport=sctp', contact: null }])
    expect(redirectChoices(redirect())).toEqual([])
  })
})
