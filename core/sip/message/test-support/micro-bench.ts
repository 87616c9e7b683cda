// The timing loop of the SIP message-layer micro-benchmarks: warm-up, best of five rounds, one JSON line per case.

/** Runs fn `iterations` times per round and prints the best round as {name, opsPerSec, nsPerOp}. */
export function bench(name: string, fn: () => void, iterations: number): void {
  for (let i = 0; i < Math.min(iterations, 20_000); i++) fn() // warm-up
  let best = Infinity
  for (let round = 0; round < 5; round++) {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < iterations; i++) fn()
    const ns = Number(process.hrtime.bigint() - t0) / iterations
    if (ns < best) best = ns
  }
  console.log(JSON.stringify({ name, opsPerSec: Math.round(1e9 / best), nsPerOp: Math.round(best) }))
}
