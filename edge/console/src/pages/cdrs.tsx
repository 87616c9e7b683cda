// CDRs: search with every filter of the API (kept in the URL), keyset paging, CSV export of the same search, and one CDR with its attempts and notes.
import { useEffect, useState } from 'preact/hooks'
import { api, openApiDocument, qs } from '../api.js'
import { ErrorBox, Fields, Link, PageHead, Table } from '../components.js'
import { duration, text, time } from '../format.js'
import { useLoad } from '../hooks.js'
import { navigate, setQuery, type Route } from '../router.js'

const FILTERS = ['from', 'to', 'caller', 'callee', 'accountId', 'mappingGatewayId', 'routingGatewayId', 'reason', 'sipCode', 'minDurationSec'] as const

/** A datetime-local value (local time) as ISO, or undefined. */
function toIso(local: string | undefined): string | undefined {
  if (local === undefined || local === '') return undefined
  const d = new Date(local)
  return Number.isNaN(d.getTime()) ? local : d.toISOString()
}

/** ISO as a datetime-local value. */
function toLocal(iso: string | null): string {
  if (iso === null || iso === '') return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}

/** The search page. */
export function CdrsPage({ route }: { route: Route }) {
  const filters = Object.fromEntries(FILTERS.map((f) => [f, route.query.get(f) ?? undefined])) as Record<(typeof FILTERS)[number], string | undefined>
  const cursor = route.query.get('cursor') ?? undefined
  const [form, setForm] = useState<Record<string, string>>({})
  const [reasons, setReasons] = useState<string[]>([])
  const [history, setHistory] = useState<string[]>([])
  useEffect(() => setForm(Object.fromEntries(FILTERS.map((f) => [f, f === 'from' || f === 'to' ? toLocal(filters[f] ?? null) : (filters[f] ?? '')]))), [route.query.toString()])
  useEffect(() => {
    openApiDocument().then((doc) => {
      const p = doc.paths['/v1/cdrs']?.get?.parameters?.find((x: any) => x.name === 'reason')
      setReasons(p?.schema?.enum ?? [])
    })
  }, [])
  const query = qs({ ...filters, cursor, limit: 100 })
  const data = useLoad(() => api('GET', `/v1/cdrs${query}`), [query])
  const apply = (extra: Record<string, string | undefined> = {}) => {
    const next: Record<string, string | undefined> = {}
    for (const f of FILTERS) next[f] = f === 'from' || f === 'to' ? toIso(form[f]) : form[f]
    setHistory([])
    setQuery({ ...next, ...extra })
  }
  return (
    <div>
      <PageHead title="CDRs">
        <a href={`/v1/cdrs${qs({ ...filters, format: 'csv' })}`} download="cdrs.csv">Export CSV</a>
      </PageHead>
      <form class="filters" onSubmit={(e) => { e.preventDefault(); apply() }}>
        {FILTERS.map((f) => (
          <label>
            {f}
            {f === 'reason' ? (
              <select name={f} value={form[f] ?? ''} onChange={(e) => setForm({ ...form, [f]: (e.target as HTMLSelectElement).value })}>
                <option value="">(any)</option>
                {reasons.map((r) => <option value={r}>{r}</option>)}
              </select>
            ) : (
              <input name={f} type={(f === 'from' || f === 'to' ? 'datetime-local' : 'text') as 'text'} value={form[f] ?? ''} onInput={(e) => setForm({ ...form, [f]: (e.target as HTMLInputElement).value })} />
            )}
          </label>
        ))}
        <button type="submit">Search</button>
      </form>
      <ErrorBox error={data.error} />
      <Table testId="cdrs" rows={data.data?.items ?? null} rowKey={(c: any) => c.id} onRow={(c: any) => navigate(`/cdrs/${c.id}`)} empty="No CDR matches." columns={[
        { label: 'started', cell: (c: any) => time(c.startedAt) },
        { label: 'caller', cell: (c: any) => c.caller },
        { label: 'callee', cell: (c: any) => c.callee },
        { label: 'duration', cell: (c: any) => duration(c.durationSec), className: 'num' },
        { label: 'PDD', cell: (c: any) => c.pddMs === null ? '' : `${c.pddMs} ms`, className: 'num' },
        { label: 'reason', cell: (c: any) => <span data-testid="cdr-reason">{c.terminationReason}</span> },
        { label: 'SIP', cell: (c: any) => text(c.sipCode), className: 'num' },
        { label: 'ended by', cell: (c: any) => c.endedBy },
        { label: 'vendor', cell: (c: any) => text(c.routingGatewayId) },
        { label: 'cost', cell: (c: any) => text(c.cost), className: 'num' },
      ]} />
      <nav class="pager">
        <button type="button" disabled={history.length === 0} onClick={() => { const prev = history[history.length - 1]; setHistory(history.slice(0, -1)); setQuery({ ...filters, cursor: prev === '' ? undefined : prev }) }}>Newer</button>
        <button type="button" disabled={!data.data?.nextCursor} onClick={() => { setHistory([...history, cursor ?? '']); setQuery({ ...filters, cursor: data.data.nextCursor }) }}>Older</button>
      </nav>
    </div>
  )
}

/** One CDR with its attempts and notes. */
export function CdrPage({ id }: { id: string }) {
  const data = useLoad(() => api('GET', `/v1/cdrs/${id}`), [id])
  const c = data.data
  return (
    <div>
      <PageHead title={`CDR ${id}`}><Link to="/cdrs">search</Link></PageHead>
      <ErrorBox error={data.error} />
      {c && (
        <div class="columns">
          <section class="panel"><h2>Record</h2><Fields value={Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'attempts' && k !== 'notes'))} /></section>
          <section class="panel">
            <h2>Attempts</h2>
            <Table testId="cdr-attempts" rows={c.attempts} rowKey={(a: any) => `${a.routingGatewayId}${a.startedAt}`} columns={[
              { label: 'gateway', cell: (a: any) => <Link to={`/gateways/routing/${a.routingGatewayId}`}>{a.routingGatewayId}</Link> },
              { label: 'SIP', cell: (a: any) => text(a.sipCode) },
              { label: 'reason', cell: (a: any) => a.reason },
              { label: 'started', cell: (a: any) => time(a.startedAt) },
              { label: 'ended', cell: (a: any) => time(a.endedAt) },
            ]} />
            <h2>Notes</h2>
            {c.notes.length === 0 ? <p class="muted">None.</p> : <ul data-testid="cdr-notes">{c.notes.map((n: string) => <li>{n}</li>)}</ul>}
          </section>
        </div>
      )}
    </div>
  )
}
