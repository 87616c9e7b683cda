// PATCH /v1/webhooks/{id}: merges the given fields (a new secret rotates the key and is not echoed); 200, 400, 404 or 409.
import { updateOperation } from '../config-resource.js'
import { webhooksResource } from './resource.js'

/** The update operation of /v1/webhooks. */
export const updateWebhook = updateOperation(webhooksResource)
