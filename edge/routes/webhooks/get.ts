// GET /v1/webhooks/{id}: one webhook without its secret, 404 when unknown.
import { getOperation } from '../config-resource.js'
import { webhooksResource } from './resource.js'

/** The get operation of /v1/webhooks. */
export const getWebhook = getOperation(webhooksResource)
