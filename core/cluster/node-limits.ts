// The primary's side of the limits its workers take (limits-link.ts): each worker's batch of takes and gives-back run on the node's holds, answers sent back once per event-loop turn, a dead worker's holds freed.
import type { NodeHolds, TakeAnswer } from '../shared-state/node-holds.js'
import type { LimitBatch, ToWorker } from './ipc.js'
import { WorkerAnswers } from './worker-answers.js'

/** Answers workers' limit takes on one NodeHolds. Holds are kept per worker process, so a restarted worker starts with none. */
export class NodeLimits {
  private readonly answers: WorkerAnswers<[number, TakeAnswer]>

  /** `tell` posts to worker `index`; `pidOf` names the process in that slot now. */
  constructor(
    private readonly holds: NodeHolds,
    tell: (index: number, m: ToWorker) => void,
    private readonly pidOf: (index: number) => number | undefined,
  ) {
    this.answers = new WorkerAnswers(tell, pidOf, (answers) => ({ t: 'limits', answers }))
  }

  /** A batch from worker `index`: its records (a give-back may follow in the same batch), gives-back (they free lines for its takes), takes. */
  onBatch(index: number, batch: LimitBatch): void {
    const pid = this.pidOf(index)
    if (pid === undefined) return
    for (const [id, keys, program] of batch.records) void this.holds.take(pid, id, keys, program)
    for (const id of batch.releases) this.holds.release(pid, id)
    for (const [id, keys, program] of batch.takes) {
      const r = this.holds.take(pid, id, keys, program)
      if (!(r instanceof Promise)) this.answers.push(index, pid, [id, r])
      else r.then((a) => this.answers.push(index, pid, [id, a]))
    }
  }

  /** Process `pid` exited: every line it held is free. */
  onExit(pid: number | undefined): void {
    if (pid !== undefined) this.holds.forget(pid)
  }
}
