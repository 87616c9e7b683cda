// Sub-app of /v1/accounts: the five configuration operations on accounts, bulk import/export, payments and their history.
import { defineResource } from '../../openapi/operation.js'
import { createAccount } from './create.js'
import { getAccount } from './get.js'
import { listAccounts } from './list.js'
import { createPayment } from './payments-create.js'
import { listPayments } from './payments-list.js'
import { removeAccount } from './remove.js'
import { updateAccount } from './update.js'
import { exportAccounts } from './export.js'
import { importAccounts } from './import.js'

/** /v1/accounts, mounted by createApp and documented in /openapi.json. */
export const accountsRoutes = defineResource('/v1/accounts', 'accounts', [
  listAccounts, exportAccounts, importAccounts, createAccount, getAccount, updateAccount, removeAccount, createPayment, listPayments,
])
