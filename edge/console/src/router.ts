// Path routing under /console/: every page has a URL, links push history, and the back button works.
import { useEffect, useState } from 'preact/hooks'

/** The console's base path. */
export const BASE = '/console'

const listeners = new Set<() => void>()
addEventListener('popstate', () => listeners.forEach((l) => l()))

/** Goes to a console path (`/gateways?tab=routing`) without reloading. */
export function navigate(to: string, replace = false): void {
  const url = to.startsWith(BASE) ? to : BASE + to
  if (replace) history.replaceState(null, '', url)
  else history.pushState(null, '', url)
  listeners.forEach((l) => l())
  scrollTo(0, 0)
}

/** The current route: the path below /console (always starting with /) and the query. */
export interface Route {
  path: string
  query: URLSearchParams
}

function current(): Route {
  const path = location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : location.pathname
  return { path: path === '' ? '/' : path, query: new URLSearchParams(location.search) }
}

/** Re-renders on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(current)
  useEffect(() => {
    const update = () => setRoute(current())
    listeners.add(update)
    return () => void listeners.delete(update)
  }, [])
  return route
}

/** Replaces the query of the current page (filters kept in the URL so a page can be bookmarked). */
export function setQuery(params: Record<string, string | undefined>): void {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, v)
  const s = q.toString()
  navigate(location.pathname.slice(BASE.length) + (s === '' ? '' : `?${s}`), true)
}
