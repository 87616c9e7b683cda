// In-dialog dispatch: RFC 3261 §12.2.2 (CSeq lower than the remote sequence number -> 500, unknown dialog -> 481), §11 (in-dialog OPTIONS answered by the node), §8.2.1 (501 for methods not passed across).
import { describe, expect, it } from 'vitest'
import { CLEAN, callBench } from '../test-support/call-harness.js'

describe('dispatchInDialog', () => {
  it('answers 500 to a request with a CSeq lower than the last one (§12.2.2)', () => {
    const s = callBench()
    const c = s.connect()
    s.caller.inDialog('INFO', c.a, { cseq: 10 })
    s.settle()
    s.caller.inDialog('INFO', c.a, { cseq: 5 })
    s.settle()
    expect(s.caller.statuses('INFO')).toEqual([500])
  })

  it('answers 481 to BYE for a dialog that does not exist and to a BYE after the call ended', () => {
    const s = callBench()
    const c = s.connect()
    s.caller.inDialog('BYE', c.a)
    s.settle()
    s.gw1.reply(s.gw1.last('BYE'), 200)
    s.caller.inDialog('BYE', c.a)
    s.settle()
    expect(s.caller.statuses('BYE')).toEqual([200, 481])
    expect(s.leftovers()).toEqual(CLEAN)
  })

  it('answers an in-dialog OPTIONS itself and refuses REFER with 501', () => {
    const s = callBench()
    const c = s.connect()
    s.caller.inDialog('OPTIONS', c.a)
    s.caller.inDialog('REFER', c.a)
    s.settle()
    expect(s.caller.statuses('OPTIONS')).toEqual([200])
    expect(s.caller.statuses('REFER')).toEqual([501])
    expect(s.gw1.requests('REFER')).toHaveLength(0)
  })
})
