// name-addr and addr-spec: RFC 3261 §20.10, §20.20, §20.39 and §25.1 (display-name, quoted-string, LAQUOT/RAQUOT).
import { describe, expect, it } from 'vitest'
import { parseNameAddr } from './name-addr.js'

describe('parseNameAddr', () => {
  it('parses a quoted display name with escapes, the URI and the tag', () => {
    expect(parseNameAddr('"A \\"B\\"" <sip:a@h;transport=udp>;tag=x;foo')).toMatchObject({
      displayName: 'A "B"', uri: 'sip:a@h;transport=udp', tag: 'x', params: new Map([['tag', 'x'], ['foo', null]]),
    })
  })

  it('reads the parameters on demand, a repeated tag with its last value', () => {
    const na = parseNameAddr('<sip:a@h>;tag=1;Expires=60;tag=2')!
    expect(na.tag).toBe('2')
    expect(na.params).toEqual(new Map([['tag', '2'], ['expires', '60']]))
    expect(parseNameAddr('<sip:a@h>')!.params.size).toBe(0)
    expect(parseNameAddr('<sip:a@h>;tag=1;tag')).toBeUndefined()
  })

  it('parses token display names and no LWS before <', () => {
    expect(parseNameAddr('caller<sip:caller@example.com>;tag=323')).toMatchObject({ displayName: 'caller', tag: '323' })
    expect(parseNameAddr('A. Bell <sip:a@h>')?.displayName).toBe('A. Bell')
  })

  it('treats parameters after a bare addr-spec as header parameters', () => {
    expect(parseNameAddr('sip:a@h;tag=9')).toMatchObject({ uri: 'sip:a@h', tag: '9' })
  })

  it('rejects unterminated quotes, non-token display names, spaces inside <> and "?" in addr-spec', () => {
    for (const v of ['"Mr. J. User <sip:j@h>', 'Bell, Alexander <sip:a@h>', '< sip:a@h >', 'sip:u@h?Route=x', '<sip:a@h>;;', '<sip:a@h>;tag=']) {
      expect(parseNameAddr(v)).toBeUndefined()
    }
  })
})
