// Every ```ts snippet of the README type-checks as a user's code would: its
// own module importing 'krake-hooks' (the built types, as users get them), under strict with
// exactOptionalPropertyTypes and noUncheckedIndexedAccess (issue 15). The
// values a snippet takes from its surroundings (your intermediate's PEM, your
// KubeConfig) are the placeholders below, declared and nothing more.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { root } from './helpers.js'

const PLACEHOLDERS = `
declare const yaml: string
declare const intermediatePem: string
declare const intermediateKeyPem: string
declare const krakeCaPem: string
declare const key: string
declare const cert: string
declare const kc: import('@kubernetes/client-node').KubeConfig
declare const hook: import('krake-hooks').HookSpec
declare const chart: import('cdk8s').Chart
declare const job: import('cdk8s').ApiObject
declare const tlsEnabled: boolean
declare const config: { api_endpoint: string; tls: { client_ca: string } }
declare const app: import('krake-hooks').KrakeApplication
declare const manifests: object[]
`

/** The README and every page of docs/, where the snippets users copy live. */
function pages(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(root, 'docs', f))
  return [join(root, 'README.md'), ...docs].map((f) => readFileSync(f, 'utf8'))
}

function snippets(): string[] {
  return pages().flatMap((page) => [...page.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] ?? ''))
}

describe('the README', () => {
  it('has TypeScript snippets, each of them a module that imports what it uses', () => {
    const all = snippets()
    expect(all.length).toBeGreaterThanOrEqual(5)
    for (const s of all) expect(s).toMatch(/^import /m)
  })

  it('every TypeScript snippet type-checks under strict and exactOptionalPropertyTypes', () => {
    // under node_modules so that the snippets resolve the packages the project has installed
    const dir = join(root, 'node_modules', '.cache', 'krake-hooks-readme')
    rmSync(dir, { recursive: true, force: true })
    mkdirSync(dir, { recursive: true })
    const files = snippets().map((text, i) => {
      const name = `snippet-${i + 1}.ts`
      writeFileSync(join(dir, name), text)
      return name
    })
    writeFileSync(join(dir, 'placeholders.d.ts'), PLACEHOLDERS)
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: ['node'],
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          noEmit: true,
          paths: { 'krake-hooks': [join(root, 'dist', 'index.d.ts')] },
        },
        files: ['placeholders.d.ts', ...files],
      }),
    )
    let output = ''
    try {
      execFileSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], {
        encoding: 'utf8',
      })
    } catch (e) {
      output = String((e as { stdout?: unknown }).stdout ?? e)
    }
    expect(output).toBe('')
  }, 60_000)

  it('is a front door of at most 400 lines; the rest lives in docs/, which it links', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    expect(readme.split('\n').length).toBeLessThanOrEqual(400)
    for (const page of readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')))
      expect([page, readme.includes(`(docs/${page})`)]).toEqual([page, true])
  })

  it('the Errors table names every code of the HookErrorCode union, and nothing else', () => {
    const union = readFileSync(join(root, 'src/errors.ts'), 'utf8').match(/export type HookErrorCode =([\s\S]*?)\n\n/)
    const codes = [...(union?.[1] ?? '').matchAll(/\| '(ERR_[A-Z_]+)'/g)].map((m) => m[1])
    expect(codes.length).toBeGreaterThan(25)
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const start = readme.indexOf('\n## Errors\n')
    expect(start).toBeGreaterThan(0)
    const table = readme.slice(start, readme.indexOf('\n## ', start + 1))
    const named = new Set([...table.matchAll(/`(ERR_[A-Z_]+)`/g)].map((m) => m[1]))
    expect(codes.filter((c) => !named.has(c))).toEqual([])
    expect([...named].filter((c) => !codes.includes(c))).toEqual([])
  })
})
