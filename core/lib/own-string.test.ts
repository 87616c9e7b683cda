import { describe, expect, it } from 'vitest'
import { ownString } from './own-string.js'

describe('ownString', () => {
  it('returns the same characters for short, long and concatenated strings', () => {
    const big = 'INVITE sip:1001@10.0.0.1 SIP/2.0\r\nTo: <sip:1001@10.0.0.1>;tag=abcdefghijklmnop\r\n'.repeat(4)
    const tag = big.slice(big.indexOf('tag=') + 4, big.indexOf('\r\n', big.indexOf('tag=')))
    expect(ownString(tag)).toBe('abcdefghijklmnop')
    expect(ownString('short')).toBe('short')
    expect(ownString(tag + '-' + tag)).toBe('abcdefghijklmnop-abcdefghijklmnop')
    expect(ownString('')).toBe('')
    expect(ownString('tag-\u00e9\u4e2d\ud83d\ude00"\\\n-end')).toBe('tag-\u00e9\u4e2d\ud83d\ude00"\\\n-end')
    expect(ownString('lone-\ud800-surrogate')).toBe('lone-\ud800-surrogate')
  })
})
