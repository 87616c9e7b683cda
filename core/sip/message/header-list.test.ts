// Header list semantics: RFC 3261 §7.3 (case-insensitive names, compact forms §7.3.3, comma lists §7.3.1).
import { describe, expect, it } from 'vitest'
import { HeaderList } from './header-list.js'
import { displayName } from './header-names.js'

describe('HeaderList', () => {
  it('looks names up case-insensitively and through compact forms', () => {
    const h = new HeaderList().append('Call-ID', 'x')
    expect(h.get('call-id')).toBe('x')
    expect(h.get('i')).toBe('x')
    expect(h.get('CALL-ID')).toBe('x')
  })

  it('returns the first element of a list header from get and all elements from getAll', () => {
    const h = new HeaderList().append('Route', '<sip:a;lr>, <sip:b;lr>').append('route', '<sip:c>')
    expect(h.get('route')).toBe('<sip:a;lr>')
    expect(h.getAll('route')).toEqual(['<sip:a;lr>', '<sip:b;lr>', '<sip:c>'])
    expect(h.count('route')).toBe(2)
  })

  it('gives a fresh array from getAll for none, one and several lines, which a caller may change', () => {
    const h = new HeaderList().append('Contact', '<sip:a>').append('Route', '<sip:r1>, <sip:r2>')
    const none = h.getAll('via')
    const one = h.getAll('contact')
    expect(none).toEqual([])
    expect(one).toEqual(['<sip:a>'])
    none.push('x')
    one.push('y')
    expect(h.getAll('via')).toEqual([])
    expect(h.getAll('contact')).toEqual(['<sip:a>'])
    expect(h.getAll('route')).toEqual(['<sip:r1>', '<sip:r2>'])
  })

  it('counts list elements across lines as getAll would return them, commas in quotes and <> aside', () => {
    const h = new HeaderList().append('Via', 'SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;x="p,q"').append('v', 'SIP/2.0/UDP c,').append('Date', 'Sat, 13 Nov 2010')
    expect(h.countAll('via')).toBe(h.getAll('via').length)
    expect(h.countAll('via')).toBe(4)
    expect(h.countAll('date')).toBe(1)
    expect(h.countAll('route')).toBe(0)
  })

  it('replaceFirst leaves the lines as removeFirst then prepend would, in place when the line stays where it was', () => {
    const arrangements = [
      [['via', 'a'], ['max-forwards', '70']],
      [['max-forwards', '70'], ['via', 'a']],
      [['via', 'a'], ['via', 'b']],
      [['via', 'a'], ['max-forwards', '70'], ['via', 'b']],
      [['via', 'a, b'], ['max-forwards', '70']],
      [['max-forwards', '70'], ['via', 'a, b'], ['via', 'c']],
      [['max-forwards', '70']],
    ]
    for (const lines of arrangements) {
      const names = lines.map(([n]) => n!)
      const values = lines.map(([, v]) => v!)
      const expected = new HeaderList(names.slice(), values.slice())
      expected.removeFirst('via')
      expected.prepend('via', 'new')
      const h = new HeaderList(names.slice(), values.slice())
      const before = h.version
      h.replaceFirst('via', 'new')
      expect([...h.entries()]).toEqual([...expected.entries()])
      expect(h.version).toBeGreaterThan(before)
    }
  })

  it('does not split headers whose values contain commas by grammar', () => {
    const h = new HeaderList().append('WWW-Authenticate', 'Digest realm="a", nonce="b"').append('Date', 'Sat, 13 Nov 2010 23:29:00 GMT')
    expect(h.getAll('www-authenticate')).toHaveLength(1)
    expect(h.getAll('date')).toEqual(['Sat, 13 Nov 2010 23:29:00 GMT'])
  })

  it('set replaces all lines at the first position; prepend goes before the first line of that name', () => {
    const h = new HeaderList().append('a-x', '1').append('via', 'v1').append('a-x', '2')
    h.set('a-x', '3')
    expect([...h.entries()]).toEqual([['a-x', '3'], ['via', 'v1']])
    h.prepend('v', 'v0')
    expect(h.getAll('via')).toEqual(['v0', 'v1'])
    expect([...h.entries()][1]).toEqual(['via', 'v0'])
  })

  it('removes all lines of a name and the first element of a list', () => {
    const h = new HeaderList().append('via', 'a, b').append('via', 'c')
    expect(h.removeFirst('via')).toBe(true)
    expect(h.getAll('via')).toEqual(['b', 'c'])
    expect(h.remove('via')).toBe(2)
    expect(h.has('via')).toBe(false)
  })

  it('bumps its version on every mutation', () => {
    const h = new HeaderList()
    const v = h.version
    h.append('x', '1')
    expect(h.version).toBeGreaterThan(v)
  })
})

describe('displayName', () => {
  it('uses canonical spellings for output', () => {
    expect(['via', 'call-id', 'cseq', 'www-authenticate', 'max-forwards', 'content-length'].map(displayName)).toEqual([
      'Via', 'Call-ID', 'CSeq', 'WWW-Authenticate', 'Max-Forwards', 'Content-Length',
    ])
  })
})
