// First-start admin key: creates one and hands back its secret to print once, or ensures ADMIN_API_KEY's secret is a key.
import { eq } from 'drizzle-orm'
import { apiKeys } from '../../shared/db/schema.js'
import { hashApiKeySecret } from '../../shared/entities/api-key.js'
import type { ApiRole, Db } from '../env.js'
import { insertApiKey } from '../auth/insert-api-key.js'

/** What the bootstrap did: `created` carries a generated secret that must be shown to the operator once. */
export type AdminKeyBootstrap =
  | { kind: 'created'; secret: string }
  | { kind: 'configured'; inserted: boolean }
  | { kind: 'existing' }

/** With ADMIN_API_KEY: makes sure a key with that secret exists (as admin); without it: creates an admin key if none exists. */
export async function ensureAdminKey(db: Db, configuredSecret: string | undefined): Promise<AdminKeyBootstrap> {
  if (configuredSecret !== undefined) {
    const hash = hashApiKeySecret(configuredSecret)
    const rows = await db.select({ id: apiKeys.id, role: apiKeys.role }).from(apiKeys).where(eq(apiKeys.secretHash, hash))
    const existing = rows[0]
    if (existing === undefined) {
      await insertApiKey(db, `ADMIN_API_KEY (added ${new Date().toISOString()})`, 'admin', configuredSecret)
      return { kind: 'configured', inserted: true }
    }
    if (existing.role !== 'admin') await db.update(apiKeys).set({ role: 'admin' }).where(eq(apiKeys.id, existing.id))
    return { kind: 'configured', inserted: false }
  }
  const admins = await db.select({ id: apiKeys.id }).from(apiKeys).where(eq(apiKeys.role, 'admin')).limit(1)
  if (admins.length > 0) return { kind: 'existing' }
  return { kind: 'created', secret: await insertApiKey(db, `bootstrap admin ${new Date().toISOString()}`, 'admin') }
}

/** What the edge tells the person at its terminal about the admin key (stderr, not the JSON log): the key itself once, then how to get another. */
export function adminKeyNotice(admin: AdminKeyBootstrap, apiUrl: string): string {
  const docs = `  API docs: ${apiUrl}/docs`
  if (admin.kind === 'created') {
    return [
      '',
      '  First start: an admin API key was created. It is shown only now (only its hash is stored):',
      '',
      `      ${admin.secret}`,
      '',
      '  Copy it into your shell, then try the API:',
      '',
      `      export KEY=${admin.secret}`,
      `      curl -s -H "Authorization: Bearer $KEY" ${apiUrl}/v1/routing-gateways`,
      '',
      docs,
      '',
    ].join('\n')
  }
  if (admin.kind === 'configured') return ['', '  The admin API key is the secret in ADMIN_API_KEY:  export KEY="$ADMIN_API_KEY"', docs, ''].join('\n')
  return [
    '',
    '  An admin API key exists (it was shown at the first start; only its hash is stored).',
    '  Lost it? Make a new one:  npm run api-key -- --name <name> --role admin',
    docs,
    '',
  ].join('\n')
}
