// The V8 flags every core process runs with: the Dockerfile's CMD, `npm start`, `npm run start:core`, the fork of each worker and the test harness pass these.

/**
 * `--max-semi-space-size=32`: V8 sizes the young generation from the machine's memory: 16 MB semi-spaces on a 1 GB VM
 * (Fly's `shared-cpu-2x` with 1 GB), 64 MB on a large one. A call allocates ~110 KiB, most of it dead within
 * milliseconds; the smaller the young generation, the more often a scavenge copies (and then promotes) what is merely in
 * flight. Measured in a 1 GiB memory cgroup at 500 calls/s (docs/capacity.md, "Garbage collection"): 16 MB ran 44-48
 * scavenges per 10 s, 32 MB 21-23, 64 MB 9-11; PSS 154-197, 183-192 and 233-270 MiB. 32 halves the scavenges for
 * little memory; 64 costs 60-80 MiB more against the 400 MB goal.
 */
export const CORE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32']

/** `execArgv` with the core's flags added where the process was started without them (a worker forked by a plain `node`). */
export function withCoreFlags(execArgv: readonly string[]): string[] {
  const missing = CORE_NODE_FLAGS.filter((f) => !execArgv.some((a) => a.split('=')[0] === f.split('=')[0]))
  return [...missing, ...execArgv]
}
