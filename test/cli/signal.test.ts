// `krake-hooks signal complete|shutdown`, the built command in a child process,
// calling a node:http stand-in for the Krake API on loopback.
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { root } from '../helpers.js'

const run = promisify(execFile)
const MAIN = join(root, 'dist/cli/main.js')
let server: Server
let base = ''
const received: Array<{ method: string; url: string; body: string }> = []
let answers: number[] = []

async function signal(args: string[], env: Record<string, string>) {
  try {
    const { stderr } = await run(process.execPath, [MAIN, 'signal', ...args], {
      env: { ...env, PATH: process.env.PATH ?? '' },
    })
    return { code: 0, stderr }
  } catch (e) {
    const err = e as { code: number; stderr: string }
    return { code: err.code, stderr: err.stderr }
  }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c.toString()))
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, body })
      res.writeHead(answers.shift() ?? 200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/kubernetes/namespaces/ns/applications/app`
})
afterAll(() => new Promise((r) => server.close(r)))

describe('krake-hooks signal', () => {
  it('signal shutdown PUTs {"token": ...} to KRAKE_SHUTDOWN_URL and exits 0', async () => {
    received.length = 0
    const r = await signal(['shutdown'], { KRAKE_SHUTDOWN_TOKEN: 'tok-1', KRAKE_SHUTDOWN_URL: `${base}/shutdown` })
    expect(r).toEqual({ code: 0, stderr: 'krake: shutdown hook accepted (200)\n' })
    expect(received).toEqual([
      { method: 'PUT', url: '/kubernetes/namespaces/ns/applications/app/shutdown', body: '{"token":"tok-1"}' },
    ])
  })

  it("signal complete reads current KRAKE_COMPLETE_TOKEN, or 2020's KRAKE_TOKEN", async () => {
    received.length = 0
    expect(
      (await signal(['complete'], { KRAKE_COMPLETE_TOKEN: 'new', KRAKE_COMPLETE_URL: `${base}/complete` })).code,
    ).toBe(0)
    expect((await signal(['complete'], { KRAKE_TOKEN: 'old', KRAKE_COMPLETE_URL: `${base}/complete` })).code).toBe(0)
    expect(received.map((r) => r.body)).toEqual(['{"token":"new"}', '{"token":"old"}'])
  })

  it('retries a 503 and stops at a 401, exit 1 with the answer', async () => {
    answers = [503, 401]
    received.length = 0
    const r = await signal(['complete', '--backoff-ms', '5'], {
      KRAKE_TOKEN: 't',
      KRAKE_COMPLETE_URL: `${base}/complete`,
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toBe(
      'krake: attempt 1 failed (the Krake API answered 503: {}); retrying in 5 ms\nkrake: the Krake API answered 401: {}\n',
    )
    expect(received).toHaveLength(2)
  })

  it('a missing variable exits 1 naming it; a usage error exits 2', async () => {
    expect(await signal(['shutdown'], {})).toEqual({
      code: 1,
      stderr: 'krake: KRAKE_SHUTDOWN_TOKEN is not set: is the Krake shutdown hook enabled for this application?\n',
    })
    expect((await signal([], {})).code).toBe(2)
    expect((await signal(['finish'], {})).code).toBe(2)
    expect((await signal(['complete', '--nope'], {})).code).toBe(2)
  })

  it('--retries abc and the other number flags are a usage error, exit 2 (issue 16)', async () => {
    for (const flag of ['--retries', '--backoff-ms', '--timeout-ms']) {
      const r = await signal(['complete', flag, 'abc'], { KRAKE_TOKEN: 't', KRAKE_COMPLETE_URL: `${base}/complete` })
      expect([flag, r.code]).toEqual([flag, 2])
      expect(r.stderr).toMatch(new RegExp(`^krake-hooks signal: ${flag} takes a whole number, not "abc"\n\nusage:`))
    }
  })

  it('a certificate directory without key.pem or ca-bundle.pem exits 1 naming the file, never a stack (issue 16)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'krake-signal-certs-'))
    try {
      writeFileSync(join(dir, 'cert.pem'), 'x')
      const env = {
        KRAKE_TOKEN: 't',
        KRAKE_COMPLETE_URL: 'https://127.0.0.1:1/kubernetes/namespaces/n/applications/a/complete',
      }
      const r = await signal(['complete', '--cert-dir', dir], env)
      expect(r.code).toBe(1)
      expect(r.stderr).toBe(
        `krake: cannot read ${join(dir, 'ca-bundle.pem')} (ENOENT): the certificate volume holds ca-bundle.pem, cert.pem and key.pem\n`,
      )
      writeFileSync(join(dir, 'ca-bundle.pem'), 'x')
      expect((await signal(['complete', '--cert-dir', dir], env)).stderr).toMatch(
        /^krake: cannot read .*key\.pem \(ENOENT\)/,
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
