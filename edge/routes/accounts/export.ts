// GET /v1/accounts/export: every one of the accounts as JSON or CSV that the import reads back.
import { exportOperation } from '../bulk-operations.js'
import { accountsResource } from './resource.js'

/** The bulk export operation of /v1/accounts. */
export const exportAccounts = exportOperation(accountsResource, 'Accounts')
