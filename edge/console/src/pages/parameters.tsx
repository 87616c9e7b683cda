// Parameters: the catalogue with units, bounds, defaults and descriptions; each value edited in place, the API's validation issues shown on its row.
import { useState } from 'preact/hooks'
import { api, ApiFailure } from '../api.js'
import { ErrorBox, PageHead } from '../components.js'
import { text } from '../format.js'
import { useLoad } from '../hooks.js'
import { useIsAdmin } from '../session.js'

/** A value typed into a text box as the JSON value the parameter wants. */
function parseValue(type: string, raw: string): unknown {
  if (type === 'boolean') return raw === 'true'
  if (type === 'integer' || type === 'money') return raw.trim() === '' ? raw : Number.isNaN(Number(raw)) ? raw : Number(raw)
  return raw
}

function ParameterRow({ p, admin, done }: { p: any; admin: boolean; done: () => void }) {
  const [value, setValue] = useState(text(p.value))
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  const dirty = value !== text(p.value)
  return (
    <tr data-key={p.name}>
      <td><code>{p.name}</code>{p.updatedAt === null ? '' : <span class="badge">set</span>}</td>
      <td>
        {admin ? (
          <form class="param-form" onSubmit={async (e) => {
            e.preventDefault()
            setError(null)
            setSaved(false)
            try {
              await api('PUT', `/v1/parameters/${p.name}`, { value: parseValue(p.type, value) })
              setSaved(true)
              done()
            } catch (err) {
              setError(err)
            }
          }}>
            {p.type === 'boolean' ? (
              <select aria-label={p.name} value={value} onChange={(e) => setValue((e.target as HTMLSelectElement).value)}>
                {['true', 'false'].map((o) => <option value={o}>{o}</option>)}
              </select>
            ) : <input aria-label={p.name} value={value} aria-invalid={error !== null} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />}
            <button type="submit" disabled={!dirty}>Save</button>
            {saved && !dirty && <span class="ok">saved</span>}
          </form>
        ) : text(p.value)}
        {error instanceof ApiFailure && error.issues.length > 0
          ? error.issues.map((i) => <small class="issue" role="alert">{i.message}</small>)
          : <ErrorBox error={error} />}
      </td>
      <td>{text(p.default)}</td>
      <td>{p.unit}</td>
      <td class="num">{p.min ?? ''}{p.min !== null || p.max !== null ? '..' : ''}{p.max ?? ''}</td>
      <td class="desc">{p.description}</td>
    </tr>
  )
}

/** The parameters page. */
export function ParametersPage() {
  const admin = useIsAdmin()
  const data = useLoad(() => api('GET', '/v1/parameters'), [])
  const [filter, setFilter] = useState('')
  const items = ((data.data?.items ?? []) as any[]).filter((p) => filter === '' || `${p.name} ${p.description}`.toLowerCase().includes(filter.toLowerCase()))
  return (
    <div>
      <PageHead title="Parameters"><input aria-label="filter parameters" placeholder="filter" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} /></PageHead>
      <ErrorBox error={data.error} />
      <div class="table-wrap">
        <table data-testid="parameters">
          <thead><tr><th>name</th><th>value</th><th>default</th><th>unit</th><th>bounds</th><th>description</th></tr></thead>
          <tbody>{items.map((p) => <ParameterRow key={`${p.name}:${text(p.value)}`} p={p} admin={admin} done={data.reload} />)}</tbody>
        </table>
      </div>
    </div>
  )
}
