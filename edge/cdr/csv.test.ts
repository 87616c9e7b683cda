// CDR CSV export: RFC 4180 fields (quotes, commas, CRLF, formula guard), and the streamed export parsed back equal to the JSON search.
import { describe, expect, it } from 'vitest'
import { cdrRow, DAY0, insertCdrs } from '../test/cdrs.js'
import { useHarness } from '../test/harness.js'
import { CDR_CSV_COLUMNS, cdrCsvStream, csvField } from './csv.js'

/** A strict RFC 4180 parser: quoted fields may hold commas, CRLF and doubled quotes; every record ends in CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let i = 0
  while (i < text.length) {
    let field = ''
    if (text[i] === '"') {
      i++
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field')
        if (text[i] === '"' && text[i + 1] === '"') { field += '"'; i += 2 } else if (text[i] === '"') { i++; break } else field += text[i++]
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`)
        field += text[i++]
      }
    }
    record.push(field)
    if (text[i] === ',') i++
    else if (text.startsWith('\r\n', i)) { records.push(record); record = []; i += 2 } else throw new Error(`expected , or CRLF at ${i}`)
  }
  if (record.length > 0) throw new Error('last record without CRLF')
  return records
}

describe('csvField', () => {
  it('quotes commas, quotes and line breaks and doubles inner quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"')
    expect(csvField('say "hi"')).toBe('"say ""hi"""')
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"')
    expect(csvField(null)).toBe('')
    expect(csvField(false)).toBe('false')
  })

  it('keeps phone numbers but defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('+4930123')).toBe('+4930123')
    expect(csvField('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvField('-1+2')).toBe("'-1+2")
  })
})

describe('GET /v1/cdrs as CSV', () => {
  const h = useHarness()

  async function fetchCsv(path: string, accept?: string): Promise<{ res: Response; records: string[][] }> {
    const headers: Record<string, string> = { authorization: `Bearer ${h().viewerKey}`, ...(accept === undefined ? {} : { accept }) }
    const res = await h().app.request(path, { headers })
    return { res, records: parseCsv(await res.text()) }
  }

  it('streams a header and every matching row, parsed back equal to the JSON pages', async () => {
    const rows = Array.from({ length: 25 }, (_, i) =>
      cdrRow({ startedAtMs: DAY0 + i * 1000, caller: i === 3 ? '=cmd|x' : '+4930', notes: i === 5 ? ['said "hello", then\r\nhung up'] : [] }))
    await insertCdrs(h().db, rows)
    const { res, records } = await fetchCsv('/v1/cdrs?format=csv&callee=0033')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(records[0]).toEqual([...CDR_CSV_COLUMNS])
    const json = (await h().request('GET', '/v1/cdrs?limit=1000&callee=0033')).body.items as Record<string, unknown>[]
    expect(records.slice(1)).toHaveLength(25)
    const parsed = records.slice(1).map((r) => Object.fromEntries(CDR_CSV_COLUMNS.map((c, i) => [c, r[i]])))
    parsed.forEach((p, i) => {
      const j = json[i]!
      expect(p.id).toBe(j.id)
      expect(p.startedAt).toBe(j.startedAt)
      expect(p.answeredAt).toBe(j.answeredAt ?? '')
      expect(Number(p.durationSec)).toBe(j.durationSec)
      expect(JSON.parse(p.attempts!)).toEqual(j.attempts)
      expect(JSON.parse(p.notes!)).toEqual(j.notes)
      expect(p.caller).toBe(j.caller === '=cmd|x' ? "'=cmd|x" : j.caller)
    })
  })

  it('answers Accept: text/csv with CSV and an explicit format=json with JSON', async () => {
    await insertCdrs(h().db, [cdrRow()])
    expect((await fetchCsv('/v1/cdrs', 'text/csv')).records).toHaveLength(2)
    const res = await h().app.request('/v1/cdrs?format=json', { headers: { authorization: `Bearer ${h().viewerKey}`, accept: 'text/csv' } })
    expect(res.headers.get('content-type')).toMatch(/application\/json/)
  })

  it('returns only the header row when nothing matches', async () => {
    expect((await fetchCsv('/v1/cdrs?format=csv&reason=Blacklisted')).records).toEqual([[...CDR_CSV_COLUMNS]])
  })

  it('pulls one page per read, so the stream never holds more than a page of rows', async () => {
    const rows = Array.from({ length: 23 }, (_, i) => cdrRow({ startedAtMs: DAY0 + i }))
    await insertCdrs(h().db, rows)
    const reader = cdrCsvStream(h().db, {}, { plan: 'time', cursor: null, pageRows: 5 }).getReader()
    const chunks: string[] = []
    for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(new TextDecoder().decode(r.value))
    expect(chunks.map((c) => parseCsv(c).length)).toEqual([1, 5, 5, 5, 5, 3])
    expect(chunks.slice(1).flatMap((c) => parseCsv(c).map((r) => r[0]))).toEqual(rows.map((r) => r.id).reverse())
  })
})
