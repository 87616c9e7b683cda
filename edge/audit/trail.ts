// The audit trail of one write request: the changes its handler records, written in the write's transaction or, failing that, after a successful response.
import { auditLog } from '../../shared/db/schema.js'
import { redactSecrets } from '../../shared/entities/audit.js'
import type { AuditChange, AuditRecorder, Principal, Queryable } from '../env.js'
import { newId } from '../ids.js'

/** The request facts every entry of the trail carries. */
export interface AuditRequest {
  method: string
  path: string
  requestId: string | null
}

type AuditInsert = typeof auditLog.$inferInsert

/** The action a method means when the operation names none. */
function methodAction(method: string): string {
  switch (method) {
    case 'POST': return 'create'
    case 'PUT':
    case 'PATCH': return 'update'
    case 'DELETE': return 'delete'
    default: return method.toLowerCase()
  }
}

/** The collection under /v1 a path addresses (`/v1/routing-gateways/rgw_1` -> `routing-gateways`). */
export function resourceOfPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '')
  return parts[0] === 'v1' && parts[1] !== undefined ? parts[1] : (parts[0] ?? '')
}

function idOf(value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null
  const id = (value as { id?: unknown }).id
  return typeof id === 'string' ? id : null
}

/** Collects a request's changes; `principal()` is read when entries are built (login sets it inside the handler). */
export class AuditTrail implements AuditRecorder {
  private operation: string | null = null
  private action: string | undefined
  private params: Record<string, unknown> = {}
  private readonly changes: AuditChange[] = []
  /** True once entries were inserted (by flush or by the middleware). */
  written = false

  constructor(
    private readonly request: AuditRequest,
    private readonly principal: () => Principal | undefined,
  ) {}

  enter(operation: string, action: string | undefined, params: Record<string, unknown> | undefined): void {
    this.operation = operation
    this.action = action
    this.params = params ?? {}
  }

  record(change: AuditChange): void {
    this.changes.push(change)
  }

  async flush(tx: Queryable, nowMs: number): Promise<void> {
    if (this.written || this.changes.length === 0) return
    const rows = this.rows(nowMs, this.changes)
    if (rows.length === 0) return
    await tx.insert(auditLog).values(rows)
    this.written = true
  }

  /** Entries for what was recorded, or one entry built from the response body when the handler recorded nothing. */
  pendingRows(nowMs: number, responseBody: unknown): AuditInsert[] {
    if (this.written) return []
    const changes = this.changes.length > 0 ? this.changes : [{ after: responseBody }]
    return this.rows(nowMs, changes)
  }

  private rows(nowMs: number, changes: readonly AuditChange[]): AuditInsert[] {
    const who = this.principal()
    if (who === undefined || this.operation === null) return []
    const paramId = typeof this.params.id === 'string' ? this.params.id : typeof this.params.name === 'string' ? this.params.name : null
    return changes.map((ch) => {
      const before = ch.before === undefined ? null : redactSecrets(ch.before)
      const after = ch.after === undefined ? null : redactSecrets(ch.after)
      return {
        id: newId('aud', nowMs),
        atMs: nowMs,
        keyId: who.keyId,
        keyName: who.keyName,
        method: this.request.method,
        path: this.request.path,
        operation: this.operation!,
        resource: resourceOfPath(this.request.path),
        resourceId: ch.resourceId !== undefined ? ch.resourceId : (paramId ?? idOf(ch.after) ?? idOf(ch.before)),
        action: ch.action ?? this.action ?? methodAction(this.request.method),
        before,
        after,
        requestId: this.request.requestId,
      }
    })
  }
}
