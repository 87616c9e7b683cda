// One CDR batch into libSQL in one transaction, the rows and their charges: statements prepared once on a native connection for a local file, the libSQL client for a replica or a server.
import { LibsqlError, type Client, type InStatement } from '@libsql/client'
import LibsqlDatabase from 'libsql'
import { openWriterConnection, type Database, type NativeConnection } from '../../shared/db/node/database.js'
import { VALUES_ROWS, valuesRows } from '../../shared/db/node/json-rows.js'
import { cdrs } from '../../shared/db/schema.js'
import { cdrCells } from './cdr-cells.js'
import { CHARGE_BALANCES, chargeBalances, RECORD_CHARGES, recordCharges, type ChargeRow } from './charges.js'
import type { CdrRecord } from './record.js'

/** A balance as the charging transaction left it. */
export interface AccountBalance {
  accountId: string
  balance: number
}

/** Where the CDR writer's batches go. */
export interface CdrInsert {
  /**
   * Inserts `records` (an id the table holds, or one repeated in the batch, is skipped) and applies the `charges` not
   * yet in `billed_cdrs`, recorded there at `atMs`, in one transaction; resolves with the balances the charges left.
   */
  write(records: readonly CdrRecord[], charges: readonly ChargeRow[], atMs: number): Promise<AccountBalance[]>
  close(): void
}

/** A record already in the table is skipped, so a replay never duplicates. */
const ON_CONFLICT = `on conflict ("${cdrs.id.name}") do nothing`
const rows = valuesRows(cdrs, ON_CONFLICT)
const FULL = rows.text(VALUES_ROWS)

/** Constraint, type and size errors are data problems (retrying will not help); anything else means the database is unreachable or busy. */
export function isDataError(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    const code = e instanceof LibsqlError || e instanceof LibsqlDatabase.SqliteError ? e.code : null
    if (code !== null && (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_TOOBIG')) return true
  }
  return false
}

/** The insert for `database`: prepared once on a connection of its own for a local file, the client otherwise. */
export function openCdrInsert(database: Pick<Database, 'client' | 'localFile' | 'writerPragmas'>): CdrInsert {
  return database.localFile !== null ? new FileCdrInsert(database.localFile) : clientCdrInsert(database.client, database.writerPragmas)
}

/**
 * Through the libSQL client, as a replica or a server needs: statements of up to 500 rows whose cells are bound
 * parameters (the client prepares each again at every batch), `pragmas` at the head of each batch (the client's pool
 * has no hook per connection), one `batch` as the transaction.
 */
export function clientCdrInsert(client: Client, pragmas: readonly string[] = []): CdrInsert {
  return {
    async write(records, charges, atMs) {
      const statements: InStatement[] = [...pragmas]
      for (let at = 0; at < records.length; at += VALUES_ROWS) {
        const to = Math.min(at + VALUES_ROWS, records.length)
        statements.push({ sql: to - at === VALUES_ROWS ? FULL : rows.text(to - at), args: cdrCells(records, at, to) })
      }
      if (charges.length > 0) {
        const json = JSON.stringify(charges)
        statements.push(chargeBalances(json), recordCharges(json, atMs))
      }
      const results = await client.batch(statements, 'write')
      if (charges.length === 0) return []
      return results[statements.length - 2]!.rows.map((b) => ({ accountId: String(b.id), balance: Number(b.balance) }))
    },
    close() {},
  }
}

/** The statements of a `FileCdrInsert`, prepared on its connection. */
interface Prepared {
  conn: NativeConnection
  full: LibsqlDatabase.Statement
  one: LibsqlDatabase.Statement
  balances: LibsqlDatabase.Statement
  billed: LibsqlDatabase.Statement
  transaction: LibsqlDatabase.Transaction<(records: readonly CdrRecord[], charges: readonly ChargeRow[], atMs: number) => AccountBalance[]>
}

/**
 * Into a local file on a connection of its own (`openWriterConnection`), with the 500-row insert, a one-row insert for
 * the rest of a batch, and the two charge statements prepared once: the client compiled each 500-row statement again
 * at every batch, ~9 ms each (docs/capacity.md, "The CDR insert"). Each batch is one `BEGIN IMMEDIATE` transaction
 * that commits (WAL, `synchronous` FULL) before `write` resolves, as the client's batch did. The connection opens at
 * the first batch, and is dropped after a failure that is not the data's, so the next batch starts afresh.
 */
export class FileCdrInsert implements CdrInsert {
  private prepared: Prepared | null = null

  constructor(private readonly file: string) {}

  async write(records: readonly CdrRecord[], charges: readonly ChargeRow[], atMs: number): Promise<AccountBalance[]> {
    try {
      const p = (this.prepared ??= this.prepare())
      return p.transaction.immediate(records, charges, atMs)
    } catch (err) {
      if (!isDataError(err)) this.close()
      throw err
    }
  }

  close(): void {
    const p = this.prepared
    this.prepared = null
    if (p !== null && p.conn.open) p.conn.close()
  }

  private prepare(): Prepared {
    const conn = openWriterConnection(this.file)
    try {
      const full = conn.prepare(FULL)
      const one = conn.prepare(rows.text(1))
      const balances = conn.prepare(CHARGE_BALANCES)
      const billed = conn.prepare(RECORD_CHARGES)
      const transaction = conn.transaction((records: readonly CdrRecord[], charges: readonly ChargeRow[], atMs: number): AccountBalance[] => {
        let at = 0
        for (; at + VALUES_ROWS <= records.length; at += VALUES_ROWS) full.run(cdrCells(records, at, at + VALUES_ROWS))
        for (; at < records.length; at++) one.run(cdrCells(records, at, at + 1))
        if (charges.length === 0) return []
        const json = JSON.stringify(charges)
        const left = balances.all(json) as Array<{ id: unknown; balance: unknown }>
        billed.run(atMs, json)
        return left.map((b) => ({ accountId: String(b.id), balance: Number(b.balance) }))
      })
      return { conn, full, one, balances, billed, transaction }
    } catch (err) {
      conn.close()
      throw err
    }
  }
}
