// The SQL that charges balances for CDRs exactly once: which CDRs of a batch carry money, the balance UPDATE for those not yet billed, and their `billed_cdrs` rows.
import type { InStatement } from '@libsql/client'
import { getTableName } from 'drizzle-orm'
import { accounts, billedCdrs, routingGateways } from '../../shared/db/schema.js'
import type { CdrRecord } from './record.js'

/** The charge columns of one CDR as the billing statements read them: [cdrId, accountId, cost, routingGatewayId, vendorCost]. */
export type ChargeRow = [string, string | null, number, string | null, number]

/** Whether a CDR moves money: a positive customer cost or vendor cost. */
export function isCharged(r: CdrRecord): boolean {
  return (r.cost ?? 0) > 0 || (r.vendorCost ?? 0) > 0
}

/** Charged CDRs of a batch, one per id (a journal may repeat an id; the CDR insert keeps the first, so does billing). */
export function chargeRows(records: readonly CdrRecord[]): ChargeRow[] {
  const seen = new Set<string>()
  const out: ChargeRow[] = []
  for (const r of records) {
    if (!isCharged(r) || seen.has(r.id)) continue
    seen.add(r.id)
    out.push([r.id, r.accountId, r.cost ?? 0, r.routingGatewayId, r.vendorCost ?? 0])
  }
  return out
}

const T = {
  accounts: getTableName(accounts), billed: getTableName(billedCdrs), gateways: getTableName(routingGateways),
}
const B = billedCdrs
/**
 * The vendor's clearing account is the routing gateway's when the CDR is written (the CDR names the gateway, not the
 * account). Deviation: a gateway moved to another clearing account between the call and the write charges the new one.
 */
const CHARGES = `select json_extract(value, '$[0]') as cdr_id, json_extract(value, '$[1]') as account_id, json_extract(value, '$[2]') as amount,
  (select "${routingGateways.clearingAccountId.name}" from "${T.gateways}" where "${routingGateways.id.name}" = json_extract(value, '$[3]')) as vendor_account_id,
  json_extract(value, '$[4]') as vendor_amount from json_each(`

/** The text of `chargeBalances`, one parameter: the charge rows as JSON. */
export const CHARGE_BALANCES = `with c as (${CHARGES}?) where not exists (select 1 from "${T.billed}" b where b."${B.cdrId.name}" = json_extract(value, '$[0]'))),
    d as (select account_id, sum(amount) as amount from (
      select account_id, amount from c where account_id is not null and amount > 0
      union all select vendor_account_id, vendor_amount from c where vendor_account_id is not null and vendor_amount > 0
    ) group by account_id)
    update "${T.accounts}" set "balance" = round("balance" - (select amount from d where d.account_id = "${T.accounts}"."id"), 8)
    where "id" in (select account_id from d) returning "id" as id, "balance" as balance`

/**
 * Moves balances for the charged CDRs not yet in `billed_cdrs` (so a replayed CDR never charges twice) and returns the
 * balances it left. It runs before the `billed_cdrs` insert, in the same transaction. Customer accounts lose the cost;
 * clearing (vendor) accounts lose the vendor cost: their balance is what we have prepaid the vendor. Rounded to 8
 * decimals (the most SERVER_BILLING_FEE_PRECISION allows) so float sums do not drift.
 */
export function chargeBalances(json: string): InStatement {
  return { sql: CHARGE_BALANCES, args: [json] }
}

/** The text of `recordCharges`, two parameters: when (epoch ms), the charge rows as JSON. */
export const RECORD_CHARGES = `insert into "${T.billed}" (${[B.cdrId, B.accountId, B.amount, B.vendorAccountId, B.vendorAmount, B.appliedAtMs].map((c) => `"${c.name}"`).join(', ')})
    select cdr_id, account_id, amount, vendor_account_id, vendor_amount, ? from (${CHARGES}?)) where true on conflict ("${B.cdrId.name}") do nothing`

/** Records the charged CDRs as applied; a CDR already there is left alone (ON CONFLICT DO NOTHING). */
export function recordCharges(json: string, atMs: number): InStatement {
  return { sql: RECORD_CHARGES, args: [atMs, json] }
}
