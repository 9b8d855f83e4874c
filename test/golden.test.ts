// Golden files: YAML in, YAML out. UPDATE_GOLDEN=1 rewrites the .out.yaml files;
// review the diff before committing it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { injectHook, parseManifests, stringifyManifests, type HookSpec } from '../src/index.js'
import { fixtureTls } from './helpers.js'
import { referenceInject } from './inject/reference.js'

const dir = new URL('./golden/', import.meta.url)
const hook: HookSpec = {
  kind: 'complete',
  app: { name: 'nginx-demo', namespace: 'secondary' },
  apiEndpoint: 'https://krake-api:8443',
  token: 'golden-token-0123456789abcdefghijklmnopqrstu',
  tls: fixtureTls(),
}

describe('golden files', () => {
  it.each(['job', 'deployment', 'unchanged'])('injectHook(%s.in.yaml) gives %s.out.yaml byte for byte', (name) => {
    const input = readFileSync(new URL(`${name}.in.yaml`, dir), 'utf8')
    const out = stringifyManifests(injectHook(parseManifests(input), hook).manifests)
    const goldenUrl = new URL(`${name}.out.yaml`, dir)
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(goldenUrl, out)
    expect(
      existsSync(goldenUrl),
      `${name}.out.yaml is missing: run UPDATE_GOLDEN=1 npx vitest run test/golden.test.ts`,
    ).toBe(true)
    expect(out).toBe(readFileSync(goldenUrl, 'utf8'))
  })

  // The same files through the reference (clone the whole list, then the checked path alone): the
  // golden output is what the straightforward way makes, not only what the fast path makes.
  it.each(['job', 'deployment', 'unchanged'])('the reference injection of %s.in.yaml gives %s.out.yaml too', (name) => {
    const input = readFileSync(new URL(`${name}.in.yaml`, dir), 'utf8')
    const out = stringifyManifests(referenceInject(parseManifests(input), hook).manifests)
    expect(out).toBe(readFileSync(new URL(`${name}.out.yaml`, dir), 'utf8'))
  })

  it('the unchanged case really is unchanged', () => {
    const input = parseManifests(readFileSync(new URL('unchanged.in.yaml', dir), 'utf8'))
    expect(parseManifests(readFileSync(new URL('unchanged.out.yaml', dir), 'utf8'))).toEqual(input)
  })
})
