// Descriptor of /v1/webhooks for the shared operations (the secret never leaves the database after creation); create has its own file.
import { alertRules, webhooks } from '../../../shared/db/schema.js'
import {
  webhook, webhookCreate, webhookFromRow, webhookToRow, webhookUpdate, webhookUpdateToRow, webhookUrlIssue,
  type Webhook, type WebhookCreate, type WebhookUpdate,
} from '../../../shared/entities/webhook.js'
import { generateWebhookSecret } from '../../alerts/webhook.js'
import { badRequest } from '../../errors.js'
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
  toUpdate: async (_tx, current, input, ctx) => {
    const issue = webhookUrlIssue({ url: input.url ?? current.url, allowPrivateNetwork: input.allowPrivateNetwork ?? current.allowPrivateNetwork })
    if (issue !== null) throw badRequest('the receiver URL is not a public address', [{ path: 'url', message: issue }])
    return webhookUpdateToRow(input, ctx)
  },
  checkReferences: async (tx, values) => {
    const ids = values.ruleIds ?? []
    await requireReferences(tx, alertRules, 'alert rule', ids.map((id, i) => ({ path: `ruleIds.${i}`, id })))
  },
}
