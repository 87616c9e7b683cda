// CSeq: RFC 3261 §20.16 and §8.1.1.5 (32-bit sequence number).
import { describe, expect, it } from 'vitest'
import { parseCSeq } from './cseq.js'

describe('parseCSeq', () => {
  it('parses number and method with extra LWS and leading zeros', () => {
    expect(parseCSeq(' 0009   INVITE ')).toEqual({ seq: 9, method: 'INVITE' })
  })

  it('rejects overlarge numbers, missing methods and non-token methods', () => {
    for (const v of ['4294967296 INVITE', '36893488147419103232 REGISTER', '1', 'INVITE', '1 IN VITE', '-1 BYE']) expect(parseCSeq(v)).toBeUndefined()
  })
})
