// RFC 4180 records: quotes, escaped quotes, CRLF/LF, BOM, blank lines and malformed input with its line.
import { describe, expect, it } from 'vitest'
import { csvField, parseCsvRecords } from './csv.js'

describe('parseCsvRecords', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF and LF ends, a BOM, and skips blank lines', () => {
    expect(parseCsvRecords('\ufeffa,"b,c"\r\n"say ""hi""",x\n\n"multi\nline",\n')).toEqual([
      { line: 1, fields: ['a', 'b,c'] },
      { line: 2, fields: ['say "hi"', 'x'] },
      { line: 4, fields: ['multi\nline', ''] },
    ])
  })

  it('keeps a record that ends without a line break and a record of one empty quoted field', () => {
    expect(parseCsvRecords('a,b\n""')).toEqual([{ line: 1, fields: ['a', 'b'] }, { line: 2, fields: [''] }])
  })

  it('reports an unterminated quote and a quote inside an unquoted field with their line', () => {
    expect(parseCsvRecords('a\n"open')).toEqual({ error: 'an unterminated quoted field', line: 2 })
    expect(parseCsvRecords('a\nb"c')).toEqual({ error: 'a quote inside an unquoted field', line: 2 })
  })
})

describe('csvField', () => {
  it('quotes only fields with a comma, quote or line break, doubling quotes, and reads back unchanged', () => {
    const values = ['plain', 'a,b', 'say "hi"', 'two\nlines', '']
    expect(values.map(csvField)).toEqual(['plain', '"a,b"', '"say ""hi"""', '"two\nlines"', ''])
    expect(parseCsvRecords(values.map(csvField).join(',') + '\r\n')).toEqual([{ line: 1, fields: values }])
  })
})
