// Live calls: every call in progress on every core node, refreshed every two seconds, with a hang-up action for admins.
import { api, qs } from '../api.js'
import { ActionButton, ErrorBox, Link, PageHead, Table } from '../components.js'
import { duration, text } from '../format.js'
import { useLoad } from '../hooks.js'
import type { Route } from '../router.js'
import { useIsAdmin } from '../session.js'

/** The live calls page; `?gatewayId=` narrows it to one gateway (either side). */
export function CallsPage({ route }: { route: Route }) {
  const admin = useIsAdmin()
  const gatewayId = route.query.get('gatewayId') ?? undefined
  const data = useLoad(() => api('GET', `/v1/calls${qs({ gatewayId, limit: 1000 })}`), [gatewayId], 2_000)
  const nodes = (data.data?.nodes ?? []) as any[]
  return (
    <div>
      <PageHead title="Live calls">
        <span data-testid="calls-total">{data.data ? `${data.data.total} in progress` : ''}</span>
        {gatewayId && <Link to="/calls">all gateways</Link>}
      </PageHead>
      <p class="muted">
        Core nodes: {nodes.length === 0 ? 'none has published yet' : nodes.map((n) => `${n.nodeId} (${n.stale ? 'silent' : `${n.activeCalls} calls${n.draining ? ', draining' : ''}`})`).join(', ')}
      </p>
      <ErrorBox error={data.error} />
      <Table testId="live-calls" rows={data.data?.items ?? null} rowKey={(c: any) => c.id} empty="No call in progress." columns={[
        { label: 'state', cell: (c: any) => <span class={`badge ${c.state === 'connected' ? 'good' : ''}`}>{c.state}</span> },
        { label: 'duration', cell: (c: any) => duration(c.durationSec), className: 'num' },
        { label: 'talk', cell: (c: any) => duration(c.talkSec), className: 'num' },
        { label: 'caller', cell: (c: any) => c.caller },
        { label: 'callee', cell: (c: any) => c.callee },
        { label: 'sent as', cell: (c: any) => text(c.calleeOut) },
        { label: 'customer', cell: (c: any) => <Link to={`/gateways/mapping/${c.mappingGatewayId}`}>{c.mappingGatewayId}</Link> },
        { label: 'vendor', cell: (c: any) => c.routingGatewayId ? <Link to={`/gateways/routing/${c.routingGatewayId}`}>{c.routingGatewayId}</Link> : '' },
        { label: 'media', cell: (c: any) => c.media === null ? '' : c.media.relayed ? `relayed ${c.media.rtpPacketsFromCaller}/${c.media.rtpPacketsFromCallee} pkts` : 'direct' },
        { label: 'node', cell: (c: any) => c.nodeId },
        { label: '', cell: (c: any) => admin && <ActionButton danger label="Hang up" confirm={`Hang up the call from ${c.caller} to ${c.callee}?`} action={async () => { await api('POST', `/v1/calls/${c.id}/hangup`, {}); data.reload() }} /> },
      ]} />
    </div>
  )
}
