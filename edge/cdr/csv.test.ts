// CDR CSV export: parsed back with a strict RFC 4180 parser it equals the JSON search field by field (quotes, commas, CRLF, formula guard), streamed page by page.
import { describe, expect, it } from 'vitest'
import { attempt, cdrRow, DAY0, insertCdrs } from '../test-support/cdrs.js'
import { useHarness } from '../test-support/harness.js'
import { CDR_CSV_COLUMNS, cdrCsvStream } from './csv.js'

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

describe('GET /v1/cdrs as CSV', () => {
  const h = useHarness()

  async function fetchCsv(path: string, accept?: string): Promise<{ res: Response; records: string[][] }> {
    const headers: Record<string, string> = { authorization: `Bearer ${h().viewerKey}`, ...(accept === undefined ? {} : { accept }) }
    const res = await h().app.request(path, { headers })
    return { res, records: parseCsv(await res.text()) }
  }

  it('streams a header and every matching row, parsed back equal to the JSON pages field by field', async () => {
    const awkward = ['=cmd|x', '+4930', '-1+2', '@SUM(A1)', 'a,b', 'say "hi"']
    const rows = Array.from({ length: 25 }, (_, i) => cdrRow({
      startedAtMs: DAY0 + i * 1001 + 7,
      caller: awkward[i % awkward.length]!,
      callId: i === 4 ? 'id,with "quotes"\r\nand lines' : `call-${i}`,
      notes: i === 5 ? ['said "hello", then\r\nhung up'] : [],
      cost: i % 3 === 0 ? null : i % 3 === 1 ? 5 : 0.25,
      vendorCost: i % 3 === 0 ? null : i % 3 === 1 ? 3 : 0.125,
      warningPlayed: i === 6,
      attempts: [attempt('rgw_x', null, 'InviteTimeout', DAY0 + i), attempt('rgw_a', 200, 'CallerHangup', DAY0 + i + 999)],
    }))
    await insertCdrs(h().db, rows)
    const { res, records } = await fetchCsv('/v1/cdrs?format=csv&callee=0033')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(records[0]).toEqual([...CDR_CSV_COLUMNS])
    const json = (await h().request('GET', '/v1/cdrs?limit=1000&callee=0033')).body.items as Record<string, unknown>[]
    expect(records.slice(1)).toHaveLength(25)
    const defused = (v: string) => (/^[=@]/.test(v) || (/^[+-]/.test(v) && !/^[+-][0-9*#.]+$/.test(v)) ? `'${v}` : v)
    records.slice(1).forEach((record, i) => {
      const j = json[i]!
      const want = CDR_CSV_COLUMNS.map((c) => {
        const v = j[c]
        if (c === 'attempts' || c === 'notes') return JSON.stringify(v)
        if (c === 'caller' || c === 'callId') return defused(String(v))
        return v === null ? '' : String(v)
      })
      expect(record).toEqual(want)
    })
  })

  it('answers Accept: text/csv with CSV and an explicit format=json with JSON', async () => {
    await insertCdrs(h().db, [cdrRow()])
    expect((await fetchCsv('/v1/cdrs', 'text/csv')).records).toHaveLength(2)
    const res = await h().app.request('/v1/cdrs?format=json', { headers: { authorization: `Bearer ${h().viewerKey}`, accept: 'text/csv' } })
    expect(res.headers.get('content-type')).toMatch(/application\/json/)
  })

  it('writes every start time to the exact millisecond, as the JSON does', async () => {
    const times = Array.from({ length: 300 }, (_, i) => 946_684_800_000 + ((i * 2_654_435_761) % 4_000_000_000_000))
    await insertCdrs(h().db, times.map((startedAtMs) => cdrRow({ startedAtMs })))
    const { records } = await fetchCsv('/v1/cdrs?format=csv')
    expect(records.slice(1).map((r) => r[2]).sort()).toEqual(times.map((t) => new Date(t).toISOString()).sort())
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
