// Descriptor of /v1/webhooks for the shared operations (the secret never leaves the database after creation); create has its own file.
import { alertRules, webhooks } from '../../../shared/db/schema.js'
import {
  webhook, webhookCreate, webhookFromRow, webhookToRow, webhookUpdate, webhookUpdateToRow,
  type Webhook, type WebhookCreate, type WebhookUpdate,
} from '../../../shared/entities/webhook.js'
import { generateWebhookSecret } from '../../alerts/webhook.js'
import type { ConfigResource } from '../config-resource.js'
import { requireReferences } from '../references.js'

/** Webhook receivers: edge-only configuration (writes do not bump the core's config version). */
export const webhooksResource: ConfigResource<typeof webhooks, Webhook, WebhookCreate, WebhookUpdate> = {
  table: webhooks,
  noun: 'webhook',
  typeName: 'Webhook',
  idPrefix: 'whk',
  configChange: false,
  schemas: { entity: webhook, create: webhookCreate, update: webhookUpdate },
  fromRow: webhookFromRow,
  toInsert: async (_tx, input, ctx) => webhookToRow(input, { ...ctx, secret: input.secret ?? generateWebhookSecret() }),
  toUpdate: async (_tx, _current, input, ctx) => webhookUpdateToRow(input, ctx),
  checkReferences: async (tx, values) => {
    const ids = values.ruleIds ?? []
    await requireReferences(tx, alertRules, 'alert rule', ids.map((id, i) => ({ path: `ruleIds.${i}`, id })))
  },
}
