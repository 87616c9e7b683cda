// The core's entry point: with CORE_WORKERS 1 the whole node runs in this one process (core/single.ts); with more, this process is the primary (core/primary.ts) of that many SIP workers (core/worker.ts).
import { coreWorkers, readEnv } from './cluster/common.js'

if (coreWorkers(readEnv()) === 1) await import('./single.js')
else await import('./primary.js')
