// PATCH /v1/rate-tables/{id}: renames, bumps the config version; 200, 400, 404 or 409.
import { updateOperation } from '../config-resource.js'
import { rateTablesResource } from './resource.js'

/** The update operation of /v1/rate-tables. */
export const updateRateTable = updateOperation(rateTablesResource)
