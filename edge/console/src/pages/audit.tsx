// Audit log: who (API key) changed what and when, with the before and after of each change; filters in the URL, keyset paging.
import { useState } from 'preact/hooks'
import { api, qs } from '../api.js'
import { ErrorBox, JsonView, PageHead, Table } from '../components.js'
import { time } from '../format.js'
import { useLoad } from '../hooks.js'
import { setQuery, type Route } from '../router.js'

const FILTERS = ['keyId', 'resource', 'resourceId', 'action', 'operation'] as const

/** The audit page. */
export function AuditPage({ route }: { route: Route }) {
  const filters = Object.fromEntries(FILTERS.map((f) => [f, route.query.get(f) ?? undefined]))
  const cursor = route.query.get('cursor') ?? undefined
  const query = qs({ ...filters, cursor, limit: 50 })
  const data = useLoad(() => api('GET', `/v1/audit${query}`), [query], 10_000)
  const [open, setOpen] = useState<string | null>(null)
  const [form, setForm] = useState<Record<string, string>>(Object.fromEntries(FILTERS.map((f) => [f, filters[f] ?? ''])))
  const rows = (data.data?.items ?? null) as any[] | null
  return (
    <div>
      <PageHead title="Audit log" />
      <form class="filters" onSubmit={(e) => { e.preventDefault(); setQuery(form) }}>
        {FILTERS.map((f) => <label>{f}<input name={f} value={form[f] ?? ''} onInput={(e) => setForm({ ...form, [f]: (e.target as HTMLInputElement).value })} /></label>)}
        <button type="submit">Filter</button>
      </form>
      <ErrorBox error={data.error} />
      <Table testId="audit" rows={rows} rowKey={(e: any) => e.id} onRow={(e: any) => setOpen(open === e.id ? null : e.id)} empty="No changes recorded." columns={[
        { label: 'at', cell: (e: any) => time(e.at) },
        { label: 'key', cell: (e: any) => e.keyName },
        { label: 'action', cell: (e: any) => e.action },
        { label: 'resource', cell: (e: any) => e.resource },
        { label: 'id', cell: (e: any) => e.resourceId ?? '' },
        { label: 'operation', cell: (e: any) => e.operation },
      ]} />
      {rows?.filter((e) => e.id === open).map((e) => (
        <section class="columns" data-testid="audit-detail">
          <div class="panel"><h2>Before</h2><JsonView value={e.before} /></div>
          <div class="panel"><h2>After</h2><JsonView value={e.after} /></div>
        </section>
      ))}
      <nav class="pager">
        {cursor && <button type="button" onClick={() => setQuery({ ...filters })}>Newest</button>}
        <button type="button" disabled={!data.data?.nextCursor} onClick={() => setQuery({ ...filters, cursor: data.data.nextCursor })}>Older</button>
      </nav>
    </div>
  )
}
