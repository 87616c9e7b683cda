// CSV import box: choose a file, send it as text/csv, show what was written or every bad row the API named.
import { useState } from 'preact/hooks'
import { api, qs } from '../api.js'
import { ErrorBox } from '../components.js'

/** Imports a CSV file into `path`; `withMode` offers create/upsert. */
export function CsvImport(props: { path: string; noun: string; withMode?: boolean; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null)
  const [mode, setMode] = useState('create')
  const [result, setResult] = useState<any>(null)
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  return (
    <section class="panel csv-import">
      <h2>Import {props.noun} from CSV</h2>
      <form class="inline-form" onSubmit={async (e) => {
        e.preventDefault()
        if (file === null) return
        setBusy(true)
        setError(null)
        setResult(null)
        try {
          const r = await api('POST', props.path + (props.withMode ? qs({ mode }) : ''), await file.text(), 'text/csv')
          setResult(r)
          props.onDone()
        } catch (err) {
          setError(err)
        } finally {
          setBusy(false)
        }
      }}>
        <input type="file" name="csv" accept=".csv,text/csv" aria-label="CSV file" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        {props.withMode && (
          <select name="mode" aria-label="import mode" value={mode} onChange={(e) => setMode((e.target as HTMLSelectElement).value)}>
            <option value="create">only new names</option>
            <option value="upsert">update existing names</option>
          </select>
        )}
        <button type="submit" disabled={busy || file === null}>{busy ? 'Importing…' : 'Import'}</button>
      </form>
      {result && (
        <p class="ok" role="status" data-testid="import-result">
          Imported {result.total} row(s){Array.isArray(result.created) ? `: ${result.created.length} created, ${result.updated.length} updated` : result.created !== undefined ? `: ${result.created} created, ${result.updated} updated` : ''}.
        </p>
      )}
      <ErrorBox error={error} />
    </section>
  )
}
