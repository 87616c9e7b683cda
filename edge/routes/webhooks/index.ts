// Sub-app of /v1/webhooks: list, create (secret shown once), read, change and delete webhook receivers.
import { defineResource } from '../../openapi/operation.js'
import { createWebhook } from './create.js'
import { getWebhook } from './get.js'
import { listWebhooks } from './list.js'
import { removeWebhook } from './remove.js'
import { updateWebhook } from './update.js'

/** /v1/webhooks, mounted by createApp and documented in /openapi.json. */
export const webhooksRoutes = defineResource('/v1/webhooks', 'webhooks', [listWebhooks, createWebhook, getWebhook, updateWebhook, removeWebhook])
