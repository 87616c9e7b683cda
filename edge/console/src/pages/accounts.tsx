// Accounts and billing: balances, payments (the only way a balance moves), account CSV import/export, rate tables with their rates' CSV import/export.
import { useState } from 'preact/hooks'
import { api, qs } from '../api.js'
import { ActionButton, ErrorBox, Fields, Link, PageHead, Table, Tabs } from '../components.js'
import { num, text, time } from '../format.js'
import { SchemaForm } from '../form.js'
import { useLoad } from '../hooks.js'
import { navigate, type Route } from '../router.js'
import { useIsAdmin } from '../session.js'
import { CsvImport } from './csv-import.js'

/** Accounts (default tab) and rate tables (`?tab=rate-tables`). */
export function AccountsPage({ route }: { route: Route }) {
  const tab = route.query.get('tab') === 'rate-tables' ? 'rate-tables' : 'accounts'
  return (
    <div>
      <PageHead title="Accounts and billing" />
      <Tabs base="/accounts" active={tab} tabs={[{ id: 'accounts', label: 'Accounts' }, { id: 'rate-tables', label: 'Rate tables' }]} />
      {tab === 'accounts' ? <AccountList /> : <RateTableList />}
    </div>
  )
}

function AccountList() {
  const admin = useIsAdmin()
  const data = useLoad(() => api('GET', '/v1/accounts/export'), [], 10_000)
  const [creating, setCreating] = useState(false)
  return (
    <div>
      <p class="page-actions">
        <a href="/v1/accounts/export?format=csv" download>Export CSV</a>
        {admin && <button type="button" onClick={() => setCreating(!creating)}>{creating ? 'Close' : 'New account'}</button>}
      </p>
      {creating && <section class="panel"><SchemaForm operationId="createAccount" submitLabel="Create" onSubmit={(b) => api('POST', '/v1/accounts', b)} onDone={() => { setCreating(false); data.reload() }} /></section>}
      <ErrorBox error={data.error} />
      <Table testId="accounts" rows={data.data?.items ?? null} rowKey={(a: any) => a.id} onRow={(a: any) => navigate(`/accounts/${a.id}`)} columns={[
        { label: 'name', cell: (a: any) => <Link to={`/accounts/${a.id}`}>{a.name}</Link> },
        { label: 'type', cell: (a: any) => a.type },
        { label: 'status', cell: (a: any) => a.status === 'locked' ? <span class="badge bad">locked</span> : 'normal' },
        { label: 'balance', cell: (a: any) => num(a.balance, 4), className: 'num' },
        { label: 'overdraft', cell: (a: any) => num(a.overdraftLimit, 4), className: 'num' },
        { label: 'rate table', cell: (a: any) => a.rateTableId ? <Link to={`/rate-tables/${a.rateTableId}`}>{a.rateTableId}</Link> : <span class="muted">unrated</span> },
      ]} empty="No accounts yet." />
      {admin && <CsvImport path="/v1/accounts/import" noun="accounts" withMode onDone={data.reload} />}
    </div>
  )
}

/** One account: its settings (not the balance), a payment form and the payment history. */
export function AccountPage({ id }: { id: string }) {
  const admin = useIsAdmin()
  const account = useLoad(() => api('GET', `/v1/accounts/${id}`), [id])
  const payments = useLoad(() => api('GET', `/v1/accounts/${id}/payments?limit=100`), [id])
  const [amount, setAmount] = useState('')
  const [note, setNote] = useState('')
  const reload = () => { account.reload(); payments.reload() }
  const a = account.data
  return (
    <div>
      <PageHead title={a ? `Account ${a.name}` : 'Account'}><Link to="/accounts">all accounts</Link><Link to={`/cdrs?accountId=${id}`}>its CDRs</Link></PageHead>
      <ErrorBox error={account.error} />
      {a && (
        <div class="columns">
          <section class="panel">
            <h2>Balance {num(a.balance, 4)}</h2>
            {admin && (
              <form class="inline-form" onSubmit={async (e) => { e.preventDefault(); await api('POST', `/v1/accounts/${id}/payments`, { amount: Number(amount), note }); setAmount(''); setNote(''); reload() }}>
                <label>amount <input name="amount" value={amount} inputMode="decimal" onInput={(e) => setAmount((e.target as HTMLInputElement).value)} /></label>
                <label>note <input name="note" value={note} onInput={(e) => setNote((e.target as HTMLInputElement).value)} /></label>
                <button type="submit">Add payment</button>
              </form>
            )}
            <p class="muted">A negative amount is a correction. Balances change only through payments and the calls the core charges.</p>
            <Table testId="payments" rows={payments.data?.items ?? null} rowKey={(p: any) => p.id} empty="No payments." columns={[
              { label: 'at', cell: (p: any) => time(p.createdAt) },
              { label: 'amount', cell: (p: any) => num(p.amount, 4), className: 'num' },
              { label: 'balance after', cell: (p: any) => num(p.balanceAfter, 4), className: 'num' },
              { label: 'note', cell: (p: any) => p.note },
            ]} />
          </section>
          <section class="panel">
            <h2>Settings</h2>
            {admin ? <SchemaForm operationId="updateAccount" entity={a} skip={['balance']} submitLabel="Save" onSubmit={(b) => api('PATCH', `/v1/accounts/${id}`, b)} onDone={reload} /> : <Fields value={a} />}
          </section>
        </div>
      )}
    </div>
  )
}

function RateTableList() {
  const admin = useIsAdmin()
  const data = useLoad(() => api('GET', '/v1/rate-tables?limit=500'), [])
  return (
    <div>
      {admin && <section class="panel"><h2>New rate table</h2><SchemaForm operationId="createRateTable" submitLabel="Create" onSubmit={(b) => api('POST', '/v1/rate-tables', b)} onDone={data.reload} /></section>}
      <ErrorBox error={data.error} />
      <Table testId="rate-tables" rows={data.data?.items ?? null} rowKey={(t: any) => t.id} onRow={(t: any) => navigate(`/rate-tables/${t.id}`)} columns={[
        { label: 'name', cell: (t: any) => <Link to={`/rate-tables/${t.id}`}>{t.name}</Link> },
        { label: 'id', cell: (t: any) => t.id },
        { label: 'created', cell: (t: any) => time(t.createdAt) },
      ]} empty="No rate tables yet." />
    </div>
  )
}

/** One rate table: its rates (paged), CSV import and export. */
export function RateTablePage({ id, route }: { id: string; route: Route }) {
  const admin = useIsAdmin()
  const cursor = route.query.get('cursor') ?? undefined
  const table = useLoad(() => api('GET', `/v1/rate-tables/${id}`), [id])
  const rates = useLoad(() => api('GET', `/v1/rate-tables/${id}/rates${qs({ limit: 200, cursor })}`), [id, cursor])
  return (
    <div>
      <PageHead title={table.data ? `Rate table ${table.data.name}` : 'Rate table'}>
        <Link to="/accounts?tab=rate-tables">all rate tables</Link>
        <a href={`/v1/rate-tables/${id}/rates?format=csv`} download>Export CSV</a>
        {admin && <ActionButton danger label="Delete" confirm="Delete this rate table?" action={async () => { await api('DELETE', `/v1/rate-tables/${id}`); navigate('/accounts?tab=rate-tables') }} />}
      </PageHead>
      <ErrorBox error={table.error ?? rates.error} />
      <Table testId="rates" rows={rates.data?.items ?? null} rowKey={(r: any) => r.id} empty="No rates yet." columns={[
        { label: 'prefix', cell: (r: any) => r.prefix === '' ? '(default)' : r.prefix },
        { label: 'per minute', cell: (r: any) => text(r.pricePerMinute), className: 'num' },
        { label: 'first s', cell: (r: any) => r.firstIncrementSec, className: 'num' },
        { label: 'next s', cell: (r: any) => r.nextIncrementSec, className: 'num' },
        { label: 'effective from', cell: (r: any) => time(r.effectiveFrom) },
      ]} />
      {rates.data?.nextCursor && <nav class="pager"><Link to={`/rate-tables/${id}?cursor=${encodeURIComponent(rates.data.nextCursor)}`}>Next page</Link></nav>}
      {admin && <CsvImport path={`/v1/rate-tables/${id}/rates/import`} noun="rates" onDone={rates.reload} />}
    </div>
  )
}
