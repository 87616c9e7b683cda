// Alerts: alerts with every webhook delivery (status, attempts, retries), alert rules and webhooks (create, enable, delete).
import { useState } from 'preact/hooks'
import { api } from '../api.js'
import { ActionButton, ErrorBox, PageHead, Table, Tabs } from '../components.js'
import { num, text, time } from '../format.js'
import { SchemaForm } from '../form.js'
import { useLoad } from '../hooks.js'
import type { Route } from '../router.js'
import { useIsAdmin } from '../session.js'

/** Alerts (default), rules (`?tab=rules`) and webhooks (`?tab=webhooks`). */
export function AlertsPage({ route }: { route: Route }) {
  const tab = route.query.get('tab') ?? 'alerts'
  return (
    <div>
      <PageHead title="Alerts" />
      <Tabs base="/alerts" active={tab} tabs={[{ id: 'alerts', label: 'Alerts and deliveries' }, { id: 'rules', label: 'Rules' }, { id: 'webhooks', label: 'Webhooks' }]} />
      {tab === 'rules' ? <Rules /> : tab === 'webhooks' ? <Webhooks /> : <AlertList />}
    </div>
  )
}

function AlertList() {
  const data = useLoad(() => api('GET', '/v1/alerts?limit=100'), [], 15_000)
  return (
    <div>
      <ErrorBox error={data.error} />
      <Table testId="alerts" rows={data.data?.items ?? null} rowKey={(a: any) => a.id} empty="No alert has fired." columns={[
        { label: 'state', cell: (a: any) => <span class={`badge ${a.state === 'firing' ? 'bad' : 'good'}`}>{a.state}</span> },
        { label: 'rule', cell: (a: any) => a.ruleName ?? a.ruleId },
        { label: 'value', cell: (a: any) => num(a.value, 3), className: 'num' },
        { label: 'fired', cell: (a: any) => time(a.firedAt) },
        { label: 'resolved', cell: (a: any) => time(a.resolvedAt) },
        { label: 'deliveries', cell: (a: any) => (
          <ul class="deliveries">
            {(a.deliveries ?? []).map((d: any) => (
              <li><span class={`badge ${d.status === 'delivered' ? 'good' : d.status === 'failed' ? 'bad' : 'warn'}`}>{d.status}</span> {d.type} → {d.webhookId}, {d.attempts} attempt(s){d.lastStatusCode ? `, last ${d.lastStatusCode}` : ''}{d.lastError ? `, ${d.lastError}` : ''}{d.nextAttemptAt ? `, retry ${time(d.nextAttemptAt)}` : ''}</li>
            ))}
          </ul>
        ) },
      ]} />
    </div>
  )
}

function Rules() {
  const admin = useIsAdmin()
  const data = useLoad(() => api('GET', '/v1/alert-rules?limit=500'), [])
  return (
    <div>
      {admin && <section class="panel"><h2>New rule</h2><SchemaForm operationId="createAlertRule" submitLabel="Create" onSubmit={(b) => api('POST', '/v1/alert-rules', b)} onDone={data.reload} /></section>}
      <ErrorBox error={data.error} />
      <Table testId="alert-rules" rows={data.data?.items ?? null} rowKey={(r: any) => r.id} empty="No rules." columns={[
        { label: 'name', cell: (r: any) => r.name },
        { label: 'scope', cell: (r: any) => text(r.scope) },
        { label: 'metric', cell: (r: any) => `${r.metric}${r.reason ? ` ${r.reason}` : ''}${r.sipCode ? ` ${r.sipCode}` : ''}` },
        { label: 'threshold', cell: (r: any) => num(r.threshold, 3), className: 'num' },
        { label: 'window', cell: (r: any) => `${r.windowSec} s`, className: 'num' },
        { label: 'severity', cell: (r: any) => r.severity },
        { label: 'enabled', cell: (r: any) => admin
          ? <ActionButton label={r.enabled ? 'Disable' : 'Enable'} action={async () => { await api('PATCH', `/v1/alert-rules/${r.id}`, { enabled: !r.enabled }); data.reload() }} />
          : String(r.enabled) },
        { label: '', cell: (r: any) => admin && <ActionButton danger label="Delete" confirm={`Delete rule ${r.name}?`} action={async () => { await api('DELETE', `/v1/alert-rules/${r.id}`); data.reload() }} /> },
      ]} />
    </div>
  )
}

function Webhooks() {
  const admin = useIsAdmin()
  const data = useLoad(() => api('GET', '/v1/webhooks?limit=500'), [])
  const [secret, setSecret] = useState<string | null>(null)
  return (
    <div>
      {admin && (
        <section class="panel">
          <h2>New webhook</h2>
          <SchemaForm operationId="createWebhook" skip={['secret']} submitLabel="Create" onSubmit={async (b) => setSecret((await api('POST', '/v1/webhooks', b)).secret)} onDone={data.reload} />
          {secret && <p class="ok" role="status">Signing secret (shown once): <code>{secret}</code></p>}
        </section>
      )}
      <ErrorBox error={data.error} />
      <Table testId="webhooks" rows={data.data?.items ?? null} rowKey={(w: any) => w.id} empty="No webhooks." columns={[
        { label: 'name', cell: (w: any) => w.name },
        { label: 'url', cell: (w: any) => w.url },
        { label: 'severities', cell: (w: any) => text(w.severities) },
        { label: 'rules', cell: (w: any) => w.ruleIds.length === 0 ? 'all' : text(w.ruleIds) },
        { label: 'enabled', cell: (w: any) => String(w.enabled) },
        { label: '', cell: (w: any) => admin && <ActionButton danger label="Delete" confirm={`Delete webhook ${w.name}?`} action={async () => { await api('DELETE', `/v1/webhooks/${w.id}`); data.reload() }} /> },
      ]} />
    </div>
  )
}
