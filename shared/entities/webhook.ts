// Zod schemas, types and row mapping for webhooks (docs/api.md /v1/webhooks); the secret is write-only and returned once.
import { z } from 'zod'
import type { webhooks } from '../db/tables/webhooks.js'
import { privateUrlHostIssue } from '../net/address.js'
import { ALERT_SEVERITIES } from './enums.js'
import { entityId, entityName, isoFromMs, isoTime, patchSchema, uniqueItems } from './fields.js'

/** Row shapes of the `webhooks` table. */
export type WebhookRow = typeof webhooks.$inferSelect
export type WebhookInsert = typeof webhooks.$inferInsert

/** Prefix of a Standard Webhooks secret. */
export const WEBHOOK_SECRET_PREFIX = 'whsec_'

/** Length in bytes of the key of a `whsec_` secret, or null when it is not `whsec_` + base64 of 24..64 bytes. */
export function webhookSecretKeyLength(secret: string): number | null {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) return null
  const b64 = secret.slice(WEBHOOK_SECRET_PREFIX.length)
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || b64.length % 4 !== 0) return null
  const bytes = (b64.length / 4) * 3 - (b64.length - b64.replace(/=+$/, '').length)
  return bytes >= 24 && bytes <= 64 ? bytes : null
}

/** `whsec_` + base64 of 24..64 key bytes (Standard Webhooks symmetric secret). */
export const webhookSecret = z
  .string()
  .refine((s) => webhookSecretKeyLength(s) !== null, 'whsec_ followed by the base64 of a 24..64 byte key')
  .describe('write-only signing secret: "whsec_" + base64 key; generated when omitted and returned once')

/** A receiver URL: http(s) only. */
const webhookUrl = z.url({ protocol: /^https?$/ }).max(2000).describe('receiver URL (http or https)')

const fields = {
  name: entityName,
  url: webhookUrl,
  enabled: z.boolean(),
  severities: z.array(z.enum(ALERT_SEVERITIES)).min(1).refine(uniqueItems, 'severities must be unique').describe('alert severities delivered'),
  ruleIds: z.array(entityId).max(1000).refine(uniqueItems, 'ruleIds must be unique').describe('only these rules; empty = every rule'),
  allowPrivateNetwork: z.boolean().describe(
    'deliver to loopback, private, link-local (cloud metadata) and other non-public addresses; false refuses such a url here and such a resolved address at delivery',
  ),
}

/** Why a receiver URL is refused for a webhook that does not allow private networks (null when it is fine). */
export function webhookUrlIssue(w: { url: string; allowPrivateNetwork: boolean }): string | null {
  if (w.allowPrivateNetwork) return null
  const issue = privateUrlHostIssue(w.url)
  return issue === null ? null : `${issue}; set allowPrivateNetwork to deliver there`
}

/** POST /v1/webhooks body. */
export const webhookCreate = z
  .strictObject({
    ...fields,
    secret: webhookSecret.optional(),
    enabled: fields.enabled.default(true),
    severities: fields.severities.default(['warning', 'critical']),
    ruleIds: fields.ruleIds.default([]),
    allowPrivateNetwork: fields.allowPrivateNetwork.default(false),
  })
  .superRefine((w, ctx) => {
    const issue = webhookUrlIssue(w)
    if (issue !== null) ctx.addIssue({ code: 'custom', path: ['url'], message: issue })
  })

/** PATCH /v1/webhooks/{id} body; a new secret rotates the key (the merged url and allowPrivateNetwork are checked by the route). */
export const webhookUpdate = patchSchema({ ...fields, secret: webhookSecret })

/** Public JSON shape of a webhook (never the secret). */
export const webhook = z.object({ id: entityId, ...fields, createdAt: isoTime, updatedAt: isoTime })

/** POST /v1/webhooks response: the webhook plus its secret, shown this once. */
export const webhookCreated = webhook.extend({ secret: z.string().describe('signing secret; shown only once') })

/** Inferred types of the schemas above. */
export type WebhookCreate = z.infer<typeof webhookCreate>
export type WebhookUpdate = z.infer<typeof webhookUpdate>
export type Webhook = z.infer<typeof webhook>

/** Maps a `webhooks` row to the public JSON shape (drops the secret). */
export function webhookFromRow(row: WebhookRow): Webhook {
  const { secret: _secret, createdAtMs, updatedAtMs, ...rest } = row
  return { ...rest, createdAt: isoFromMs(createdAtMs), updatedAt: isoFromMs(updatedAtMs) }
}

/** Builds the insert row; `secret` is the given one or a generated one. */
export function webhookToRow(input: WebhookCreate, ctx: { id: string; nowMs: number; secret: string }): WebhookRow {
  return { id: ctx.id, ...input, secret: ctx.secret, createdAtMs: ctx.nowMs, updatedAtMs: ctx.nowMs }
}

/** Builds the update set for a validated PATCH body. */
export function webhookUpdateToRow(input: WebhookUpdate, ctx: { nowMs: number }): Partial<WebhookInsert> {
  return { ...input, updatedAtMs: ctx.nowMs }
}
