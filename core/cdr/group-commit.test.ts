// Covers the group-committed file: appends of one batch share one durable write, made durable by the file's O_DSYNC.
import { constants } from 'node:fs'
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { GroupCommitFile } from './group-commit.js'

let dir: string

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'softswitch-group-commit-'))
})

afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

/** The open flags (Linux `/proc/self/fdinfo`) of this process's descriptor of `path`. */
async function openFlags(path: string): Promise<number> {
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '')
    if (target !== path) continue
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8')
    return parseInt(/^flags:\s+(\d+)/m.exec(info)![1]!, 8)
  }
  throw new Error(`${path} is not open`)
}

describe('GroupCommitFile', () => {
  it('writes the appends of one tick in one write on a descriptor opened O_DSYNC, so the write itself is the sync', async () => {
    const path = join(dir, 'f.ndjson')
    const file = await GroupCommitFile.open(path)
    const flags = await openFlags(path)
    expect(flags & constants.O_DSYNC).toBe(constants.O_DSYNC)
    expect(flags & constants.O_APPEND).toBe(constants.O_APPEND)
    const appends = ['a\n', 'b\n', 'c\n'].map((l) => file.append(l))
    // one batch: its appends share one promise, settled once the write returned
    expect(new Set(appends).size).toBe(1)
    await Promise.all(appends)
    expect(file.stats).toEqual({ appends: 3, writes: 1, syncs: 1 })
    expect(file.durableSize).toBe(6)
    expect(await readFile(path, 'utf8')).toBe('a\nb\nc\n')
    await file.close()
  })

  it('refuses appends after a failed write and rejects every append of the failed batch', async () => {
    const path = join(dir, 'g.ndjson')
    const file = await GroupCommitFile.open(path)
    await file.append('ok\n')
    // The descriptor closed underneath: the next write fails (EBADF).
    await (file as unknown as { fh: { close(): Promise<void> } }).fh.close()
    const failed = [file.append('x\n'), file.append('y\n')]
    for (const p of failed) await expect(p).rejects.toThrow()
    expect(file.failed).toBe(true)
    await expect(file.append('z\n')).rejects.toThrow()
    expect(await readFile(path, 'utf8')).toBe('ok\n')
  })
})
