// POST /v1/rate-tables: validates, inserts, bumps the config version; 201, 400 or 409 for a duplicate name.
import { createOperation } from '../config-resource.js'
import { rateTablesResource } from './resource.js'

/** The create operation of /v1/rate-tables. */
export const createRateTable = createOperation(rateTablesResource)
