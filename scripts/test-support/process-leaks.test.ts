// The test-run leak check: a process the tests started is found even after its parent died and it was re-parented, and it is killed and reported.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { leftovers, reapLeftovers, TEST_RUN_VARIABLE } from './process-leaks.js'

/** Starts `sleep 60` in the background of a shell that exits at once, so the sleep is orphaned; resolves with its pid. */
async function orphanedSleep(tag: string): Promise<number> {
  const shell = spawn('sh', ['-c', 'sleep 60 & echo $!'], { env: { ...process.env, [TEST_RUN_VARIABLE]: tag }, stdio: ['ignore', 'pipe', 'ignore'] })
  let out = ''
  shell.stdout.on('data', (c: Buffer) => void (out += c.toString()))
  await once(shell, 'exit')
  return Number(out.trim())
}

describe('process leak check', () => {
  it('finds an orphan carrying the run tag, kills it and reports it', async () => {
    const tag = `leak-test-${randomUUID()}`
    const pid = await orphanedSleep(tag)
    expect(leftovers(tag).map((p) => p.pid)).toContain(pid)
    const report = await reapLeftovers(tag, undefined, 0)
    expect(report).toContain(`pid ${pid}`)
    expect(report).toContain('sleep 60')
    // Killed: at most a zombie waiting for init to collect it, which no longer counts as running.
    const deadline = Date.now() + 5_000
    while (leftovers(tag).length > 0 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50))
    expect(leftovers(tag)).toEqual([])
  })

  it('reports nothing for a tag no process carries', async () => {
    expect(await reapLeftovers(`unused-${randomUUID()}`, undefined, 0)).toBe('')
  })
})
