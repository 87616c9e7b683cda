// The mesh between a node's workers over real Unix sockets: frames arrive whole, in order, with their source and transport; frames for a worker that is not there are dropped and counted.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { Metrics } from '../lib/metrics.js'
import { Mesh, type MeshFrame } from './mesh.js'
import type { RemoteAddr } from './types.js'

const V4: RemoteAddr = { address: '192.0.2.7', port: 5062, family: 'IPv4' }
const V6: RemoteAddr = { address: '2001:db8::1', port: 5070, family: 'IPv6' }

describe('Mesh', () => {
  const dirs: string[] = []
  const meshes: Mesh[] = []
  afterEach(async () => {
    await Promise.all(meshes.splice(0).map((m) => m.close()))
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
  })

  async function pair(batchMs?: number): Promise<{ a: Mesh; got: MeshFrame[]; metrics: Metrics }> {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-test-'))
    dirs.push(dir)
    const got: MeshFrame[] = []
    const metrics = new Metrics()
    const a = await Mesh.listen({ dir, self: 0, onFrame: () => {}, metrics, ...(batchMs === undefined ? {} : { batchMs }) })
    const b = await Mesh.listen({ dir, self: 1, onFrame: (f) => got.push(f) })
    meshes.push(a, b)
    return { a, got, metrics }
  }

  async function until(check: () => boolean): Promise<void> {
    const deadline = Date.now() + 5_000
    while (!check()) {
      if (Date.now() > deadline) throw new Error('timed out')
      await new Promise((ok) => setTimeout(ok, 5))
    }
  }

  it('delivers every frame of a burst whole and in order, with its kind, transport, source and sender, each holding only its own bytes', async () => {
    const { a, got } = await pair()
    const sizes = [0, 1, 300, 1500, 8_000]
    const sent: Buffer[] = []
    for (let i = 0; i < 2_000; i++) {
      const body = Buffer.alloc(sizes[i % sizes.length]!, i % 251)
      if (body.length >= 4) body.writeUInt32LE(i, 0)
      sent.push(body)
      a.send(1, i % 3 === 0 ? 'send' : 'deliver', i % 2 === 0 ? 'UDP' : 'TCP', i % 4 === 0 ? V6 : V4, body)
    }
    await until(() => got.length === sent.length)
    got.forEach((f, i) => {
      expect(f.bytes.equals(sent[i]!)).toBe(true)
      expect(f.kind).toBe(i % 3 === 0 ? 'send' : 'deliver')
      expect(f.protocol).toBe(i % 2 === 0 ? 'UDP' : 'TCP')
      expect(f.remote).toEqual(i % 4 === 0 ? V6 : V4)
      expect(f.from).toBe(0)
      // Kept for a whole call, a message must not hold the other frames read with it.
      expect(f.bytes.buffer.byteLength).toBeLessThanOrEqual(f.bytes.length + 64)
    })
  })

  it('hands frames from a recent sender its address again and a frame from any other sender its own', async () => {
    const { a, got } = await pair()
    // Same length, port and family as V4, one digit apart; then more senders than the mesh keeps, then the first again.
    const near: RemoteAddr = { address: '192.0.2.8', port: 5062, family: 'IPv4' }
    const others = [5063, 5064, 5065, 5066, 5067].map((port): RemoteAddr => ({ ...V4, port }))
    const order = [V4, near, V4, { ...V4, family: 'IPv6' as const }, ...others, V4, near, V6, V4]
    for (const r of order) a.send(1, 'deliver', 'UDP', r, Buffer.from('x'))
    await until(() => got.length === order.length)
    expect(got.map((f) => f.remote)).toEqual(order)
    expect(got[2]!.remote).toBe(got[0]!.remote)
    expect(got[1]!.remote).not.toBe(got[0]!.remote)
  })

  it('writes at once on an idle link and holds the frames of a busy one for the batch span, then writes them together', async () => {
    const { a, got, metrics } = await pair(1_000)
    const writes = async (): Promise<number> => Number(/softswitch_worker_mesh_writes_total (\d+)/.exec(await metrics.render())?.[1] ?? 0)
    a.send(1, 'deliver', 'UDP', V4, Buffer.from('first'))
    await until(() => got.length === 1)
    // The link wrote less than a span ago: what follows waits for the span, whatever the turns in between.
    a.send(1, 'deliver', 'UDP', V4, Buffer.from('second'))
    await new Promise((ok) => setImmediate(ok))
    a.send(1, 'deliver', 'UDP', V4, Buffer.from('third'))
    await new Promise((ok) => setTimeout(ok, 100))
    expect(got).toHaveLength(1)
    await until(() => got.length === 3)
    expect(got.map((f) => f.bytes.toString())).toEqual(['first', 'second', 'third'])
    expect(await writes()).toBe(2)
    expect(await metrics.render()).toMatch(/softswitch_worker_mesh_bytes_sent_total 16\b/)
  })

  it('drops and counts frames for a worker that does not listen, and reaches it once it does', async () => {
    const { a, metrics } = await pair()
    const dropped = async (): Promise<boolean> => /softswitch_worker_mesh_frames_dropped_total 1\b/.test(await metrics.render())
    a.send(2, 'deliver', 'UDP', V4, Buffer.from('lost'))
    const deadline = Date.now() + 5_000
    while (!(await dropped())) {
      if (Date.now() > deadline) throw new Error('no drop counted')
      await new Promise((ok) => setTimeout(ok, 5))
    }
    const got: MeshFrame[] = []
    meshes.push(await Mesh.listen({ dir: dirs[0]!, self: 2, onFrame: (f) => got.push(f) }))
    await new Promise((ok) => setTimeout(ok, 150)) // the reconnect pause after a failed connect
    a.send(2, 'deliver', 'UDP', V4, Buffer.from('found'))
    await until(() => got.length === 1)
    expect(got[0]!.bytes.toString()).toBe('found')
  })
})
