// The primary's side of the limits its workers take (limits-link.ts): each worker's batch of takes and gives-back run on the node's holds, answers sent back once per event-loop turn, a dead worker's holds freed.
import type { NodeHolds, TakeAnswer } from '../shared-state/node-holds.js'
import type { LimitBatch, ToWorker } from './ipc.js'

/** Answers workers' limit takes on one NodeHolds. Holds are kept per worker process, so a restarted worker starts with none. */
export class NodeLimits {
  private readonly out = new Map<number, { pid: number; answers: [number, TakeAnswer][] }>()
  private flushing = false

  /** `tell` posts to worker `index`; `pidOf` names the process in that slot now. */
  constructor(
    private readonly holds: NodeHolds,
    private readonly tell: (index: number, m: ToWorker) => void,
    private readonly pidOf: (index: number) => number | undefined,
  ) {}

  /** A batch from worker `index`: its records (a give-back may follow in the same batch), gives-back (they free lines for its takes), takes. */
  onBatch(index: number, batch: LimitBatch): void {
    const pid = this.pidOf(index)
    if (pid === undefined) return
    for (const [id, keys, program] of batch.records) void this.holds.take(pid, id, keys, program)
    for (const id of batch.releases) this.holds.release(pid, id)
    for (const [id, keys, program] of batch.takes) {
      const r = this.holds.take(pid, id, keys, program)
      if (!(r instanceof Promise)) this.answer(index, pid, id, r)
      else r.then((a) => this.answer(index, pid, id, a))
    }
  }

  /** Process `pid` exited: every line it held is free. */
  onExit(pid: number | undefined): void {
    if (pid !== undefined) this.holds.forget(pid)
  }

  private answer(index: number, pid: number, id: number, r: TakeAnswer): void {
    let o = this.out.get(index)
    if (o === undefined || o.pid !== pid) this.out.set(index, (o = { pid, answers: [] }))
    o.answers.push([id, r])
    if (this.flushing) return
    this.flushing = true
    setImmediate(() => {
      this.flushing = false
      for (const [i, { pid: p, answers }] of this.out) {
        // The process that asked is gone: its answers mean nothing to the one in its slot now.
        if (this.pidOf(i) === p) this.tell(i, { t: 'limits', answers })
      }
      this.out.clear()
    })
  }
}
