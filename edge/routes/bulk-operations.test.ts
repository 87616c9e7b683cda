// Bulk import/export of routing gateways, mapping gateways and accounts: whole-file validation naming every bad row, nothing written on error, upsert by name, and export -> import round trips.
import { describe, expect, it } from 'vitest'
import { accountBody, create, gatewayGroupBody, mappingGatewayBody, postCsv, routingGatewayBody } from '../test-support/fixtures.js'
import { useHarness } from '../test-support/harness.js'

const RGW_HEADER = 'name,host,port,prefixes,priority,lockType,optionsCheck,calleeRewrite.strip,calleeRewrite.add,groupId'

describe('bulk import and export', () => {
  const h = useHarness()
  const count = async (path: string) => (await h().request('GET', `${path}/export`)).body.items.length

  it('imports 1,000 routing gateways from CSV in one transaction: one config bump, one audit entry', async () => {
    const lines = [RGW_HEADER]
    for (let i = 0; i < 1000; i++) lines.push(`vendor-${i},198.51.100.${i % 250 + 1},${5060 + (i % 3)},0044${i};0033,${i % 5},none,${i % 2 === 0},1,9,`)
    const before = await h().configVersion()
    const res = await postCsv(h(), '/v1/routing-gateways/import', lines.join('\r\n') + '\r\n')
    expect(res.status).toBe(200)
    expect([res.body.total, res.body.created.length, res.body.updated]).toEqual([1000, 1000, []])
    expect(await h().configVersion()).toBe(before + 1)
    const all = (await h().request('GET', '/v1/routing-gateways/export')).body.items
    expect(all).toHaveLength(1000)
    expect(all.find((g: any) => g.name === 'vendor-7')).toMatchObject({ host: '198.51.100.8', port: 5061, prefixes: ['00447', '0033'], priority: 2, optionsCheck: false, calleeRewrite: { strip: 1, add: '9' }, groupId: null, transport: 'udp' })
    const audit = (await h().request('GET', '/v1/audit?operation=importRoutingGateways')).body.items
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ action: 'import', resource: 'routing-gateways', after: { mode: 'create', total: 1000 } })
    expect(audit[0].after.created).toHaveLength(1000)
  })

  it('names every bad CSV row with its zod issues and writes nothing', async () => {
    const group = await create(h(), '/v1/gateway-groups', gatewayGroupBody())
    const csv = [
      RGW_HEADER,
      'ok-1,198.51.100.1,5060,0044,0,none,false,,,',
      'bad-host,not a host,5060,,0,none,false,,,',
      'bad-port,198.51.100.2,70000,,0,none,false,,,',
      `ok-2,198.51.100.3,5060,,0,none,false,,,${group.id}`,
      'bad-ref,198.51.100.4,5060,,0,none,false,,,grp_missing',
      'ok-1,198.51.100.5,5060,,0,none,maybe,,,',
    ].join('\n')
    const res = await postCsv(h(), '/v1/routing-gateways/import', csv)
    expect(res.status).toBe(400)
    expect(res.body.error.message).toMatch(/^4 invalid routing gateway row\(s\); nothing was imported/)
    const paths = res.body.error.issues.map((i: any) => i.path.join('.'))
    expect(paths).toEqual(expect.arrayContaining(['rows.2.host', 'rows.3.port', 'rows.5.groupId', 'rows.6.name']))
    expect(paths.every((p: string) => /^rows\.(2|3|5|6)\./.test(p))).toBe(true)
    expect(res.body.error.issues.find((i: any) => i.path.join('.') === 'rows.5.groupId').message).toBe('no gateway group with id grp_missing')
    expect(await count('/v1/routing-gateways')).toBe(0)
    expect((await h().request('GET', '/v1/audit?action=import')).body.items).toEqual([])
  })

  it('refuses an existing name in create mode and changes only the given fields in upsert mode', async () => {
    const made = await create(h(), '/v1/routing-gateways', routingGatewayBody({ name: 'carrier-a', priority: 1, prefixes: ['0044'] }))
    const json = { items: [{ name: 'carrier-a', priority: 9 }, routingGatewayBody({ name: 'carrier-b' })] }
    const refused = await h().request('POST', '/v1/routing-gateways/import', { body: json })
    expect(refused.status).toBe(400)
    expect(refused.body.error.issues).toEqual([expect.objectContaining({ path: ['items', 0, 'name'], message: expect.stringContaining('already exists') })])
    const upsert = await h().request('POST', '/v1/routing-gateways/import?mode=upsert', { body: json })
    expect(upsert.status).toBe(200)
    expect(upsert.body.updated).toEqual([made.id])
    expect(upsert.body.created).toHaveLength(1)
    expect((await h().request('GET', `/v1/routing-gateways/${made.id}`)).body).toMatchObject({ priority: 9, prefixes: ['0044'], host: made.host })
  })

  it('round-trips: a CSV export imported into an empty database recreates every field; a JSON export upserted back changes nothing', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody())
    const mgw = await create(h(), '/v1/mapping-gateways', mappingGatewayBody(acc.id))
    await create(h(), '/v1/routing-gateways', routingGatewayBody({
      name: 'full, "quoted"', prefixes: ['0044', '+1'], stopSwitchingCodes: [486, 503], mappingGatewayRule: { mode: 'forbid', ids: [mgw.id] },
      calleeRewrite: { strip: 2, add: '' }, callerRewrite: { strip: 0, add: '+44' }, clearingAccountId: acc.id, optionsCheck: true,
      calleeRules: [{ op: 'toNational', countryCode: '44' }, { op: 'replace', pattern: '^0(\\d+)$', replacement: '1234#0$1' }],
      callerId: { presentation: 'anonymous', privacy: 'id', assertedIdentity: true }, allowLossRoutes: true,
    }))
    await create(h(), '/v1/routing-gateways', routingGatewayBody({ name: 'plain' }))
    const before = (await h().request('GET', '/v1/routing-gateways/export')).body.items
    const csv = await h().app.request('/v1/routing-gateways/export?format=csv', { headers: { authorization: `Bearer ${h().adminKey}` } })
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/)
    const text = await csv.text()
    expect(text.split('\r\n')[0]).toMatch(/^id,name,host,port,transport,prefixes,/)

    const strip = (g: any) => { const { id: _i, createdAt: _c, updatedAt: _u, ...rest } = g; return rest }
    const byName = (a: any, b: any) => a.name.localeCompare(b.name)
    await h().request('DELETE', `/v1/routing-gateways/${before[0].id}`)
    await h().request('DELETE', `/v1/routing-gateways/${before[1].id}`)
    const again = await postCsv(h(), '/v1/routing-gateways/import', text)
    expect(again.status).toBe(200)
    const after = (await h().request('GET', '/v1/routing-gateways/export')).body.items
    expect(after.map(strip).sort(byName)).toEqual(before.map(strip).sort(byName))

    const version = await h().configVersion()
    const noop = await h().request('POST', '/v1/routing-gateways/import?mode=upsert', { body: { items: after } })
    expect(noop.status).toBe(200)
    expect((await h().request('GET', '/v1/routing-gateways/export')).body.items.map(strip)).toEqual(after.map(strip))
    expect(await h().configVersion()).toBe(version + 1)
  })

  it('imports mapping gateways with passwords as digest hashes and never exports a password', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody())
    const csv = `name,accountId,authMode,ips,username,password\npbx-1,${acc.id},password,,pbx1,s3cret-pass\npbx-2,${acc.id},ip,192.0.2.7;192.0.2.8,,\npbx-3,acc_missing,ip,192.0.2.9,,\n`
    const bad = await postCsv(h(), '/v1/mapping-gateways/import', csv)
    expect(bad.status).toBe(400)
    expect(bad.body.error.issues).toEqual([expect.objectContaining({ path: ['rows', 3, 'accountId'], message: 'no account with id acc_missing' })])
    const ok = await postCsv(h(), '/v1/mapping-gateways/import', csv.split('\n').slice(0, 3).join('\n'))
    expect(ok.status).toBe(200)
    const exported = await (await h().app.request('/v1/mapping-gateways/export?format=csv', { headers: { authorization: `Bearer ${h().adminKey}` } })).text()
    expect(exported).toContain('192.0.2.7;192.0.2.8')
    expect(exported).not.toContain('s3cret-pass')
    expect(JSON.stringify((await h().request('GET', '/v1/audit?action=import')).body)).not.toContain('s3cret-pass')
  })

  it('sets the opening balance of new accounts but leaves an existing balance to payments', async () => {
    const acc = await create(h(), '/v1/accounts', accountBody({ name: 'old', balance: 5 }))
    const res = await h().request('POST', '/v1/accounts/import?mode=upsert', { body: [{ name: 'old', balance: 999, overdraftLimit: 2 }, { name: 'new', balance: 7 }] })
    expect(res.status).toBe(200)
    const items = (await h().request('GET', '/v1/accounts/export')).body.items
    expect(items.find((a: any) => a.id === acc.id)).toMatchObject({ balance: 5, overdraftLimit: 2 })
    expect(items.find((a: any) => a.name === 'new')).toMatchObject({ balance: 7 })
  })

  it('refuses viewers (403), unknown CSV columns, duplicate names in one file (400) and other content types (415)', async () => {
    const viewer = await h().request('POST', '/v1/accounts/import', { as: 'viewer', body: { items: [accountBody()] } })
    expect(viewer.status).toBe(403)
    const unknown = await postCsv(h(), '/v1/accounts/import', 'name,colour\nx,red\n')
    expect([unknown.status, unknown.body.error.issues[0].message]).toEqual([400, expect.stringContaining('colour')])
    const dup = await h().request('POST', '/v1/accounts/import', { body: { items: [{ name: 'twin' }, { name: 'twin' }] } })
    expect(dup.body.error.issues).toEqual([expect.objectContaining({ path: ['items', 1, 'name'], message: expect.stringContaining('items.0') })])
    const xml = await postCsv(h(), '/v1/accounts/import', '<x/>', 'application/xml')
    expect([xml.status, xml.body.error.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE'])
    const big = await postCsv(h(), '/v1/accounts/import', `name\n${'x'.repeat(9 * 1024 * 1024)}\n`)
    expect([big.status, big.body.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE'])
    expect(await count('/v1/accounts')).toBe(0)
  })
})
