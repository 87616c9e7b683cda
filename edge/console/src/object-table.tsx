// A table for an array of objects whose columns the console does not know in advance: one column per key (how analysis results are shown).
import { text } from './format.js'

/** Every key of the rows, in first-seen order. */
function keysOf(rows: Record<string, unknown>[]): string[] {
  const keys: string[] = []
  for (const r of rows) for (const k of Object.keys(r)) if (!keys.includes(k)) keys.push(k)
  return keys
}

/** Rows as a table; nested values as compact JSON. */
export function ObjectTable(props: { rows: Record<string, unknown>[]; testId?: string; empty?: string }) {
  const keys = keysOf(props.rows)
  if (props.rows.length === 0) return <p class="muted">{props.empty ?? 'None.'}</p>
  return (
    <div class="table-wrap">
      <table data-testid={props.testId}>
        <thead><tr>{keys.map((k) => <th>{k}</th>)}</tr></thead>
        <tbody>
          {props.rows.map((r) => <tr>{keys.map((k) => <td>{text(r[k])}</td>)}</tr>)}
        </tbody>
      </table>
    </div>
  )
}
