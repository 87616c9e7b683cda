// GET /v1/rate-tables: rate tables oldest first with keyset pagination (`?limit&cursor` → `{ items, nextCursor }`).
import { listOperation } from '../config-resource.js'
import { rateTablesResource } from './resource.js'

/** The list operation of /v1/rate-tables. */
export const listRateTables = listOperation(rateTablesResource)
