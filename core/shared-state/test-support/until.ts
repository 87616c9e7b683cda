// Test support: waiting for a condition instead of sleeping, so tests of nodes and Redis hold on a loaded machine.

/** Polls `cond` (sync or async) every 20 ms until it holds; throws after `ms` (generous: only a failure reaches it). */
export async function until(cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}
