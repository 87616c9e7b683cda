// Data hooks for pages: load once or poll on an interval (paused while the tab is hidden), with the error kept for display.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks'
import { ApiFailure } from './api.js'

/** A loading value: data (or null before the first answer), the last error and a reload function. */
export interface Loaded<T> {
  data: T | null
  error: ApiFailure | Error | null
  loading: boolean
  reload: () => void
}

/** Runs `load` now, whenever `deps` change, and every `everyMs` while the tab is visible (0 = once). */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs = 0): Loaded<T> {
  const [data, setData] = useState<T | null>(null)
  const [error, setError] = useState<ApiFailure | Error | null>(null)
  const [loading, setLoading] = useState(true)
  const seq = useRef(0)
  const run = useCallback(() => {
    const mine = ++seq.current
    setLoading(true)
    load().then(
      (d) => {
        if (mine !== seq.current) return
        setData(d)
        setError(null)
        setLoading(false)
      },
      (e: unknown) => {
        if (mine !== seq.current) return
        setError(e instanceof Error ? e : new Error(String(e)))
        setLoading(false)
      },
    )
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps)
  useEffect(() => {
    run()
    if (everyMs <= 0) return
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') run()
    }, everyMs)
    return () => clearInterval(timer)
  }, [run, everyMs])
  return { data, error, loading, reload: run }
}
