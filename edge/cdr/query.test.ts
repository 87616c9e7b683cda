// edge/cdr/query.ts: each typical search is one index range scan (EXPLAIN QUERY PLAN), and both plans of a prefix search return the same rows.
import { sql } from 'drizzle-orm'
import { describe, expect, it } from 'vitest'
import type { CdrCursor } from '../../shared/entities/cdr-query.js'
import { cdrRow, DAY0, HOUR, insertCdrs } from '../test-support/cdrs.js'
import { useHarness, type Harness } from '../test-support/harness.js'
import { cdrPageSql, chooseCdrPlan, fetchCdrPage, PREFIX_PLAN_MAX_ROWS, type CdrFilters, type CdrPlan } from './query.js'

/** The EXPLAIN QUERY PLAN details of one page query. */
async function plan(h: Harness, f: CdrFilters, p: CdrPlan, cursor: CdrCursor | null = null): Promise<string> {
  const rows = await h.db.all<{ detail: string }>(sql`explain query plan ${cdrPageSql(h.db, f, p, cursor, 100)}`)
  return rows.map((r) => r.detail).join(' | ')
}

const day = { from: '2024-01-03T00:00:00Z', to: '2024-01-04T00:00:00Z' }
const deep: CdrCursor = { startedAtMs: DAY0 + 12 * HOUR, id: 'cdr_x' }

describe('CDR search plans', () => {
  const h = useHarness()

  it.each([
    ['one day', day, 'cdrs_started_at_ms_id_idx (started_at_ms>? AND started_at_ms<?)'],
    ['one gateway in a day', { ...day, routingGatewayId: 'rgw_a' }, 'cdrs_routing_gateway_id_started_at_ms_id_idx (routing_gateway_id=? AND started_at_ms>? AND started_at_ms<?)'],
    ['one reason in a day', { ...day, reason: 'InviteTimeout' as const }, 'cdrs_termination_reason_started_at_ms_id_idx (termination_reason=? AND started_at_ms>? AND started_at_ms<?)'],
    ['one account', { accountId: 'acc_a' }, 'cdrs_account_id_started_at_ms_id_idx (account_id=?)'],
    ['one mapping gateway', { mappingGatewayId: 'mgw_a' }, 'cdrs_mapping_gateway_id_started_at_ms_id_idx (mapping_gateway_id=?)'],
    ['one SIP code', { sipCode: 503 }, 'cdrs_sip_code_started_at_ms_id_idx (sip_code=?)'],
    ['a common callee prefix in a day', { ...day, callee: '0033' }, 'cdrs_started_at_ms_id_idx (started_at_ms>? AND started_at_ms<?)'],
  ])('reads %s in index order without a sort', async (_name, f, index) => {
    const detail = await plan(h(), f, 'time')
    expect(detail).toBe(`SEARCH cdrs USING INDEX ${index}`)
    expect(await plan(h(), f, 'time', deep)).toMatch(/^SEARCH cdrs USING INDEX \S+ \(.*started_at_ms<\?\)$/)
  })

  it('reads all CDRs by scanning the time index backwards without a sort', async () => {
    expect(await plan(h(), {}, 'time')).toBe('SCAN cdrs USING INDEX cdrs_started_at_ms_id_idx')
  })

  it('drives a selective prefix search by the number index and sorts only its rows', async () => {
    expect(await plan(h(), { ...day, callee: '00331555', routingGatewayId: 'rgw_a' }, 'callee', deep)).toBe(
      'SEARCH cdrs USING INDEX cdrs_callee_started_at_ms_idx (callee>? AND callee<?) | USE TEMP B-TREE FOR ORDER BY',
    )
    expect(await plan(h(), { caller: '49' }, 'caller')).toMatch(/^SEARCH cdrs USING INDEX cdrs_caller_started_at_ms_idx/)
  })

  it('chooses the prefix index for a rare prefix and time order for one matching PREFIX_PLAN_MAX_ROWS rows', async () => {
    await insertCdrs(h().db, [cdrRow({ callee: '0049301' }), cdrRow({ caller: '4930' })])
    expect(await chooseCdrPlan(h().db, { callee: '0049' })).toBe('callee')
    expect(await chooseCdrPlan(h().db, { caller: '4930' })).toBe('caller')
    expect(await chooseCdrPlan(h().db, { ...day })).toBe('time')
    await h().db.run(sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < ${PREFIX_PLAN_MAX_ROWS})
        insert into cdrs select 'bulk_' || i, call_id, started_at_ms + i, answered_at_ms, ended_at_ms, duration_sec, pdd_ms, caller, callee,
          callee_out, account_id, mapping_gateway_id, routing_gateway_id, termination_reason, sip_code, ended_by, attempts, cost, vendor_cost, source_ip,
          source_port, node_id, warning_played, rtp_packets_from_caller, rtp_bytes_from_caller, rtp_packets_from_callee, rtp_bytes_from_callee, notes, source_transport from cdrs, n where callee = '0049301'`)
    expect(await chooseCdrPlan(h().db, { callee: '0049' })).toBe('time')
    expect(await chooseCdrPlan(h().db, { callee: '0049', caller: '4930' })).toBe('caller')
  })

  it('returns the same pages whether a prefix search runs by time or by the prefix index', async () => {
    await insertCdrs(h().db, Array.from({ length: 60 }, (_, i) => cdrRow({ startedAtMs: DAY0 + Math.floor(i / 3) * 1000, callee: i % 2 === 0 ? '0033155' : '0044207' })))
    for (const f of [{ callee: '0033' }, { callee: '0033', to: new Date(DAY0 + 10_000).toISOString() }] as CdrFilters[]) {
      const pages: Record<string, string[]> = {}
      for (const p of ['time', 'callee'] as const) {
        let cursor: CdrCursor | null = null
        pages[p] = []
        do {
          const page: Awaited<ReturnType<typeof fetchCdrPage>> = await fetchCdrPage(h().db, f, { limit: 4, cursor, plan: p })
          pages[p].push(...page.rows.map((r) => r.id))
          cursor = page.next
        } while (cursor !== null)
      }
      expect(pages.callee).toEqual(pages.time)
      expect(pages.time!.length).toBeGreaterThan(0)
    }
  })
})
