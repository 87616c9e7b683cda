// POST /v1/accounts/import: accounts from JSON or CSV, all valid or nothing written (an existing account's balance is left alone: payments move it).
import { importOperation } from '../bulk-operations.js'
import { accountsResource } from './resource.js'

/** The bulk import operation of /v1/accounts. */
export const importAccounts = importOperation(accountsResource, 'Accounts', { ignoreOnUpdate: ['balance'] })
