// Waiting on a row another process (a core) will change: re-read it until a condition holds or a deadline passes.

/** Re-reads with `read` every `pollMs` until `done(value)` or `deadlineMs` (epoch ms); returns the last value and whether it finished. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, deadlineMs: number, pollMs: number): Promise<{ value: T; finished: boolean }> {
  for (;;) {
    const value = await read()
    if (done(value)) return { value, finished: true }
    if (Date.now() >= deadlineMs) return { value, finished: false }
    await new Promise((ok) => setTimeout(ok, Math.min(pollMs, Math.max(1, deadlineMs - Date.now()))))
  }
}
