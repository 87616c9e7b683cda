// The V8 flags every core process runs with: the Dockerfile's CMD, `npm start`, `npm run start:core`, the fork of each worker and the test harness pass these.

/**
 * `--max-semi-space-size=16`: the young generation is two semi-spaces, and V8 grows them to the maximum during start-up
 * and keeps them committed: 2 x 32 MB in every process, idle or not, with 32 (the core runs three processes with two
 * workers). A call allocates ~100 KiB, most of it dead within milliseconds; the smaller the semi-spaces, the more
 * often a scavenge copies (and then promotes) what is merely in flight. Measured with two workers at 600 calls/s
 * (docs/capacity.md, "Memory"): 32 MB ran ~74 scavenges per 30 s, 16 MB ~150, 8 MB ~300-350 with more promotion
 * (up to 14 mark-compacts against 3-6); CPU per call within the shared machine's noise for all three; the node's
 * PSS 589-672, 513-554 and 474-475 MiB. 16 saves 32 MB per process for twice the scavenges; 8 another 16 MB for
 * four times the scavenges and more old-generation garbage.
 */
/**
 * `--heap-growing-percent=50`: after a mark-compact V8 lets the old generation grow to a factor of its live size that it
 * picks from its GC and allocation speeds, 2-2.5x here; a core holds its calls' wait states (docs/capacity.md,
 * "Memory"), so that headroom was the largest part of a worker's PSS under load. 1.5x: at 600 calls/s with two
 * workers the node's PSS went 508-513 → 382-388 MiB, mark-compacts per 30 s 5-7 → 17, CPU per call within the noise;
 * 30 gave 358-395 MiB for 25-29 mark-compacts.
 */
export const CORE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--heap-growing-percent=50']

/** `execArgv` with the core's flags added where the process was started without them (a worker forked by a plain `node`). */
export function withCoreFlags(execArgv: readonly string[]): string[] {
  const missing = CORE_NODE_FLAGS.filter((f) => !execArgv.some((a) => a.split('=')[0] === f.split('=')[0]))
  return [...missing, ...execArgv]
}
