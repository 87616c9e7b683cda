// POST /v1/webhooks: stores the receiver and its signing secret (generated when omitted) and returns the secret this once.
import { webhooks } from '../../../shared/db/schema.js'
import { webhookCreate, webhookCreated, webhookFromRow, webhookToRow } from '../../../shared/entities/webhook.js'
import { generateWebhookSecret } from '../../alerts/webhook.js'
import { runWrite } from '../../config-write.js'
import { newId } from '../../ids.js'
import { defineOperation } from '../../openapi/operation.js'
import { webhooksResource } from './resource.js'

/** Creates a webhook: 201 with `secret` (only here), 400 on a bad URL/secret/unknown rule id, 409 for a duplicate name. */
export const createWebhook = defineOperation(
  {
    method: 'post',
    path: '/',
    operationId: 'createWebhook',
    summary: 'Create a webhook receiver (the signing secret is returned only in this response)',
    body: webhookCreate,
    responses: { 201: { description: 'the webhook and its secret', schema: webhookCreated } },
  },
  async (c, { body }) => {
    const secret = body.secret ?? generateWebhookSecret()
    const row = await runWrite(
      c.var.db,
      async (tx, nowMs) => {
        const values = webhookToRow(body, { id: newId('whk', nowMs), nowMs, secret })
        await webhooksResource.checkReferences?.(tx, values)
        await tx.insert(webhooks).values(values)
        return values
      },
      { configChange: false, onUnique: () => `a webhook named ${JSON.stringify(body.name)} already exists` },
    )
    return c.json({ ...webhookFromRow(row), secret }, 201)
  },
)
