// RFC 3262 §7.1/§7.2: RSeq and RAck values as peers write them, and the malformed ones refused.
import { describe, expect, it } from 'vitest'
import { parseRAck, parseRSeq } from './rack.js'

describe('RSeq', () => {
  it('reads a positive 32-bit number and refuses zero, signs, garbage and overflow', () => {
    expect(parseRSeq(' 988789 ')).toBe(988789)
    expect(parseRSeq('4294967295')).toBe(4294967295)
    for (const bad of ['0', '-1', '12a', '', '4294967296', undefined]) expect(parseRSeq(bad)).toBeUndefined()
  })
})

describe('RAck', () => {
  it('reads response-num, CSeq number and method', () => {
    expect(parseRAck('776656 1 INVITE')).toEqual({ rseq: 776656, cseq: 1, method: 'INVITE' })
    expect(parseRAck('  5\t2   INVITE ')).toEqual({ rseq: 5, cseq: 2, method: 'INVITE' })
  })

  it('refuses a value without all three parts or with a zero RSeq', () => {
    for (const bad of ['776656 1', '776656INVITE', '0 1 INVITE', 'x 1 INVITE', '1 x INVITE', '', undefined]) expect(parseRAck(bad)).toBeUndefined()
  })
})
