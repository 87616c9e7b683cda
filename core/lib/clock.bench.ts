// Timer-queue cost per arm/cancel/fire at 200k pending timers, and the real clock's lateness with 10,000 timers due at one instant (run by `npm run bench`); prints JSON lines.
import { ManualClock, SystemClock } from './clock.js'

const N = 200_000
const clock = new ManualClock()
let fired = 0
const fire = (): void => void fired++
const t0 = performance.now()
const handles = []
for (let i = 0; i < N; i++) handles.push(clock.after((i * 7919) % 64_000, fire))
const t1 = performance.now()
for (let i = 0; i < N; i += 2) handles[i]!.cancel()
const t2 = performance.now()
clock.advance(64_000)
const t3 = performance.now()
const ns = (ms: number, n: number): number => Math.round((ms * 1e6) / n)
console.log(JSON.stringify({ name: 'clock: arm timer (200k pending)', nsPerOp: ns(t1 - t0, N), opsPerSec: Math.round((N * 1000) / (t1 - t0)) }))
console.log(JSON.stringify({ name: 'clock: cancel timer', nsPerOp: ns(t2 - t1, N / 2), opsPerSec: Math.round((N / 2 * 1000) / (t2 - t1)) }))
console.log(JSON.stringify({ name: 'clock: fire due timers', nsPerOp: ns(t3 - t2, fired), opsPerSec: Math.round((fired * 1000) / (t3 - t2)), fired }))

// A SIP node's pattern: each call arms a retransmission (T1) and a timeout (64*T1) timer and cancels both when its
// answer comes, with 100,000 calls' timers pending; a few delays, armed in time order.
{
  const sip = new ManualClock()
  const CALLS = 100_000
  const ring: Array<[{ cancel(): void }, { cancel(): void }]> = []
  for (let i = 0; i < CALLS; i++) ring.push([sip.after(500, fire), sip.after(32_000, fire)])
  const t4 = performance.now()
  for (let i = 0; i < N; i++) {
    const [a, b] = ring[i % CALLS]!
    a.cancel()
    b.cancel()
    ring[i % CALLS] = [sip.after(500, fire), sip.after(32_000, fire)]
    if (i % 100 === 0) sip.advance(1)
  }
  const t5 = performance.now()
  console.log(JSON.stringify({ name: 'clock: a call\'s T1 and 64*T1 timers armed and cancelled (100k calls pending)', nsPerOp: ns(t5 - t4, N), opsPerSec: Math.round((N * 1000) / (t5 - t4)) }))
}

// Lateness on the real clock: 10,000 timers due at the same instant (calls whose caps expire together) fire in one tick.
const sys = new SystemClock()
const LATE_N = 10_000
const lateness: number[] = []
const deadline = sys.now() + 300
for (let i = 0; i < LATE_N; i++) sys.after(deadline - sys.now(), () => void lateness.push(sys.now() - deadline))
await new Promise((ok) => setTimeout(ok, 600))
lateness.sort((a, b) => a - b)
const q = (p: number): number => Math.round(lateness[Math.min(lateness.length - 1, Math.floor(p * lateness.length))]! * 1000) / 1000
console.log(JSON.stringify({ name: 'clock: lateness of 10,000 timers due at one instant (SystemClock, empty callbacks)', fired: lateness.length, p50Ms: q(0.5), p99Ms: q(0.99), maxMs: q(1) }))
