// Refused-attempt tally micro-benchmark (run by `npm run bench` or `npx tsx --expose-gc core/policy/guard/refusal-tally.bench.ts`): ns per refused attempt for one guesser and for a flood of distinct sources, and the memory a full bucket holds; JSON lines { name, opsPerSec, nsPerOp, ... }.
import type { AuthRefusal } from './auth-refusals.js'
import { REFUSAL_MAX_KEYS, RefusalTally } from './refusal-tally.js'

const T0 = Date.UTC(2024, 0, 3, 12)
const N = 1_000_000

/** Refusals from `sources` distinct addresses (all in one bucket), over ten mapping gateways and three reasons. */
function events(sources: number): AuthRefusal[] {
  return Array.from({ length: N }, (_, i) => {
    const s = i % sources
    return {
      atMs: T0 + (i % 1000), sourceIp: `10.${(s >> 16) & 255}.${(s >> 8) & 255}.${s & 255}`, sourcePort: 40_000 + (i % 7),
      reason: (['wrong_password', 'unknown_user', 'ip_port_mismatch'] as const)[i % 3]!, mappingGatewayId: i % 3 === 1 ? null : `mgw_${i % 10}`,
      username: i % 3 === 2 ? null : `user${i % 50}`,
    }
  })
}

function bench(name: string, list: readonly AuthRefusal[]): void {
  const tally = new RefusalTally()
  for (let i = 0; i < 100_000; i++) tally.onAuthRefused(list[i]!)
  tally.take(T0 + 1)
  const start = process.hrtime.bigint()
  for (const e of list) tally.onAuthRefused(e)
  const ns = Number(process.hrtime.bigint() - start) / list.length
  console.log(JSON.stringify({ name, opsPerSec: Math.round(1e9 / ns), nsPerOp: Math.round(ns), keys: tally.keys, maxKeys: REFUSAL_MAX_KEYS }))
}

/** Heap a tally holds once one bucket is full (needs --expose-gc for a stable figure). */
function memory(): void {
  const gc = (globalThis as { gc?: () => void }).gc
  const list = events(N)
  gc?.()
  const before = process.memoryUsage().heapUsed
  const tally = new RefusalTally()
  for (const e of list) tally.onAuthRefused(e)
  gc?.()
  const bytes = process.memoryUsage().heapUsed - before
  // The events stay referenced until after the second reading, so only the tally's own memory is measured.
  console.log(JSON.stringify({ name: 'refusal tally: heap for one full bucket (1,000,000 sources)', bytes, keys: tally.keys, events: list.length, gcExposed: gc !== undefined }))
}

bench('refusal tally: one guesser', events(1))
bench('refusal tally: flood of 1,000,000 sources', events(N))
memory()
