// Gateways: mapping and routing gateways with live state (online, RTT, loss, current calls, calls/s); create, edit, lock, delete, CSV import/export; network test and routing analysis from a gateway's page.
import { useState } from 'preact/hooks'
import { api, qs } from '../api.js'
import { ActionButton, ErrorBox, Fields, JsonView, Link, PageHead, Table, Tabs } from '../components.js'
import { num, percent } from '../format.js'
import { SchemaForm } from '../form.js'
import { useLoad } from '../hooks.js'
import { ObjectTable } from '../object-table.js'
import { navigate, type Route } from '../router.js'
import { useIsAdmin } from '../session.js'
import { CsvImport } from './csv-import.js'

type Kind = 'routing' | 'mapping'
const PATH: Record<Kind, string> = { routing: '/v1/routing-gateways', mapping: '/v1/mapping-gateways' }
const TYPE: Record<Kind, string> = { routing: 'RoutingGateway', mapping: 'MappingGateway' }

/** Every gateway of a kind with its live status merged in. */
async function loadGateways(kind: Kind) {
  const [list, status] = await Promise.all([
    api('GET', `${PATH[kind]}/export`),
    api('GET', kind === 'routing' ? '/v1/status/gateways' : '/v1/status/mapping-gateways'),
  ])
  const byId = new Map((status.items as any[]).map((s) => [s.routingGatewayId ?? s.mappingGatewayId, s]))
  return (list.items as any[]).map((g) => ({ ...g, status: byId.get(g.id) ?? null })).sort((a, b) => a.name.localeCompare(b.name))
}

function LockButton({ kind, g, done }: { kind: Kind; g: any; done: () => void }) {
  const locked = g.lockType === 'bar_all'
  return <ActionButton label={locked ? 'Unlock' : 'Lock'} title={locked ? 'back into service' : 'take out of service (bar_all)'} action={async () => { await api('PATCH', `${PATH[kind]}/${g.id}`, { lockType: locked ? 'none' : 'bar_all' }); done() }} />
}

/** The list of one kind, with the create form and CSV import/export. */
export function GatewaysPage({ route }: { route: Route }) {
  const kind: Kind = route.query.get('tab') === 'mapping' ? 'mapping' : 'routing'
  const admin = useIsAdmin()
  const data = useLoad(() => loadGateways(kind), [kind], 5_000)
  const [creating, setCreating] = useState(false)
  const statusColumns = kind === 'routing'
    ? [
        { label: 'online', cell: (g: any) => g.status === null ? <span class="muted">unknown</span> : g.status.online ? <span class="badge good">online</span> : <span class="badge bad">offline</span> },
        { label: 'RTT', cell: (g: any) => g.status?.rttMs == null ? '' : `${g.status.rttMs} ms`, className: 'num' },
        { label: 'loss', cell: (g: any) => g.status?.lossRatio == null ? '' : percent(g.status.lossRatio), className: 'num' },
      ]
    : []
  return (
    <div>
      <PageHead title="Gateways">
        <a href={`${PATH[kind]}/export?format=csv`} download>Export CSV</a>
        {admin && <button type="button" onClick={() => setCreating(!creating)}>{creating ? 'Close' : `New ${kind} gateway`}</button>}
      </PageHead>
      <Tabs base="/gateways" active={kind} tabs={[{ id: 'routing', label: 'Routing (vendors)' }, { id: 'mapping', label: 'Mapping (customers)' }]} />
      {creating && (
        <section class="panel">
          <h2>New {kind} gateway</h2>
          <SchemaForm operationId={`create${TYPE[kind]}`} submitLabel="Create" onSubmit={(body) => api('POST', PATH[kind], body)} onDone={() => { setCreating(false); data.reload() }} />
        </section>
      )}
      <ErrorBox error={data.error} />
      <Table testId={`${kind}-gateways`} rows={data.data} rowKey={(g: any) => g.id} onRow={(g: any) => navigate(`/gateways/${kind}/${g.id}`)} columns={[
        { label: 'name', cell: (g: any) => <Link to={`/gateways/${kind}/${g.id}`}>{g.name}</Link> },
        kind === 'routing' ? { label: 'address', cell: (g: any) => `${g.host}:${g.port}` } : { label: 'auth', cell: (g: any) => `${g.authMode} ${g.ips.join(', ')}${g.username ? ` ${g.username}` : ''}` },
        kind === 'routing' ? { label: 'prefixes', cell: (g: any) => g.prefixes.length === 0 ? '(all)' : g.prefixes.slice(0, 5).join(', ') + (g.prefixes.length > 5 ? ` +${g.prefixes.length - 5}` : '') } : { label: 'account', cell: (g: any) => <Link to={`/accounts/${g.accountId}`}>{g.accountId}</Link> },
        ...(kind === 'routing' ? [{ label: 'priority', cell: (g: any) => g.priority, className: 'num' }] : []),
        { label: 'lock', cell: (g: any) => g.lockType === 'bar_all' ? <span class="badge bad">locked</span> : '' },
        ...statusColumns,
        { label: 'calls', cell: (g: any) => g.status?.currentCalls ?? 0, className: 'num' },
        { label: 'calls/s', cell: (g: any) => num(g.status?.callsPerSec ?? 0), className: 'num' },
        { label: '', cell: (g: any) => admin && (
          <span class="row-actions" onClick={(e) => e.stopPropagation()}>
            <LockButton kind={kind} g={g} done={data.reload} />
            <ActionButton danger label="Delete" confirm={`Delete ${kind} gateway ${g.name}?`} action={async () => { await api('DELETE', `${PATH[kind]}/${g.id}`); data.reload() }} />
          </span>
        ) },
      ]} empty={`No ${kind} gateways yet.`} />
      {admin && <CsvImport path={`${PATH[kind]}/import`} noun={`${kind} gateways`} withMode onDone={data.reload} />}
    </div>
  )
}

/** One gateway: its fields and live state, edit form, network test and routing analysis. */
export function GatewayPage({ kind, id }: { kind: Kind; id: string }) {
  const admin = useIsAdmin()
  const data = useLoad(async () => {
    const [g, all] = await Promise.all([api('GET', `${PATH[kind]}/${id}`), loadGateways(kind)])
    return { g, status: all.find((x) => x.id === id)?.status ?? null }
  }, [kind, id], 5_000)
  const [test, setTest] = useState<unknown>(null)
  const g = data.data?.g
  return (
    <div>
      <PageHead title={g ? `${kind === 'routing' ? 'Routing' : 'Mapping'} gateway ${g.name}` : 'Gateway'}>
        <Link to={`/gateways?tab=${kind}`}>all {kind} gateways</Link>
        <Link to={`/calls?gatewayId=${id}`}>its calls</Link>
        <Link to={`/cdrs?${kind === 'routing' ? 'routingGatewayId' : 'mappingGatewayId'}=${id}`}>its CDRs</Link>
      </PageHead>
      <ErrorBox error={data.error} />
      {g && (
        <div class="columns">
          <section class="panel">
            <h2>Now</h2>
            {data.data?.status ? <Fields value={data.data.status} /> : <p class="muted">No core has published this gateway yet.</p>}
            {kind === 'routing' && admin && (
              <p>
                <ActionButton label="Run network test" action={async () => setTest(await api('POST', `${PATH.routing}/${id}/network-test`, { count: 5, intervalMs: 200, waitMs: 10_000 }))} />
              </p>
            )}
            {test !== null && <div data-testid="network-test"><Fields value={test as Record<string, unknown>} /></div>}
            {kind === 'routing' && <RoutingAnalysis gatewayId={id} />}
          </section>
          <section class="panel">
            <h2>Settings</h2>
            {admin ? <SchemaForm operationId={`update${TYPE[kind]}`} entity={g} submitLabel="Save" onSubmit={(body) => api('PATCH', `${PATH[kind]}/${id}`, body)} onDone={data.reload} /> : <Fields value={g} />}
          </section>
        </div>
      )}
    </div>
  )
}

/** "How would this number route from that customer, and why not this gateway": GET /v1/analysis/routing, shown as the API answers. */
function RoutingAnalysis({ gatewayId }: { gatewayId: string }) {
  const customers = useLoad(() => api('GET', '/v1/mapping-gateways?limit=500'), [])
  const [callee, setCallee] = useState('')
  const [mappingGatewayId, setMapping] = useState('')
  const [result, setResult] = useState<any>(null)
  const [error, setError] = useState<unknown>(null)
  const mine = (rows: any[] | undefined) => (rows ?? []).filter((r) => r.routingGatewayId === gatewayId)
  return (
    <div class="analysis">
      <h2>Routing analysis</h2>
      <form class="inline-form" onSubmit={async (e) => {
        e.preventDefault()
        setError(null)
        try {
          setResult(await api('GET', `/v1/analysis/routing${qs({ callee, mappingGatewayId })}`))
        } catch (err) {
          setError(err)
        }
      }}>
        <label>callee <input name="callee" value={callee} onInput={(e) => setCallee((e.target as HTMLInputElement).value)} placeholder="0044..." /></label>
        <label>from customer
          <select name="mappingGatewayId" value={mappingGatewayId} onChange={(e) => setMapping((e.target as HTMLSelectElement).value)}>
            <option value="">(choose)</option>
            {(customers.data?.items ?? []).map((m: any) => <option value={m.id}>{m.name}</option>)}
          </select>
        </label>
        <button type="submit">Analyse</button>
      </form>
      <ErrorBox error={error} />
      {result && (
        <div data-testid="routing-analysis">
          <p>
            {mine(result.candidates).length > 0 ? 'This gateway is a candidate.' : mine(result.rejected).length > 0 ? `This gateway is rejected: ${mine(result.rejected).map((r) => r.reason).join(', ')}.` : 'This gateway does not match the number.'}
          </p>
          {Object.entries(result).map(([k, v]) => Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null)
            ? <div><h3>{k}</h3><ObjectTable rows={v as Record<string, unknown>[]} /></div>
            : <div><h3>{k}</h3><JsonView value={v} /></div>)}
        </div>
      )}
    </div>
  )
}
