// verifyHookRequest's certificate check against `openssl verify -purpose
// sslclient`, case by case, on certificates the openssl CLI made (issue 11).
import { writeFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hashHookToken, verifyHookRequest, type HookRequest } from '../../src/index.js'
import { makePki, openssl, type Pki } from '../pki.js'

const TOKEN = 'chain-token-0123456789abcdefghijklmnopqrstu'
const PATH = '/kubernetes/namespaces/ns/applications/app/complete'
const lookup = () => hashHookToken(TOKEN)
let pki: Pki
beforeAll(() => {
  pki = makePki()
})
afterAll(() => pki?.cleanup())

const DAY = 24 * 3600 * 1000
/** When each certificate is valid: made now for 3650 days. */
const times = { now: () => Date.now(), expired: () => Date.now() + 4000 * DAY, notYetValid: () => Date.now() - 2 * DAY }

/** openssl's verdict on `leaf` with `chain` as untrusted intermediates and root.pem (or `anchor`) trusted, at `at`. */
function opensslSays(leaf: string, chain: string[], at: number, anchor = 'root.pem'): boolean {
  const untrusted = pki.path(`untrusted-${leaf}`)
  writeFileSync(untrusted, chain.map((c) => pki.read(`${c}.pem`)).join(''))
  try {
    const args = [
      'verify',
      '-purpose',
      'sslclient',
      '-attime',
      String(Math.floor(at / 1000)),
      '-CAfile',
      pki.path(anchor),
    ]
    openssl([...args, ...(chain.length ? ['-untrusted', untrusted] : []), pki.path(`${leaf}.pem`)])
    return true
  } catch {
    return false
  }
}

/** Our verdict on the same certificates: does the call get past the identity check? */
async function weSay(
  leaf: string,
  chain: string[],
  at: number,
  anchor = 'root.pem',
  hookUser?: string,
): Promise<number> {
  const request: HookRequest = {
    method: 'PUT',
    url: PATH,
    body: { token: TOKEN },
    clientCertPem: [leaf, ...chain].map((c) => pki.read(`${c}.pem`)).join(''),
  }
  const verdict = await verifyHookRequest(request, lookup, {
    caBundlePem: pki.read(anchor),
    now: new Date(at),
    ...(hookUser ? { hookUser } : {}),
  })
  return verdict.ok ? 200 : verdict.status
}

type Case = [name: string, leaf: string, chain: string[], when: keyof typeof times, openssl: boolean, anchor?: string]
const CASES: Case[] = [
  ['a hook client under the intermediate', 'hook-client', ['inter-ec-sec1'], 'now', true],
  [
    "a leaf under a sub-CA that the intermediate's pathlen:0 forbids",
    'subca-client',
    ['subca', 'inter-ec-sec1'],
    'now',
    false,
  ],
  ['a leaf whose keyUsage is keyCertSign only', 'certsign-client', ['inter-ec-sec1'], 'now', false],
  ['a leaf for serverAuth only', 'server-only-client', ['inter-ec-sec1'], 'now', false],
  ['a server certificate', 'server', [], 'now', false],
  ['an expired chain', 'hook-client', ['inter-ec-sec1'], 'expired', false],
  ['a chain not yet valid', 'hook-client', ['inter-ec-sec1'], 'notYetValid', false],
  ['a client of a foreign CA', 'foreign-client', ['foreign-inter'], 'now', false],
  ['a foreign client, its own root trusted', 'foreign-client', ['foreign-inter'], 'now', true, 'foreign.pem'],
  ['a leaf without its intermediate', 'hook-client', [], 'now', false],
  ['a CN with a comma and a plus', 'comma-client', ['inter-ec-sec1'], 'now', true],
  ['a CN in a multi-valued RDN', 'rdn-client', ['inter-ec-sec1'], 'now', true],
  ['a leaf with an unknown critical extension (issue 16)', 'critical-client', ['inter-ec-sec1'], 'now', false],
  ['a leaf with an unknown non-critical extension', 'noncritical-client', ['inter-ec-sec1'], 'now', true],
  [
    'an intermediate with an unknown critical extension (issue 16)',
    'critical-inter-client',
    ['inter-critical'],
    'now',
    false,
  ],
]

describe('the client certificate check agrees with openssl verify -purpose sslclient', () => {
  it.each(CASES)('%s', async (_, leaf, chain, when, expected, anchor = 'root.pem') => {
    const at = times[when]()
    expect(opensslSays(leaf, chain, at, anchor)).toBe(expected)
    expect(await weSay(leaf, chain, at, anchor)).toBe(expected ? 200 : 403)
  })
})

describe('where we are stricter than openssl, on purpose', () => {
  it('a CA certificate presented as the client is 403: openssl takes one with digitalSignature, but a CA is not a hook identity', async () => {
    expect(opensslSays('inter-ec-sec1', [], Date.now())).toBe(true)
    expect(await weSay('inter-ec-sec1', [], Date.now())).toBe(403)
  })
})

describe('hookUser is compared on the parsed certificate (issue 11)', () => {
  it('a CN with "," and "+" matches the hookUser of the same characters', async () => {
    expect(await weSay('comma-client', ['inter-ec-sec1'], Date.now(), 'root.pem', 'system:a,b+c')).toBe(200)
    expect(await weSay('comma-client', ['inter-ec-sec1'], Date.now(), 'root.pem', 'system:a\\,b\\+c')).toBe(403)
  })

  it('a CN inside a multi-valued RDN (CN=...+OU=...) is found', async () => {
    expect(await weSay('rdn-client', ['inter-ec-sec1'], Date.now(), 'root.pem', 'system:complete-hook')).toBe(200)
    expect(await weSay('rdn-client', ['inter-ec-sec1'], Date.now(), 'root.pem', 'system:shutdown-hook')).toBe(403)
  })

  it('another CN is 403 though openssl accepts the chain: the CN is the hook user check', async () => {
    expect(opensslSays('leaf', [], Date.now())).toBe(true)
    expect(await weSay('leaf', [], Date.now(), 'root.pem', 'system:complete-hook')).toBe(403)
  })
})
