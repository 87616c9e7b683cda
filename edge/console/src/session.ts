// The logged-in key, shared by every page (writes are hidden from viewers; the API refuses them anyway).
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { Session } from './api.js'

/** The current session (null until known). */
export const SessionContext = createContext<Session | null>(null)

/** True when the logged-in key may write. */
export function useIsAdmin(): boolean {
  return useContext(SessionContext)?.role === 'admin'
}
