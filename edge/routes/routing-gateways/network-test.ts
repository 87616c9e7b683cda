// POST /v1/routing-gateways/{id}/network-test: asks a core to probe the gateway with OPTIONS now, through the `network_tests` table (Workers cannot reach a core's private status port), and waits for the result.
import { eq } from 'drizzle-orm'
import { z } from 'zod'
import { networkTests, routingGateways } from '../../../shared/db/schema.js'
import { entityId } from '../../../shared/entities/fields.js'
import { networkTest, networkTestFromRow, networkTestRequest } from '../../../shared/entities/network-test.js'
import type { Db } from '../../env.js'
import { ApiError } from '../../errors.js'
import { newId } from '../../ids.js'
import { defineOperation } from '../../openapi/operation.js'
import { pollUntil } from '../../poll.js'

/** How often the request re-reads its row while a core runs the test. */
export const NETWORK_TEST_POLL_MS = 100

/** Reads one network test row back in the public shape (undefined when it does not exist). */
export async function readNetworkTest(db: Db, id: string): Promise<z.infer<typeof networkTest> | undefined> {
  const [row] = await db.select().from(networkTests).where(eq(networkTests.id, id))
  return row === undefined ? undefined : networkTestFromRow(row)
}

/** The network-test operation of /v1/routing-gateways. */
export const runNetworkTest = defineOperation(
  {
    method: 'post',
    path: '/:id/network-test',
    operationId: 'runRoutingGatewayNetworkTest',
    auditAction: 'network-test',
    summary: 'Probe a routing gateway with OPTIONS now: RTT min/avg/max and loss (a core claims the request from the database)',
    params: z.object({ id: entityId }),
    body: networkTestRequest,
    responses: {
      200: { description: 'the test finished (status done, or failed with error)', schema: networkTest },
      202: { description: 'no core finished it within waitMs; poll GET /v1/routing-gateways/{id}/network-tests/{testId}', schema: networkTest },
    },
  },
  async (c, { params, body }) => {
    const db = c.var.db
    const [gw] = await db.select({ host: routingGateways.host, port: routingGateways.port }).from(routingGateways).where(eq(routingGateways.id, params.id))
    if (gw === undefined) throw new ApiError('NOT_FOUND', `no routing gateway with id ${params.id}`)
    const nowMs = Date.now()
    const id = newId('nt', nowMs)
    await db.insert(networkTests).values({
      id, routingGatewayId: params.id, host: gw.host, port: gw.port, count: body.count, intervalMs: body.intervalMs, status: 'pending', requestedAtMs: nowMs,
    })
    const read = async () => {
      const t = await readNetworkTest(db, id)
      if (t === undefined) throw new ApiError('INTERNAL', `network test ${id} vanished`)
      return t
    }
    const { value, finished } = await pollUntil(read, (t) => t.status === 'done' || t.status === 'failed', nowMs + body.waitMs, NETWORK_TEST_POLL_MS)
    return c.json(value, finished ? 200 : 202)
  },
)
