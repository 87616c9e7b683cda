// Small shared pieces of every page: tables, errors, tiles, tabs, JSON display, confirm buttons and downloads.
import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { ApiFailure } from './api.js'
import { text } from './format.js'
import { navigate } from './router.js'

/** One column: header, how to read the cell from a row, optional class. */
export interface Column<R> {
  label: string
  cell: (row: R) => ComponentChildren
  className?: string
}

/** A data table; `testId` names it for tests and styles; rows may be clickable. */
export function Table<R>(props: { columns: Column<R>[]; rows: R[] | null; rowKey: (r: R) => string; empty?: string; onRow?: (r: R) => void; testId?: string }) {
  const { columns, rows } = props
  return (
    <div class="table-wrap">
      <table data-testid={props.testId}>
        <thead>
          <tr>{columns.map((c) => <th class={c.className}>{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {rows === null ? (
            <tr><td colSpan={columns.length} class="muted">Loading…</td></tr>
          ) : rows.length === 0 ? (
            <tr><td colSpan={columns.length} class="muted">{props.empty ?? 'Nothing here.'}</td></tr>
          ) : (
            rows.map((r) => (
              <tr key={props.rowKey(r)} data-key={props.rowKey(r)} class={props.onRow ? 'clickable' : undefined} onClick={props.onRow ? () => props.onRow!(r) : undefined}>
                {columns.map((c) => <td class={c.className}>{c.cell(r)}</td>)}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  )
}

/** An API error with its issues (or any error's message). */
export function ErrorBox({ error }: { error: unknown }) {
  if (error === null || error === undefined) return null
  const failure = error instanceof ApiFailure ? error : null
  return (
    <div class="error" role="alert">
      <strong>{failure ? `${failure.status} ${failure.code}: ` : ''}</strong>
      {error instanceof Error ? error.message : String(error)}
      {failure && failure.issues.length > 0 && (
        <ul>{failure.issues.slice(0, 50).map((i) => <li><code>{i.path.join('.') || '(body)'}</code> {i.message}</li>)}</ul>
      )}
      {failure && failure.issues.length > 50 && <p>… and {failure.issues.length - 50} more</p>}
    </div>
  )
}

/** A headline number. */
export function Stat(props: { label: string; value: ComponentChildren; hint?: string; tone?: 'good' | 'warn' | 'bad'; testId?: string }) {
  return (
    <div class={`stat ${props.tone ?? ''}`} data-testid={props.testId}>
      <div class="stat-label">{props.label}</div>
      <div class="stat-value">{props.value}</div>
      {props.hint && <div class="stat-hint">{props.hint}</div>}
    </div>
  )
}

/** Tabs kept in the URL (`?tab=`), so each one is reachable by link. */
export function Tabs(props: { tabs: { id: string; label: string }[]; active: string; base: string }) {
  return (
    <nav class="tabs" role="tablist">
      {props.tabs.map((t) => (
        <a role="tab" aria-selected={t.id === props.active} href={`/console${props.base}?tab=${t.id}`} onClick={(e) => { e.preventDefault(); navigate(`${props.base}?tab=${t.id}`) }}>
          {t.label}
        </a>
      ))}
    </nav>
  )
}

/** A console link that navigates without reloading. */
export function Link(props: { to: string; children: ComponentChildren; class?: string }) {
  return <a href={`/console${props.to}`} class={props.class} onClick={(e) => { if (e.button === 0 && !e.ctrlKey && !e.metaKey) { e.preventDefault(); navigate(props.to) } }}>{props.children}</a>
}

/** Any JSON value as an indented block: how the console shows API answers whose columns it does not know. */
export function JsonView({ value }: { value: unknown }) {
  return <pre class="json">{JSON.stringify(value, null, 2)}</pre>
}

/** A generic key/value table of one object's scalar fields (objects as JSON). */
export function Fields({ value }: { value: Record<string, unknown> }) {
  return (
    <dl class="fields">
      {Object.entries(value).map(([k, v]) => [<dt>{k}</dt>, <dd>{typeof v === 'object' && v !== null ? <code>{JSON.stringify(v)}</code> : text(v)}</dd>])}
    </dl>
  )
}

/** A button that asks before it acts and shows its own error. */
export function ActionButton(props: { label: string; confirm?: string; action: () => Promise<unknown>; disabled?: boolean; danger?: boolean; title?: string }) {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(null)
  return (
    <span class="action">
      <button
        type="button"
        class={props.danger ? 'danger' : undefined}
        disabled={busy || props.disabled}
        title={props.title}
        onClick={async (e) => {
          e.stopPropagation()
          if (props.confirm !== undefined && !confirm(props.confirm)) return
          setBusy(true)
          setError(null)
          try {
            await props.action()
          } catch (err) {
            setError(err)
          } finally {
            setBusy(false)
          }
        }}
      >
        {busy ? '…' : props.label}
      </button>
      {error !== null && <ErrorBox error={error} />}
    </span>
  )
}

/** Reads a chosen file as text (CSV imports). */
export function readFileText(file: File): Promise<string> {
  return file.text()
}

/** The page title and its actions. */
export function PageHead(props: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-head">
      <h1>{props.title}</h1>
      <div class="page-actions">{props.children}</div>
    </header>
  )
}
