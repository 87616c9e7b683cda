// `npm run api-key`: a new key goes straight into the local database with the asked role, and its secret is printed once as an export line.
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { eq } from 'drizzle-orm'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { apiKeys } from '../shared/db/schema.js'
import { hashApiKeySecret } from '../shared/entities/api-key.js'
import { openDatabase } from '../shared/db/node/database.js'

const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..')
const run = promisify(execFile)

/** Runs the script with node itself (tsx as a loader), so the process that does the work is the one awaited. */
function apiKey(dbUrl: string, ...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, ['--import', 'tsx', join(root, 'scripts/api-key.ts'), ...args], { cwd: root, env: { ...process.env, DATABASE_URL: dbUrl } })
}

describe('scripts/api-key.ts', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'softswitch-api-key-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  it('stores a viewer key in a new local database and prints `export KEY=` with its secret', async () => {
    const url = `file:${join(dir, 'softswitch.db')}`
    const { stdout } = await apiKey(url, '--name', 'noc wall', '--role', 'viewer')
    const secret = /^ {2}export KEY=(ssk_\S+)$/m.exec(stdout)?.[1]
    expect(secret).toBeDefined()
    const { db, client } = openDatabase({ url })
    const rows = await db.select({ name: apiKeys.name, role: apiKeys.role }).from(apiKeys).where(eq(apiKeys.secretHash, hashApiKeySecret(secret!)))
    client.close()
    expect(rows).toEqual([{ name: 'noc wall', role: 'viewer' }])
  })

  it('exits 2 with the usage line when the name is missing or the role unknown', async () => {
    const url = `file:${join(dir, 'softswitch.db')}`
    const failed = await apiKey(url, '--role', 'root').then(() => null, (err: { code: number; stderr: string }) => err)
    expect(failed?.code).toBe(2)
    expect(failed?.stderr).toContain('usage: npm run api-key -- --name <name>')
  })
})
