import { describe, expect, it } from 'vitest'
import { ManualClock } from '../../lib/clock.js'
import { WaitQueues } from './wait-queue.js'

describe('WaitQueues', () => {
  it('ends each wait exactly its span after it began, same spans in order, on one clock timer per span', () => {
    const clock = new ManualClock()
    const q = new WaitQueues(clock, (w) => w.waitOver(), (err) => { throw err })
    const ended: string[] = []
    const w = (name: string) => ({ waitOver: () => ended.push(`${name}@${clock.now()}`) })
    q.add(32_000, w('a'))
    clock.advance(10)
    q.add(32_000, w('b'))
    q.add(5_000, w('k'))
    expect(clock.pending).toBe(2)
    expect(q.size).toBe(3)
    clock.advance(31_989)
    expect(ended).toEqual(['k@5010'])
    clock.advance(1)
    expect(ended).toEqual(['k@5010', 'a@32000'])
    clock.advance(10)
    expect(ended).toEqual(['k@5010', 'a@32000', 'b@32010'])
    expect(q.size).toBe(0)
    expect(clock.pending).toBe(0)
  })

  it('reports a waiter that throws and still ends the others due with it', () => {
    const clock = new ManualClock()
    const errors: unknown[] = []
    const q = new WaitQueues(clock, (w) => w.waitOver(), (err) => errors.push(err))
    const ended: number[] = []
    q.add(0, { waitOver: () => { throw new Error('bug') } })
    q.add(0, { waitOver: () => ended.push(1) })
    clock.flush()
    expect(ended).toEqual([1])
    expect(errors).toHaveLength(1)
  })

  it('keeps its order through many waits begun and ended (the queue compacts as it drains)', () => {
    const clock = new ManualClock()
    const q = new WaitQueues(clock, (w) => w.waitOver(), (err) => { throw err })
    let next = 0
    let bad = 0
    for (let i = 0; i < 20_000; i++) {
      const n = i
      q.add(1_000, { waitOver: () => { if (n !== next++) bad++ } })
      clock.advance(1)
    }
    clock.advance(1_000)
    expect(next).toBe(20_000)
    expect(bad).toBe(0)
    expect(q.size).toBe(0)
  })
})
