// Digest challenge/credentials syntax: RFC 3261 §20.7, §20.44, §25.1; RFC 7616 §3.3-§3.4 quoting.
import { describe, expect, it } from 'vitest'
import { formatAuthHeader, parseAuthHeader, parseDigestCredentials } from './auth.js'

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

describe('parseDigestCredentials', () => {
  const fields = (v: string): Record<string, string | undefined> | undefined => {
    const c = parseDigestCredentials(v)
    return c === undefined ? undefined : { ...c }
  }

  it('reads the checked fields of Digest credentials, quoted or bare, whatever the case of the scheme and names', () => {
    expect(fields('digest USERNAME="bob", Realm=r, nonce="n,1", URI="sip:1@h", response="ab", cnonce="c", NC=00000001, qop=auth, Algorithm=MD5, opaque="o"')).toEqual({
      username: 'bob', realm: 'r', nonce: 'n,1', uri: 'sip:1@h', response: 'ab', cnonce: 'c', nc: '00000001', qop: 'auth', algorithm: 'MD5',
    })
  })

  it('unescapes quoted values and keeps the last of a repeated parameter, as parseAuthHeader does', () => {
    const v = 'Digest username="a\\"b", nonce="n1", nonce="n2"'
    expect(parseDigestCredentials(v)?.username).toBe(parseAuthHeader(v)!.params.get('username'))
    expect(parseDigestCredentials(v)?.username).toBe('a"b')
    expect(parseDigestCredentials(v)?.nonce).toBe('n2')
  })

  it('refuses other schemes and whatever parseAuthHeader refuses', () => {
    for (const v of ['Basic username="x"', 'Digestx username="x"', 'Digest realm', 'Digest realm="x', 'Digest ,', '', 'Digest a="b" c="d"', 'Digest a="b\\']) {
      expect(parseDigestCredentials(v)).toBeUndefined()
    }
  })
})
