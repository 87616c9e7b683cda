// Stores a new operator API key (name, role, secret hashed by the shared entity) and hands its secret back.
import { apiKeys } from '../../shared/db/schema.js'
import { apiKeyToRow } from '../../shared/entities/api-key.js'
import type { ApiRole, Db } from '../env.js'
import { newId } from '../ids.js'
import { API_KEY_PREFIX, generateApiKeySecret } from './api-key-secret.js'

/** Inserts an API key with the given (or a new) secret and returns the secret. */
export async function insertApiKey(db: Db, name: string, role: ApiRole, secret: string = generateApiKeySecret()): Promise<string> {
  const nowMs = Date.now()
  const row = apiKeyToRow({ name, role }, { id: newId('key', nowMs), nowMs, secret })
  // An operator-chosen secret may be short: showing its first characters to every viewer would give most of it away.
  const secretPrefix = secret.startsWith(API_KEY_PREFIX) ? row.secretPrefix : ''
  await db.insert(apiKeys).values({ ...row, secretPrefix })
  return secret
}
