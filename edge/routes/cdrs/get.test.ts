// GET /v1/cdrs/{id}: one CDR in the documented shape for a viewer, 404 for an unknown id.
import { describe, expect, it } from 'vitest'
import { cdrFromRow } from '../../../shared/entities/cdr.js'
import { attempt, cdrRow, DAY0, insertCdrs } from '../../test-support/cdrs.js'
import { useHarness } from '../../test-support/harness.js'

describe('GET /v1/cdrs/{id}', () => {
  const h = useHarness()

  it('returns 200 with the CDR and every attempt for a viewer', async () => {
    const row = cdrRow({ attempts: [attempt('rgw_a', 503, 'GatewayRejected', DAY0), attempt('rgw_b', 200, 'CallerHangup', DAY0 + 1000)] })
    await insertCdrs(h().db, [row, cdrRow()])
    const res = await h().request('GET', `/v1/cdrs/${row.id}`, { as: 'viewer' })
    expect(res.status).toBe(200)
    expect(res.body).toEqual(cdrFromRow(row))
    expect(res.body.attempts.map((a: { routingGatewayId: string }) => a.routingGatewayId)).toEqual(['rgw_a', 'rgw_b'])
  })

  it('returns 404 for an unknown CDR id', async () => {
    const res = await h().request('GET', '/v1/cdrs/cdr_missing')
    expect(res.status).toBe(404)
    expect(res.body.error).toMatchObject({ code: 'NOT_FOUND', message: expect.stringContaining('cdr_missing') })
  })
})
