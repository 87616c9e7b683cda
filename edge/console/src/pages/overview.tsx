// Overview and wallboard: calls now, calls/s, ASR/ACD/PDD over 24 h by 5 min or hour, top termination reasons, offline gateways, firing alerts and diagnosis findings; refreshes live.
import { useMemo } from 'preact/hooks'
import { api, qs } from '../api.js'
import { Chart } from '../chart.js'
import { ErrorBox, Link, PageHead, Stat, Table } from '../components.js'
import { duration, num, percent, text, time } from '../format.js'
import { useLoad } from '../hooks.js'
import { navigate, type Route } from '../router.js'

const DAY_MS = 86_400_000

interface Row {
  key: string | null
  attempts: number
  answered: number
  asr: number
  acdSec: number | null
  avgPddMs: number | null
  failuresByReason: Record<string, number>
}

/** Bucket starts over the last 24 h and the values of each series per bucket (null where no call started). */
function buckets(rows: Row[], stepMs: number, nowMs: number) {
  const first = Math.floor((nowMs - DAY_MS) / stepMs) * stepMs
  const byKey = new Map(rows.map((r) => [Date.parse(r.key ?? ''), r]))
  const x: number[] = []
  const attempts: (number | null)[] = []
  const answered: (number | null)[] = []
  const asr: (number | null)[] = []
  const acd: (number | null)[] = []
  const pdd: (number | null)[] = []
  for (let t = first; t <= nowMs; t += stepMs) {
    const r = byKey.get(t)
    x.push(t / 1000)
    attempts.push(r?.attempts ?? 0)
    answered.push(r?.answered ?? 0)
    asr.push(r === undefined ? null : Math.round(r.asr * 1000) / 10)
    acd.push(r?.acdSec ?? null)
    pdd.push(r?.avgPddMs ?? null)
  }
  return { x, attempts, answered, asr, acd, pdd }
}

/** The overview page; `?bucket=hour` switches the charts to hourly, `?wall=1` is the wallboard layout. */
export function OverviewPage({ route }: { route: Route }) {
  const bucket = route.query.get('bucket') === 'hour' ? 'hour' : 'fiveMinutes'
  const stepMs = bucket === 'hour' ? 3_600_000 : 300_000
  const wall = route.query.get('wall') === '1'

  const live = useLoad(async () => {
    const [calls, mapping, routing, alerts] = await Promise.all([
      api('GET', '/v1/calls?limit=1'),
      api('GET', '/v1/status/mapping-gateways'),
      api('GET', '/v1/status/gateways'),
      api('GET', '/v1/alerts?state=firing&limit=50'),
    ])
    const callsPerSec = (mapping.items as { callsPerSec: number }[]).reduce((s, g) => s + g.callsPerSec, 0)
    return { calls, callsPerSec, offline: (routing.items as any[]).filter((g) => !g.online), alerts: alerts.items as any[] }
  }, [], 3_000)

  const day = useLoad(async () => {
    const nowMs = Date.now()
    const window = { from: new Date(nowMs - DAY_MS - stepMs).toISOString(), to: new Date(nowMs + 1000).toISOString() }
    const [series, reasons, total, diagnosis, gateways] = await Promise.all([
      api('GET', `/v1/analysis/calls${qs({ ...window, groupBy: bucket })}`),
      api('GET', `/v1/analysis/calls${qs({ ...window, groupBy: 'reason' })}`),
      api('GET', `/v1/analysis/calls${qs({ from: new Date(nowMs - DAY_MS).toISOString(), to: window.to, groupBy: 'account' })}`),
      api('GET', `/v1/analysis/diagnosis${qs({ from: new Date(nowMs - 3_600_000).toISOString(), to: window.to })}`),
      api('GET', '/v1/routing-gateways?limit=500'),
    ])
    const rows = total.items as Row[]
    const sum = (f: (r: Row) => number) => rows.reduce((s, r) => s + f(r), 0)
    const attempts = sum((r) => r.attempts)
    const answered = sum((r) => r.answered)
    const acdWeighted = sum((r) => (r.acdSec ?? 0) * r.answered)
    const pddRows = rows.filter((r) => r.avgPddMs !== null)
    const pddWeight = pddRows.reduce((s, r) => s + r.attempts, 0)
    return {
      nowMs,
      chart: buckets(series.items as Row[], stepMs, nowMs),
      reasons: (reasons.items as Row[]).map((r) => ({ reason: r.key ?? '(none)', calls: r.attempts })).sort((a, b) => b.calls - a.calls).slice(0, 8),
      attempts,
      asr: attempts === 0 ? null : answered / attempts,
      acd: answered === 0 ? null : acdWeighted / answered,
      pdd: pddWeight === 0 ? null : pddRows.reduce((s, r) => s + (r.avgPddMs ?? 0) * r.attempts, 0) / pddWeight,
      findings: diagnosis.findings as any[],
      names: new Map((gateways.items as any[]).map((g) => [g.id, g.name])),
    }
  }, [bucket], 30_000)

  const chart = day.data?.chart
  const callSeries = useMemo(() => chart === undefined ? [] : [
    { label: 'attempts', color: '#4e9af1', values: chart.attempts },
    { label: 'answered', color: '#3fbf7f', values: chart.answered },
  ], [chart])
  const qualitySeries = useMemo(() => chart === undefined ? [] : [{ label: 'ASR %', color: '#f1c14e', values: chart.asr, scale: '%' }], [chart])
  const timeSeries = useMemo(() => chart === undefined ? [] : [
    { label: 'ACD s', color: '#c07df0', values: chart.acd, scale: 's' },
    { label: 'PDD ms', color: '#f0787d', values: chart.pdd, scale: 'ms' },
  ], [chart])

  const nodes = (live.data?.calls.nodes ?? []) as { nodeId: string; stale: boolean }[]
  return (
    <div class={wall ? 'overview wall' : 'overview'}>
      <PageHead title="Overview">
        <a href={`/console/overview${qs({ bucket: bucket === 'hour' ? undefined : 'hour', wall: wall ? '1' : undefined })}`} onClick={(e) => { e.preventDefault(); navigate(`/overview${qs({ bucket: bucket === 'hour' ? undefined : 'hour', wall: wall ? '1' : undefined })}`) }}>
          {bucket === 'hour' ? 'by 5 minutes' : 'by hour'}
        </a>
        <a href={`/console/overview${qs({ bucket: bucket === 'hour' ? 'hour' : undefined, wall: wall ? undefined : '1' })}`}>{wall ? 'leave wallboard' : 'wallboard'}</a>
      </PageHead>
      <ErrorBox error={live.error ?? day.error} />
      <section class="stats">
        <Stat testId="stat-calls-now" label="Calls now" value={live.data ? String(live.data.calls.total) : '…'} hint={`${nodes.filter((n) => !n.stale).length} core node(s) live${nodes.some((n) => n.stale) ? `, ${nodes.filter((n) => n.stale).length} silent` : ''}`} tone={nodes.some((n) => n.stale) ? 'warn' : undefined} />
        <Stat testId="stat-cps" label="Calls/s" value={live.data ? num(live.data.callsPerSec) : '…'} hint="over the last 30 s" />
        <Stat testId="stat-asr" label="ASR 24 h" value={day.data ? percent(day.data.asr) : '…'} hint={day.data ? `${day.data.attempts} attempts` : ''} />
        <Stat testId="stat-acd" label="ACD 24 h" value={day.data ? (day.data.acd === null ? '–' : duration(day.data.acd)) : '…'} />
        <Stat testId="stat-pdd" label="PDD 24 h" value={day.data?.pdd != null ? `${Math.round(day.data.pdd)} ms` : '–'} />
        <Stat testId="stat-offline" label="Gateways offline" value={live.data ? String(live.data.offline.length) : '…'} tone={live.data && live.data.offline.length > 0 ? 'bad' : 'good'} />
        <Stat testId="stat-alerts" label="Alerts firing" value={live.data ? String(live.data.alerts.length) : '…'} tone={live.data && live.data.alerts.length > 0 ? 'bad' : 'good'} />
      </section>
      {chart && (
        <section class="charts">
          <Chart testId="chart-calls" title={`Calls per ${bucket === 'hour' ? 'hour' : '5 minutes'}`} x={chart.x} series={callSeries} />
          <Chart testId="chart-asr" title="ASR" x={chart.x} series={qualitySeries} />
          <Chart testId="chart-acd-pdd" title="ACD and PDD" x={chart.x} series={timeSeries} />
        </section>
      )}
      <section class="panels">
        <div class="panel">
          <h2>Top termination reasons (24 h)</h2>
          <Table testId="top-reasons" columns={[
            { label: 'reason', cell: (r) => <Link to={`/cdrs?reason=${r.reason}`}>{r.reason}</Link> },
            { label: 'calls', cell: (r) => r.calls, className: 'num' },
            { label: 'share', cell: (r) => percent(day.data && day.data.attempts > 0 ? r.calls / day.data.attempts : null), className: 'num' },
          ]} rows={day.data?.reasons ?? null} rowKey={(r) => r.reason} empty="No calls in the last 24 hours." />
        </div>
        <div class="panel">
          <h2>Gateways offline</h2>
          <Table testId="offline-gateways" columns={[
            { label: 'gateway', cell: (g: any) => <Link to={`/gateways/routing/${g.routingGatewayId}`}>{day.data?.names.get(g.routingGatewayId) ?? g.routingGatewayId}</Link> },
            { label: 'last check', cell: (g: any) => time(g.lastCheckAt) },
            { label: 'last code', cell: (g: any) => text(g.lastCode) },
          ]} rows={live.data?.offline ?? null} rowKey={(g: any) => g.routingGatewayId} empty="Every checked gateway answers OPTIONS." />
          <h2>Alerts firing</h2>
          <Table testId="firing-alerts" columns={[
            { label: 'since', cell: (a: any) => time(a.firedAt) },
            { label: 'rule', cell: (a: any) => a.ruleName ?? a.ruleId },
            { label: 'value', cell: (a: any) => num(a.value, 3) },
          ]} rows={live.data?.alerts ?? null} rowKey={(a: any) => a.id} empty="No alert is firing." />
        </div>
      </section>
      <section class="panel">
        <h2>Diagnosis (last hour)</h2>
        <Table testId="findings" columns={[
          { label: 'severity', cell: (f: any) => <span class={`badge ${f.severity}`}>{f.severity}</span> },
          { label: 'finding', cell: (f: any) => f.kind },
          { label: 'about', cell: (f: any) => <FindingScope scope={f.scope} names={day.data?.names} /> },
          { label: 'cause', cell: (f: any) => f.cause },
          { label: 'advice', cell: (f: any) => f.advice },
          { label: 'evidence', cell: (f: any) => <FindingEvidence evidence={f.evidence} /> },
        ]} rows={day.data?.findings ?? null} rowKey={(f: any) => `${f.kind}${JSON.stringify(f.scope)}`} empty="Nothing to diagnose in the last hour." />
      </section>
    </div>
  )
}

/** What a finding is about, each gateway and account a link to its page. */
function FindingScope({ scope, names }: { scope: Record<string, any>; names: Map<string, string> | undefined }) {
  const parts = []
  if (scope.routingGatewayId) parts.push(<Link to={`/gateways/routing/${scope.routingGatewayId}`}>{names?.get(scope.routingGatewayId) ?? scope.routingGatewayId}</Link>)
  if (scope.mappingGatewayId) parts.push(<Link to={`/gateways/mapping/${scope.mappingGatewayId}`}>{scope.mappingGatewayId}</Link>)
  if (scope.accountId) parts.push(<Link to={`/accounts/${scope.accountId}`}>{scope.accountId}</Link>)
  if (scope.clearingAccountId) parts.push(<Link to={`/accounts/${scope.clearingAccountId}`}>{scope.clearingAccountId}</Link>)
  if (scope.prefix !== undefined) parts.push(<span>prefix {scope.prefix === '' ? '(any)' : scope.prefix}</span>)
  if (scope.sourceIp) parts.push(<span>{scope.sourceIp}</span>)
  if (scope.sourceIps) parts.push(<span>{text(scope.sourceIps)}</span>)
  if (scope.side) parts.push(<span>our network</span>)
  return <span class="finding-scope">{parts.map((p, i) => <>{i > 0 ? ' · ' : ''}{p}</>)}</span>
}

/** A finding's numbers, its example CDRs as links. */
function FindingEvidence({ evidence }: { evidence: Record<string, any> }) {
  const { exampleCdrIds, window: _window, ...numbers } = evidence
  return (
    <span>
      {text(numbers)}
      {(exampleCdrIds ?? []).length > 0 && <> · examples: {(exampleCdrIds as string[]).map((id, i) => <>{i > 0 ? ', ' : ''}<Link to={`/cdrs/${id}`}>{id}</Link></>)}</>}
    </span>
  )
}
