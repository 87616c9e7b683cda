// The receiving worker of the mesh benchmark: listens as worker 1 of the folder it is given, counts the frames and bytes it is handed, and tells its parent its CPU time when asked.
import { Mesh } from '../mesh.js'

const dir = process.argv[2]!
let frames = 0
let bytes = 0
const mesh = await Mesh.listen({
  dir,
  self: 1,
  onFrame: (f) => {
    frames++
    bytes += f.bytes.length
  },
})
process.on('message', (m: { t: string }) => {
  if (m.t === 'cpu') process.send!({ t: 'cpu', usage: process.cpuUsage(), frames, bytes })
})
process.on('disconnect', () => void mesh.close().then(() => process.exit(0)))
process.send!({ t: 'ready' })
