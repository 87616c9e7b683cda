// A primary that only counts limits, for the IPC benchmark (limits-link.bench.ts): answers the batches of the parent process, its one worker, on a NodeHolds, and reports its CPU time when asked.
import { NodeHolds } from '../../shared-state/node-holds.js'
import type { LimitBatch, ToWorker } from '../ipc.js'
import { NodeLimits } from '../node-limits.js'

const limits = new NodeLimits(new NodeHolds(() => Date.now()), (_i, m: ToWorker) => void process.send?.(m), () => process.ppid)
process.on('message', (m: ({ t: 'limits' } & LimitBatch) | { t: 'cpu' }) => {
  if (m.t === 'limits') limits.onBatch(0, m)
  else process.send?.({ t: 'cpu', usage: process.cpuUsage() })
})
process.on('disconnect', () => process.exit(0))
process.send?.({ t: 'ready' })
