// DELETE /v1/webhooks/{id}: deletes the receiver (its pending deliveries then fail as 'webhook deleted'); 204 or 404.
import { removeOperation } from '../config-resource.js'
import { webhooksResource } from './resource.js'

/** The remove operation of /v1/webhooks. */
export const removeWebhook = removeOperation(webhooksResource)
