// POST /v1/calls/{id}/hangup: asks the owning core, through the `call_hangups` table, to end a call with OperatorHangup, and waits for it.
import { and, desc, eq } from 'drizzle-orm'
import { z } from 'zod'
import { callHangups } from '../../../shared/db/schema.js'
import { entityId } from '../../../shared/entities/fields.js'
import { callHangup, callHangupFromRow, hangupRequest, type CallHangup } from '../../../shared/entities/live-call.js'
import type { Queryable } from '../../env.js'
import { ApiError } from '../../errors.js'
import { newId } from '../../ids.js'
import { readLiveCall } from '../../live/calls.js'
import { defineOperation } from '../../openapi/operation.js'
import { pollUntil } from '../../poll.js'

/** How often the request re-reads its row while the core acts. */
export const HANGUP_POLL_MS = 100

/** A request still pending after this long is failed as expired (its node stopped or lost the database). */
export const HANGUP_EXPIRE_MS = 60_000

/** The latest hang-up request of a call (expiring it when its node never acted), or undefined. */
export async function latestHangup(db: Queryable, callId: string, nowMs: number): Promise<CallHangup | undefined> {
  const [row] = await db.select().from(callHangups).where(eq(callHangups.callId, callId)).orderBy(desc(callHangups.id)).limit(1)
  if (row === undefined) return undefined
  if (row.status === 'pending' && row.requestedAtMs < nowMs - HANGUP_EXPIRE_MS) {
    const error = `expired: node ${row.nodeId} did not act within ${HANGUP_EXPIRE_MS / 1000} s`
    // Conditional, so a core that acts at the same moment keeps its answer.
    const [expired] = await db.update(callHangups).set({ status: 'failed', error, completedAtMs: nowMs })
      .where(and(eq(callHangups.id, row.id), eq(callHangups.status, 'pending'))).returning()
    if (expired !== undefined) return callHangupFromRow(expired)
    const [now] = await db.select().from(callHangups).where(eq(callHangups.id, row.id))
    return now === undefined ? undefined : callHangupFromRow(now)
  }
  return callHangupFromRow(row)
}

/** The hang-up operation of /v1/calls. */
export const hangupCall = defineOperation(
  {
    method: 'post',
    path: '/:id/hangup',
    operationId: 'hangupCall',
    auditAction: 'hangup',
    summary: 'End a call in progress: BYE to both legs (503 to the caller before the answer); its CDR says OperatorHangup',
    params: z.object({ id: entityId }),
    body: hangupRequest,
    responses: {
      200: { description: 'the owning core acted: done (the call ended) or failed (it had already ended)', schema: callHangup },
      202: { description: 'the core did not act within waitMs; poll GET /v1/calls/{id}/hangup', schema: callHangup },
    },
  },
  async (c, { params, body }) => {
    const db = c.var.db
    const nowMs = Date.now()
    const call = await readLiveCall(db, params.id, nowMs)
    if (call === null) throw new ApiError('NOT_FOUND', `no call in progress with id ${params.id}`)
    const id = newId('hup', nowMs)
    await db.insert(callHangups).values({ id, callId: call.id, nodeId: call.nodeId, status: 'pending', requestedAtMs: nowMs, requestedByKeyId: c.var.principal.keyId })
    const read = async () => {
      const [row] = await db.select().from(callHangups).where(eq(callHangups.id, id))
      if (row === undefined) throw new ApiError('INTERNAL', `hang-up request ${id} vanished`)
      return callHangupFromRow(row)
    }
    const { value, finished } = await pollUntil(read, (h) => h.status !== 'pending', nowMs + body.waitMs, HANGUP_POLL_MS)
    c.var.audit?.record({ resourceId: call.id, before: call, after: value })
    return c.json(value, finished ? 200 : 202)
  },
)
