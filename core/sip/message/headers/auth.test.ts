// Digest challenge/credentials syntax: RFC 3261 §20.7, §20.44, §25.1; RFC 7616 §3.3-§3.4 quoting.
import { describe, expect, it } from 'vitest'
import { formatAuthHeader, parseAuthHeader } from './auth.js'

describe('parseAuthHeader', () => {
  it('parses a Digest challenge with quoted values containing commas', () => {
    expect(parseAuthHeader('Digest realm="a, b", nonce="n1", qop="auth,auth-int", algorithm=SHA-256, stale=FALSE')).toEqual({
      scheme: 'Digest',
      params: new Map([['realm', 'a, b'], ['nonce', 'n1'], ['qop', 'auth,auth-int'], ['algorithm', 'SHA-256'], ['stale', 'FALSE']]),
    })
  })

  it('parses unknown schemes and rejects broken syntax', () => {
    expect(parseAuthHeader('NoOneKnowsThisScheme opaque-data=here')?.scheme).toBe('NoOneKnowsThisScheme')
    for (const v of ['Digest realm', 'Digest realm="x', 'Digest ,', '']) expect(parseAuthHeader(v)).toBeUndefined()
  })

  it('formats credentials with quoted strings and bare tokens, and parses them back', () => {
    const h = { scheme: 'Digest', params: new Map([['username', 'bob'], ['realm', 'r'], ['nc', '00000001'], ['response', 'ab"c']]) }
    const s = formatAuthHeader(h)
    expect(s).toBe('Digest username="bob", realm="r", nc=00000001, response="ab\\"c"')
    expect(parseAuthHeader(s)).toEqual(h)
  })
})
