// Sub-app of /v1/accounts: the five configuration operations on accounts.
import { defineResource } from '../../openapi/operation.js'
import { createAccount } from './create.js'
import { getAccount } from './get.js'
import { listAccounts } from './list.js'
import { removeAccount } from './remove.js'
import { updateAccount } from './update.js'

/** /v1/accounts, mounted by createApp and documented in /openapi.json. */
export const accountsRoutes = defineResource('/v1/accounts', 'accounts', [listAccounts, createAccount, getAccount, updateAccount, removeAccount])
