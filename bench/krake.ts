// Krake's own complete hook, timed by bench/krake-reference.py on a Krake checkout named in KRAKE_SRC
// (colon-separated `krake/` folders; KRAKE_PYTHON the Python that has python3-kubernetes,
// python3-openssl and python3-yarl, Debian's /usr/bin/python3 by default). Shared by bench/run.ts and
// bench/controller.ts: nothing of Krake's is in this repository.
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { join } from 'node:path'
import type { HookTls } from '../dist/index.js'
import { hook } from './fixtures.js'
import type { Row } from './lib.js'

/** What krake-reference.py prints: the era, its times, and what the hook made of the first Deployment. */
export interface KrakeTiming {
  era: string
  median: number
  runs: number[]
  objects: number
  env: string[]
  volumes: string[]
}

/** The row that says Krake's hook was not measured: no checkout named. */
export const krakeUnset = (figure: string, goal: string): Row => ({
  figure,
  measured: 'not measured: KRAKE_SRC unset (bench/README.md says how)',
  floor: '-',
  ratio: '-',
  goal,
})

export const krakeSources = (): string[] => (process.env.KRAKE_SRC ?? '').split(':').filter((s) => s !== '')

const python = () => process.env.KRAKE_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3')
const pki = (n: string) => readFileSync(new URL(`../test/fixtures/pki/${n}`, import.meta.url), 'utf8')

/**
 * Runs `use` with the path of the input every checkout reads: `manifests` and the hook injectHook
 * gets (bench/fixtures.ts's, with `tls`), in a temporary directory removed afterwards.
 */
export function withKrakeInput<T>(manifests: readonly object[], tls: HookTls, use: (path: string) => T): T {
  const dir = mkdtempSync(join(os.tmpdir(), 'krake-hooks-bench-krake-'))
  try {
    const { app, apiEndpoint, token } = hook(tls)
    const path = join(dir, 'input.json')
    writeFileSync(
      path,
      JSON.stringify({
        manifests,
        app,
        apiEndpoint,
        token,
        caPem: pki('root.pem'),
        intermediatePem: pki('intermediate.pem'),
        certPem: tls.certPem,
        keyPem: tls.keyPem,
      }),
    )
    return use(path)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Krake's hook of the checkout `src` timed on the input at `inputPath`; throws with the script's stderr. */
export function timeKrake(src: string, inputPath: string): KrakeTiming {
  const script = new URL('./krake-reference.py', import.meta.url).pathname
  return JSON.parse(
    execFileSync(python(), [script, src, inputPath], {
      encoding: 'utf8',
      maxBuffer: 64 * 2 ** 20,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  ) as KrakeTiming
}

/**
 * Throws unless Krake's hook did the work it is timed for on `manifests` Deployments spread over
 * 10 namespaces: both variables in the first container, the certificate volume in the first pod,
 * and one object more per namespace.
 */
export function checkKrakeHooked(krake: KrakeTiming, manifests: number): void {
  if (
    !krake.env.includes('KRAKE_COMPLETE_TOKEN') ||
    !krake.env.includes('KRAKE_COMPLETE_URL') ||
    krake.volumes.length !== 1 ||
    krake.objects < manifests + 10
  )
    throw new Error(`Krake's hook did not hook the manifests: ${JSON.stringify({ ...krake, runs: undefined })}`)
}
