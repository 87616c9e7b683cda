// Covers the timer queue every RFC 3261 §17 timer runs on: ordering, cancellation and re-entrancy, for ManualClock and SystemClock.
import { describe, expect, it } from 'vitest'
import { ClockError, ManualClock, SystemClock } from './clock.js'

describe('ManualClock', () => {
  it('fires timers in time order, ties in scheduling order, and sets now() to each due time', () => {
    const c = new ManualClock()
    const seen: string[] = []
    c.after(30, () => seen.push(`c@${c.now()}`))
    c.after(10, () => seen.push(`a@${c.now()}`))
    c.after(10, () => seen.push(`b@${c.now()}`))
    c.advance(29)
    expect(seen).toEqual(['a@10', 'b@10'])
    expect(c.now()).toBe(29)
    c.advance(1)
    expect(seen).toEqual(['a@10', 'b@10', 'c@30'])
  })

  it('does not fire a cancelled timer and tolerates double cancel', () => {
    const c = new ManualClock()
    let fired = 0
    const h = c.after(5, () => fired++)
    h.cancel()
    h.cancel()
    c.advance(10)
    expect(fired).toBe(0)
    expect(c.pending).toBe(0)
  })

  it('fires timers scheduled by fired callbacks within the same advance', () => {
    const c = new ManualClock()
    const at: number[] = []
    const again = (): void => {
      at.push(c.now())
      if (at.length < 4) c.after(100, again)
    }
    c.after(100, again)
    c.advance(350)
    expect(at).toEqual([100, 200, 300])
    c.advance(50)
    expect(at).toEqual([100, 200, 300, 400])
  })

  it('lets a callback cancel a later timer due in the same advance', () => {
    const c = new ManualClock()
    let fired = false
    const later = c.after(20, () => (fired = true))
    c.after(10, () => later.cancel())
    c.advance(100)
    expect(fired).toBe(false)
  })

  it('flush() runs zero-delay timers without moving time, and step() jumps to the next timer', () => {
    const c = new ManualClock(1000)
    const seen: number[] = []
    c.after(0, () => seen.push(c.now()))
    c.flush()
    expect(seen).toEqual([1000])
    c.after(250, () => seen.push(c.now()))
    expect(c.nextAt()).toBe(1250)
    expect(c.step()).toBe(true)
    expect(seen).toEqual([1000, 1250])
    expect(c.step()).toBe(false)
  })

  it('keeps order across many timers after heavy cancellation (compaction)', () => {
    const c = new ManualClock()
    const order: number[] = []
    const handles = []
    for (let i = 0; i < 1000; i++) {
      const d = (i * 7919) % 1000
      handles.push({ d, h: c.after(d, () => order.push(d)) })
    }
    for (const { d, h } of handles) if (d % 3 !== 0) h.cancel()
    expect(c.pending).toBe(handles.filter((x) => x.d % 3 === 0).length)
    c.advance(1000)
    const expected = handles.map((x) => x.d).filter((d) => d % 3 === 0).sort((a, b) => a - b)
    expect(order).toEqual(expected)
  })

  it('fires in (time, scheduling) order when timers of a few delays are armed, cancelled and re-armed over time', () => {
    const c = new ManualClock()
    // A deterministic generator: the same sequence on every run.
    let seed = 7
    const rnd = (n: number): number => ((seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff) % n)
    // SIP-like delays (each gets a lane) plus spread-out ones beyond the lane count (heap alone).
    const delay = (): number => (rnd(4) === 0 ? 1000 + rnd(5000) : [0, 500, 1000, 4000, 32000][rnd(5)]!)
    const live: Array<{ at: number; seq: number; h: { cancel(): void } }> = []
    const fired: number[] = []
    const expected: number[] = []
    let seq = 0
    for (let step = 0; step < 400; step++) {
      for (let k = rnd(40); k > 0; k--) {
        const d = delay()
        const id = seq++
        live.push({ at: c.now() + d, seq: id, h: c.after(d, () => fired.push(id)) })
      }
      for (let k = rnd(30); k > 0 && live.length > 0; k--) live.splice(rnd(live.length), 1)[0]!.h.cancel()
      const to = c.now() + rnd(3000)
      const due = live.filter((x) => x.at <= to).sort((a, b) => a.at - b.at || a.seq - b.seq)
      for (const x of due) expected.push(x.seq)
      for (const x of due) live.splice(live.indexOf(x), 1)
      c.advance(to - c.now())
      expect(c.pending).toBe(live.length)
    }
    expect(fired).toEqual(expected)
    expect(fired.length).toBeGreaterThan(1000)
  })

  it('keeps order in one long lane of a delay through mass cancellation and a long run of firings', () => {
    const c = new ManualClock()
    const fired: number[] = []
    const handles: Array<{ cancel(): void }> = []
    for (let i = 0; i < 5000; i++) {
      handles.push(c.after(32_000, () => fired.push(i)))
      c.advance(1)
    }
    for (let i = 0; i < 5000; i++) if (i % 10 !== 3) handles[i]!.cancel()
    expect(c.pending).toBe(500)
    for (let i = 0; i < 3000; i++) c.after(32_000, () => fired.push(5000 + i))
    c.advance(32_000)
    expect(fired).toEqual([...Array.from({ length: 500 }, (_, k) => k * 10 + 3), ...Array.from({ length: 3000 }, (_, k) => 5000 + k)])
    expect(c.pending).toBe(0)
  })

  it('throws ClockError for a negative delay', () => {
    expect(() => new ManualClock().after(-1, () => {})).toThrow(ClockError)
  })
})

describe('SystemClock', () => {
  it('fires timers in order on one driving setTimeout, not before their due time', async () => {
    const c = new SystemClock({ unref: true })
    const seen: Array<[string, number]> = []
    const t0 = c.now()
    await new Promise<void>((resolve) => {
      c.after(20, () => seen.push(['b', c.now() - t0]))
      c.after(5, () => seen.push(['a', c.now() - t0]))
      c.after(25, () => resolve())
    })
    expect(seen.map((s) => s[0])).toEqual(['a', 'b'])
    expect(seen[0]![1]).toBeGreaterThanOrEqual(5)
    expect(seen[1]![1]).toBeGreaterThanOrEqual(20)
  })

  it('skips cancelled timers and keeps running after a callback throws', async () => {
    const errors: unknown[] = []
    const c = new SystemClock({ unref: true, onError: (e) => errors.push(e) })
    let cancelledFired = false
    const h = c.after(1, () => (cancelledFired = true))
    h.cancel()
    c.after(2, () => {
      throw new Error('bug')
    })
    await new Promise<void>((resolve) => c.after(5, resolve))
    expect(cancelledFired).toBe(false)
    expect(errors).toHaveLength(1)
    expect(c.pending).toBe(0)
  })

  it('re-arms for an earlier timer added after a later one', async () => {
    const c = new SystemClock({ unref: true })
    const seen: string[] = []
    const done = new Promise<void>((resolve) => c.after(200, () => (seen.push('late'), resolve())))
    await new Promise<void>((resolve) => c.after(3, () => (seen.push('early'), resolve())))
    expect(seen).toEqual(['early'])
    await done
    expect(seen).toEqual(['early', 'late'])
  })
})
