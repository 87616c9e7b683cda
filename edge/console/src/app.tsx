// The console shell: session check, login, navigation and the page for the current URL.
import { useEffect, useState } from 'preact/hooks'
import { api, setCsrfToken, whenUnauthorized, type Session } from './api.js'
import { Link } from './components.js'
import { navigate, useRoute, type Route } from './router.js'
import { SessionContext } from './session.js'
import { AccountPage, AccountsPage, RateTablePage } from './pages/accounts.js'
import { AlertsPage } from './pages/alerts.js'
import { AuditPage } from './pages/audit.js'
import { CallsPage } from './pages/calls.js'
import { CdrPage, CdrsPage } from './pages/cdrs.js'
import { GatewayPage, GatewaysPage } from './pages/gateways.js'
import { LoginPage } from './pages/login.js'
import { OverviewPage } from './pages/overview.js'
import { ParametersPage } from './pages/parameters.js'

const NAV = [
  ['/overview', 'Overview'],
  ['/gateways', 'Gateways'],
  ['/calls', 'Live calls'],
  ['/cdrs', 'CDRs'],
  ['/accounts', 'Accounts'],
  ['/parameters', 'Parameters'],
  ['/alerts', 'Alerts'],
  ['/audit', 'Audit log'],
] as const

/** The page for a path below /console. */
function page(route: Route) {
  const parts = route.path.split('/').filter((p) => p !== '').map(decodeURIComponent)
  switch (parts[0]) {
    case undefined:
    case 'overview': return <OverviewPage route={route} />
    case 'gateways': return parts[2] !== undefined && (parts[1] === 'routing' || parts[1] === 'mapping') ? <GatewayPage kind={parts[1]} id={parts[2]} /> : <GatewaysPage route={route} />
    case 'calls': return <CallsPage route={route} />
    case 'cdrs': return parts[1] !== undefined ? <CdrPage id={parts[1]} /> : <CdrsPage route={route} />
    case 'accounts': return parts[1] !== undefined ? <AccountPage id={parts[1]} /> : <AccountsPage route={route} />
    case 'rate-tables': return parts[1] !== undefined ? <RateTablePage id={parts[1]} route={route} /> : <AccountsPage route={route} />
    case 'parameters': return <ParametersPage />
    case 'alerts': return <AlertsPage route={route} />
    case 'audit': return <AuditPage route={route} />
    default: return <p>No page at {route.path}. <Link to="/overview">Overview</Link></p>
  }
}

/** The whole console. */
export function App() {
  const route = useRoute()
  const [session, setSession] = useState<Session | null | 'none'>(null)
  useEffect(() => {
    whenUnauthorized(() => setSession('none'))
    api<Session>('GET', '/v1/session').then(
      (s) => { setCsrfToken(s.csrfToken); setSession(s) },
      () => setSession('none'),
    )
  }, [])
  if (session === null) return <p class="boot">Loading the console…</p>
  if (session === 'none' || route.path === '/login') {
    return <LoginPage onLogin={(s) => { setCsrfToken(s.csrfToken); setSession(s); if (route.path === '/login') navigate('/overview', true) }} />
  }
  const section = `/${route.path.split('/')[1] ?? ''}`
  const wall = route.query.get('wall') === '1'
  return (
    <SessionContext.Provider value={session}>
      {!wall && (
        <nav class="topnav" aria-label="console">
          <span class="brand">softswitch</span>
          {NAV.map(([to, label]) => <Link to={to} class={section === to || (to === '/overview' && section === '/') || (to === '/accounts' && section === '/rate-tables') || (to === '/gateways' && section === '/gateways') ? 'active' : undefined}>{label}</Link>)}
          <span class="who" data-testid="who">{session.keyName} ({session.role})</span>
          <button type="button" onClick={async () => { await api('DELETE', '/v1/session').catch(() => undefined); setCsrfToken(null); setSession('none') }}>Log out</button>
        </nav>
      )}
      <main class="content">{page(route)}</main>
    </SessionContext.Provider>
  )
}
