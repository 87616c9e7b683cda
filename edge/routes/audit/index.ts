// Sub-app of /v1/audit: the read-only audit trail.
import { defineResource } from '../../openapi/operation.js'
import { listAudit } from './list.js'

/** /v1/audit, mounted by createApp and documented in /openapi.json. */
export const auditRoutes = defineResource('/v1/audit', 'audit', [listAudit])
