// Session timer headers: RFC 4028 §4 (Session-Expires, refresher) and §5 (Min-SE).
import { describe, expect, it } from 'vitest'
import { parseMinSe, parseSessionExpires } from './session-expires.js'

describe('parseSessionExpires', () => {
  it('parses the interval and the refresher', () => {
    expect(parseSessionExpires('1800;refresher=UAC')).toMatchObject({ deltaSec: 1800, refresher: 'uac' })
    expect(parseSessionExpires('90')).toMatchObject({ deltaSec: 90 })
  })

  it('rejects non-numeric intervals', () => {
    expect(parseSessionExpires('soon')).toBeUndefined()
    expect(parseMinSe('90;x=1')).toBe(90)
  })
})
