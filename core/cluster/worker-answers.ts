// Answers the primary owes its workers, gathered per worker and sent once per event-loop turn; those for a worker process that has since exited are dropped.
import type { ToWorker } from './ipc.js'

/** Batches answers of type `A` per worker; `message` wraps one worker's batch as its notice. */
export class WorkerAnswers<A> {
  private readonly out = new Map<number, { pid: number; answers: A[] }>()
  private flushing = false

  /** `tell` posts to worker `index`; `pidOf` names the process in that slot now. */
  constructor(
    private readonly tell: (index: number, m: ToWorker) => void,
    private readonly pidOf: (index: number) => number | undefined,
    private readonly message: (answers: A[]) => ToWorker,
  ) {}

  /** Queues `answer` for the process `pid` in slot `index`; the batch leaves at the end of this turn. */
  push(index: number, pid: number, answer: A): void {
    let o = this.out.get(index)
    if (o === undefined || o.pid !== pid) this.out.set(index, (o = { pid, answers: [] }))
    o.answers.push(answer)
    if (this.flushing) return
    this.flushing = true
    setImmediate(() => {
      this.flushing = false
      for (const [i, { pid: p, answers }] of this.out) {
        // The process that asked is gone: its answers mean nothing to the one in its slot now.
        if (this.pidOf(i) === p) this.tell(i, this.message(answers))
      }
      this.out.clear()
    })
  }
}
