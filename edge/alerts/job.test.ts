// The alert job as it stands before alert rules exist: it reads the last minute of CDRs and evaluates nothing.
import { describe, expect, it } from 'vitest'
import { cdrs } from '../../shared/db/schema.js'
import { useHarness } from '../test/harness.js'
import { ALERT_WINDOW_MS, runAlertJob } from './job.js'

describe('runAlertJob', () => {
  const h = useHarness()

  it('reports zero calls and zero rules on an empty database', async () => {
    const run = await runAlertJob(h().db, 1_000_000)
    expect(run).toEqual({
      ranAtMs: 1_000_000,
      window: { fromMs: 1_000_000 - ALERT_WINDOW_MS, toMs: 1_000_000 },
      cdrsInWindow: 0,
      rulesEvaluated: 0,
      alertsFired: 0,
    })
  })

  it('counts only the calls that started inside the window', async () => {
    const nowMs = 10_000_000
    const cdr = (id: string, startedAtMs: number) => ({
      id, callId: id, startedAtMs, answeredAtMs: null, endedAtMs: startedAtMs + 1, durationSec: 0, pddMs: null,
      caller: '100', callee: '200', calleeOut: null, accountId: null, mappingGatewayId: null, routingGatewayId: null,
      terminationReason: 'CallerCancel' as const, sipCode: 487, endedBy: 'caller' as const, attempts: [], cost: null,
      sourceIp: '127.0.0.1', sourcePort: 5060, nodeId: 'test', warningPlayed: false, notes: [],
    })
    await h().db.insert(cdrs).values([cdr('in', nowMs - 1_000), cdr('old', nowMs - ALERT_WINDOW_MS - 1), cdr('future', nowMs)])
    expect((await runAlertJob(h().db, nowMs)).cdrsInWindow).toBe(1)
  })
})
