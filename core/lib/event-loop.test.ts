// Covers the event-loop watch: a blocked loop shows in the window's max delay and on /metrics.
import { afterEach, describe, expect, it } from 'vitest'
import { watchEventLoop, type EventLoopWatch } from './event-loop.js'
import { Metrics } from './metrics.js'

let watch: EventLoopWatch | undefined

afterEach(() => watch?.stop())

describe('watchEventLoop', () => {
  it('reports a 120 ms block of the loop as a window max of at least 100 ms, rendered as softswitch_eventloop_delay_max_seconds', async () => {
    const metrics = new Metrics()
    watch = watchEventLoop(metrics, { windowMs: 400, resolutionMs: 10 })
    await new Promise((ok) => setTimeout(ok, 50))
    const until = performance.now() + 120
    while (performance.now() < until) {
      // block the loop
    }
    await new Promise((ok) => setTimeout(ok, 500))
    expect(watch.last.max).toBeGreaterThanOrEqual(0.1)
    expect(watch.last.p99).toBeLessThanOrEqual(watch.last.max)
    expect(await metrics.render()).toMatch(/^softswitch_eventloop_delay_max_seconds 0\.1\d*/m)
  })
})
