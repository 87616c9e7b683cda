// The configuration snapshot of a worker: built from the rows the node's primary loaded and sent, swapped atomically on every new version.
import type { Logger } from '../lib/log.js'
import type { ConfigObserver } from './loader.js'
import { buildSnapshot, type ConfigSnapshot, type SnapshotInput } from './snapshot.js'

/** Thrown when our own code reads `current` before the first rows arrived. */
export class ConfigFeedStateError extends Error {
  override name = 'ConfigFeedStateError'
}

/**
 * What the ConfigLoader is to a single process, without a database: `install(input)` builds and swaps in the
 * snapshot of rows the primary read (one reader of the database per node), observers hear of every swap.
 */
export class ConfigFeed {
  private snapshot: ConfigSnapshot | null = null
  private readonly observers = new Set<ConfigObserver>()

  constructor(private readonly log: Logger) {}

  /** The snapshot to use for a new call; hold on to it for the call's lifetime. */
  get current(): ConfigSnapshot {
    if (this.snapshot === null) throw new ConfigFeedStateError('ConfigFeed.current read before the first snapshot arrived')
    return this.snapshot
  }

  /** True once a snapshot is installed. */
  get ready(): boolean {
    return this.snapshot !== null
  }

  /** Registers an observer; returns the function that removes it. */
  observe(observer: ConfigObserver): () => void {
    this.observers.add(observer)
    return () => this.observers.delete(observer)
  }

  /** Builds the snapshot of `input` and swaps it in (an older or equal version than the current one is ignored). */
  install(input: SnapshotInput): ConfigSnapshot {
    const previous = this.snapshot
    if (previous !== null && input.version <= previous.version && input.loadedAtMs <= previous.loadedAtMs) return previous
    const next = buildSnapshot(input)
    this.snapshot = next
    if (previous === null) return next
    for (const o of this.observers) {
      try {
        o.onConfigSwap(next, previous)
      } catch (err) {
        this.log.error('config observer threw', { error: err })
      }
    }
    return next
  }
}
