// Proof for tests that kill or stop a process: after its exit was awaited, no process with its id may remain.

/** Whether a process with this id exists (signal 0 checks without signalling; a zombie still counts). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false
    throw err
  }
}

/** Throws unless process `pid` (named `what` in the message) is gone; call it after awaiting the child's exit. */
export function assertGone(pid: number | undefined, what: string): void {
  if (pid === undefined) throw new Error(`${what} has no pid: it never started`)
  if (processExists(pid)) throw new Error(`${what} (pid ${pid}) is still there after it was stopped`)
}
