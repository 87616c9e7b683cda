import { describe, expect, it } from 'vitest'
import { ManualClock } from './clock.js'
import { Periodic } from './periodic.js'

/** A job whose runs end when the test says so. */
function gatedJob() {
  const gates: (() => void)[] = []
  let runs = 0
  const job = () => {
    runs++
    return new Promise<void>((resolve) => gates.push(resolve))
  }
  return { job, gates, runs: () => runs }
}

describe('Periodic', () => {
  it('runs now, then one period after each run ends, never two at once', async () => {
    const clock = new ManualClock()
    const g = gatedJob()
    const p = new Periodic(clock, 1000, g.job)
    p.start()
    expect(g.runs()).toBe(1)
    clock.advance(5000)
    expect(g.runs()).toBe(1)
    g.gates.shift()!()
    await Promise.resolve()
    await Promise.resolve()
    expect(clock.pending).toBe(1)
    clock.advance(999)
    expect(g.runs()).toBe(1)
    clock.advance(1)
    expect(g.runs()).toBe(2)
    g.gates.shift()!()
    await p.stop()
  })

  it('schedules nothing after a stop that came while a run was in flight', async () => {
    const clock = new ManualClock()
    const g = gatedJob()
    const p = new Periodic(clock, 1000, g.job)
    p.start()
    const stopped = p.stop()
    g.gates.shift()!()
    await stopped
    expect(clock.pending).toBe(0)
    clock.advance(10_000)
    expect(g.runs()).toBe(1)
  })

  it('waits one period before the first run when asked', async () => {
    const clock = new ManualClock()
    const g = gatedJob()
    const p = new Periodic(clock, 1000, g.job)
    p.start(true)
    expect(g.runs()).toBe(0)
    clock.advance(1000)
    expect(g.runs()).toBe(1)
    g.gates.shift()!()
    await p.stop()
    expect(clock.pending).toBe(0)
  })
})
