// Login: an API key traded for the session cookie; the key itself is not kept by the browser.
import { useState } from 'preact/hooks'
import { api, type Session } from '../api.js'
import { ErrorBox } from '../components.js'

/** The login form; `onLogin` gets the new session. */
export function LoginPage(props: { onLogin: (s: Session) => void }) {
  const [key, setKey] = useState('')
  const [error, setError] = useState<unknown>(null)
  const [busy, setBusy] = useState(false)
  return (
    <main class="login">
      <form
        onSubmit={async (e) => {
          e.preventDefault()
          setBusy(true)
          setError(null)
          try {
            const s = await api<Session>('POST', '/v1/session', { apiKey: key.trim() })
            setKey('')
            props.onLogin(s)
          } catch (err) {
            setError(err)
          } finally {
            setBusy(false)
          }
        }}
      >
        <h1>Softswitch console</h1>
        <label for="api-key">API key</label>
        <input id="api-key" name="apiKey" type="password" autoComplete="off" required value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} />
        <button type="submit" disabled={busy}>Log in</button>
        <ErrorBox error={error} />
        <p class="muted">The key is exchanged for a session cookie that ends after an hour without use. Viewer keys see every page but change nothing.</p>
      </form>
    </main>
  )
}
