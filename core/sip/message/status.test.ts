// Reason phrases: RFC 3261 §21 plus RFC 4028 (422), RFC 6665 (489), RFC 3329 (494).
import { describe, expect, it } from 'vitest'
import { isKnownStatus, reasonPhrase } from './status.js'

describe('reasonPhrase', () => {
  it('has the RFC 3261 phrases', () => {
    expect([100, 180, 183, 200, 401, 407, 408, 416, 420, 481, 483, 486, 487, 488, 503, 505, 603].map(reasonPhrase)).toEqual([
      'Trying', 'Ringing', 'Session Progress', 'OK', 'Unauthorized', 'Proxy Authentication Required', 'Request Timeout',
      'Unsupported URI Scheme', 'Bad Extension', 'Call/Transaction Does Not Exist', 'Too Many Hops', 'Busy Here',
      'Request Terminated', 'Not Acceptable Here', 'Service Unavailable', 'Version Not Supported', 'Decline',
    ])
  })

  it('has extension phrases 422, 423, 489 and 494', () => {
    expect([422, 423, 489, 494].map(reasonPhrase)).toEqual(['Session Interval Too Small', 'Interval Too Brief', 'Bad Event', 'Security Agreement Required'])
  })

  it('falls back to the class phrase for unknown codes', () => {
    expect(reasonPhrase(499)).toBe('Bad Request')
    expect(reasonPhrase(599)).toBe('Server Internal Error')
    expect(isKnownStatus(499)).toBe(false)
  })
})
