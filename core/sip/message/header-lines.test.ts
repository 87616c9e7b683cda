// The header-line walker: canonical names in any spelling, folded values, and the parser's error rules (RFC 3261 §7.3.1).
import { describe, expect, it } from 'vitest'
import { HeaderLines } from './header-lines.js'

function walk(head: string): Array<[string, string] | { error: string }> {
  const out: Array<[string, string] | { error: string }> = []
  const lines = new HeaderLines().reset(head, 0)
  while (lines.next()) out.push(lines.error === undefined ? [lines.name, lines.value()] : { error: lines.error })
  return out
}

describe('HeaderLines', () => {
  it('names common headers canonically in any case and expands compact forms', () => {
    expect(walk('VIA: a\r\ncall-ID: b\r\ni: c\r\nT: d\r\nMax-Forwards: 70\r\nX-Custom-Thing: e')).toEqual([
      ['via', 'a'], ['call-id', 'b'], ['call-id', 'c'], ['to', 'd'], ['max-forwards', '70'], ['x-custom-thing', 'e'],
    ])
  })

  it('joins continuation lines with one space and trims each, over CRLF or bare LF', () => {
    expect(walk('Subject: one \r\n  two\r\n\t\r\n three\nTo:\n  <sip:a@b>')).toEqual([['subject', 'one two three'], ['to', '<sip:a@b>']])
  })

  it('reports malformed lines with their continuation lines and goes on', () => {
    expect(walk(' leading\r\nno colon here\r\n  folded\r\nBad Name: x\r\nVia : ok')).toEqual([
      { error: 'continuation line before any header' }, { error: 'header line without a colon' }, { error: 'invalid header name' }, ['via', 'ok'],
    ])
  })

  it('does not take a name that only starts like a known one', () => {
    expect(walk('Via2: a\r\nTox: b\r\nContact-Info: c')).toEqual([['via2', 'a'], ['tox', 'b'], ['contact-info', 'c']])
  })
})
