// Runs one asynchronous job now and then every period on a Clock, never two at once, and schedules nothing after stop.
import type { Clock, TimerHandle } from './clock.js'

/** The loop of the core's pollers and publishers; the job handles its own errors (it must not reject). */
export class Periodic {
  private timer: TimerHandle | null = null
  private inFlight: Promise<void> | null = null
  private stopped = true

  constructor(private readonly clock: Clock, private readonly periodMs: number, private readonly job: () => Promise<unknown>) {}

  /** Runs the job now (or first after one period with `delayFirst`) and then one period after each run ends. */
  start(delayFirst = false): void {
    this.stopped = false
    if (delayFirst) this.schedule()
    else this.run()
  }

  /** Stops scheduling and waits for a run in flight. */
  async stop(): Promise<void> {
    this.stopped = true
    this.timer?.cancel()
    this.timer = null
    await this.inFlight
  }

  private run(): void {
    this.timer = null
    this.inFlight = this.job().then(() => {
      this.inFlight = null
      if (!this.stopped) this.schedule()
    })
  }

  private schedule(): void {
    this.timer = this.clock.after(this.periodMs, () => this.run())
  }
}
