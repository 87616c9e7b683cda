// GET /v1/webhooks: lists webhook receivers without their secrets, oldest first, keyset-paginated.
import { listOperation } from '../config-resource.js'
import { webhooksResource } from './resource.js'

/** The list operation of /v1/webhooks. */
export const listWebhooks = listOperation(webhooksResource)
