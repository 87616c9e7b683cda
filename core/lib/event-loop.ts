// Event-loop health on /metrics: loop delay p50/p99/max and GC pauses over the last window, from perf_hooks (no timer of our own on the loop).
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks'
import type { Metrics } from './metrics.js'

/** Options; `windowMs` is how long one window of delay samples lasts before the gauges move (default 5 s). */
export interface EventLoopWatchOptions {
  windowMs?: number
  /** Sampling resolution of the delay monitor in ms (default 10). */
  resolutionMs?: number
}

/** Last window's figures, in seconds (what the gauges show). */
export interface EventLoopWindow {
  p50: number
  p99: number
  max: number
  gcPauseSec: number
  gcMaxPauseSec: number
}

/** A running watch; `stop()` ends the monitor, the GC observer and the window timer. */
export interface EventLoopWatch {
  readonly last: EventLoopWindow
  stop(): void
}

/** Registers gauges of the last window's event-loop delay (p50, p99, max) and GC pauses (sum, longest), refreshed every window. */
export function watchEventLoop(metrics: Metrics, opts: EventLoopWatchOptions = {}): EventLoopWatch {
  const windowMs = opts.windowMs ?? 5_000
  const resolutionMs = opts.resolutionMs ?? 10
  const h = monitorEventLoopDelay({ resolution: resolutionMs })
  h.enable()
  let gcSum = 0
  let gcMax = 0
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      gcSum += e.duration
      if (e.duration > gcMax) gcMax = e.duration
    }
  })
  gc.observe({ entryTypes: ['gc'] })
  const watch = { last: { p50: 0, p99: 0, max: 0, gcPauseSec: 0, gcMaxPauseSec: 0 }, stop }
  // Gauges, not a summary: each is one window's figure (prom-client's nodejs_eventloop_lag_* cover scrape intervals).
  metrics.gauge('eventloop_delay_p50_seconds', `Median event-loop delay in the last ${windowMs} ms window`, [], () => watch.last.p50).aggregate('max')
  metrics.gauge('eventloop_delay_p99_seconds', `99th percentile event-loop delay in the last ${windowMs} ms window`, [], () => watch.last.p99).aggregate('max')
  metrics.gauge('eventloop_delay_max_seconds', `Longest event-loop delay in the last ${windowMs} ms window`, [], () => watch.last.max).aggregate('max')
  metrics.gauge('gc_pause_window_seconds', `Time spent in GC pauses in the last ${windowMs} ms window`, [], () => watch.last.gcPauseSec)
  metrics.gauge('gc_pause_max_seconds', `Longest GC pause in the last ${windowMs} ms window`, [], () => watch.last.gcMaxPauseSec).aggregate('max')
  const roll = (): void => {
    // The histogram holds whole timer periods in ns (resolution included): the delay is what exceeds the resolution.
    const late = (ns: number): number => (h.count > 0 ? Math.max(0, ns / 1e6 - resolutionMs) / 1000 : 0)
    watch.last = { p50: late(h.percentile(50)), p99: late(h.percentile(99)), max: late(h.max), gcPauseSec: gcSum / 1000, gcMaxPauseSec: gcMax / 1000 }
    h.reset()
    gcSum = 0
    gcMax = 0
  }
  const timer = setInterval(roll, windowMs)
  timer.unref()
  function stop(): void {
    clearInterval(timer)
    h.disable()
    gc.disconnect()
  }
  return watch
}
