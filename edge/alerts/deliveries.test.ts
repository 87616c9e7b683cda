// Covers deliverDue on a real libSQL file with a real receiver: deleted receivers fail at once, not-yet-due deliveries wait, a claimed attempt is never sent twice.
import { afterEach, describe, expect, it } from 'vitest'
import { alertDeliveries, webhooks } from '../../shared/db/schema.js'
import { useHarness } from '../test-support/harness.js'
import { startWebhookReceiver, type WebhookReceiver } from '../test-support/webhook-receiver.js'
import { DEFAULT_RETRY_POLICY, deliverDue, type DeliveryOptions } from './deliveries.js'
import { generateWebhookSecret } from './webhook.js'

const NOW = Date.now()
const options: DeliveryOptions = { ...DEFAULT_RETRY_POLICY, fetch: (u, i) => fetch(u, i), clock: () => NOW, sleep: async () => undefined }
const delivery = (id: string, over: Partial<typeof alertDeliveries.$inferInsert> = {}) => ({
  id, alertId: 'alt_1', webhookId: 'whk_1', type: 'alert.firing' as const, body: '{"x":1}', status: 'pending' as const, attempts: 0,
  lastAttemptAtMs: null, nextAttemptAtMs: NOW, lastStatusCode: null, lastError: null, createdAtMs: NOW, ...over,
})

describe('deliverDue', () => {
  const h = useHarness()
  let receiver: WebhookReceiver | undefined
  afterEach(async () => receiver?.close())

  async function hook(): Promise<void> {
    receiver = await startWebhookReceiver()
    await h().db.insert(webhooks).values({ id: 'whk_1', name: 'w', url: receiver.url, secret: generateWebhookSecret(), enabled: true, severities: ['critical'], ruleIds: [], allowPrivateNetwork: true, createdAtMs: 0, updatedAtMs: 0 })
  }

  it('fails a delivery whose webhook was deleted without sending anything', async () => {
    await h().db.insert(alertDeliveries).values(delivery('msg_1'))
    expect(await deliverDue(h().db, NOW, options)).toEqual({ delivered: 0, failed: 1, retrying: 0 })
    expect((await h().db.select().from(alertDeliveries))[0]).toMatchObject({ status: 'failed', attempts: 0, lastError: 'webhook deleted' })
  })

  it('sends only deliveries that are due', async () => {
    await hook()
    await h().db.insert(alertDeliveries).values([delivery('msg_due'), delivery('msg_later', { nextAttemptAtMs: NOW + 1 })])
    expect(await deliverDue(h().db, NOW, options)).toEqual({ delivered: 1, failed: 0, retrying: 0 })
    expect(receiver!.received.map((r) => r.headers['webhook-id'])).toEqual(['msg_due'])
  })

  it('sends a delivery once when two runners pick it up at the same moment', async () => {
    await hook()
    await h().db.insert(alertDeliveries).values(delivery('msg_1'))
    const counts = await Promise.all([deliverDue(h().db, NOW, options), deliverDue(h().db, NOW, options)])
    expect(counts.reduce((s, c) => s + c.delivered, 0)).toBe(1)
    expect(receiver!.received).toHaveLength(1)
  })
})
