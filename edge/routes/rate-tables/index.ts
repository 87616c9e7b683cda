// Sub-app of /v1/rate-tables: the five configuration operations on rate tables, and their rates (CRUD, CSV import and export).
import { defineResource } from '../../openapi/operation.js'
import { createRateTable } from './create.js'
import { getRateTable } from './get.js'
import { listRateTables } from './list.js'
import { createRate } from './rates-create.js'
import { getRate } from './rates-get.js'
import { importRates } from './rates-import.js'
import { listRates } from './rates-list.js'
import { removeRate } from './rates-remove.js'
import { updateRate } from './rates-update.js'
import { removeRateTable } from './remove.js'
import { updateRateTable } from './update.js'

/** /v1/rate-tables, mounted by createApp and documented in /openapi.json. */
export const rateTablesRoutes = defineResource('/v1/rate-tables', 'rate-tables', [
  listRateTables, createRateTable, getRateTable, updateRateTable, removeRateTable,
  listRates, createRate, importRates, getRate, updateRate, removeRate,
])
