// Covers the event-loop watch: a blocked loop shows in the window's max delay and on /metrics.
import { afterEach, describe, expect, it } from 'vitest'
import { watchEventLoop, type EventLoopWatch } from './event-loop.js'
import { Metrics } from './metrics.js'

let watch: EventLoopWatch | undefined

afterEach(() => watch?.stop())

describe('watchEventLoop', () => {
  it('reports a 120 ms block of the loop as a window max of at least 100 ms, rendered as softswitch_eventloop_delay_max_seconds', async () => {
    const metrics = new Metrics()
    // A window long enough that the block falls inside the first one however late a loaded machine runs the timers.
    watch = watchEventLoop(metrics, { windowMs: 1_000, resolutionMs: 10 })
    const initial = watch.last
    await new Promise((ok) => setTimeout(ok, 50))
    const until = performance.now() + 120
    while (performance.now() < until) {
      // block the loop
    }
    const deadline = performance.now() + 10_000
    while (watch.last === initial && performance.now() < deadline) await new Promise((ok) => setTimeout(ok, 50))
    expect(watch.last.max).toBeGreaterThanOrEqual(0.1)
    expect(watch.last.p99).toBeLessThanOrEqual(watch.last.max)
    const rendered = /^softswitch_eventloop_delay_max_seconds (\S+)$/m.exec(await metrics.render())?.[1]
    expect(Number(rendered)).toBe(watch.last.max)
  })
})
