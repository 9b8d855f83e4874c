// Run with --expose-gc (bench/run.ts does): the heap injection needs beyond its input.
// Prints JSON: the input's own heap size, the heap right after the call (before any
// forced GC: input + output + whatever garbage the call left), what the output retains,
// and what a bare deep copy of that same output retains.
//   node --expose-gc --import tsx bench/heap.ts [n] [small|realistic]
import { readFileSync } from 'node:fs'
import { injectHook } from '../dist/index.js'
import { deepCopy, deployments, hook, smallDeployments } from './fixtures.js'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')
const f = (n: string) => readFileSync(new URL(`../test/fixtures/pki/${n}`, import.meta.url), 'utf8')
const tls = { caBundlePem: f('root.pem') + f('intermediate.pem'), certPem: f('leaf.pem'), keyPem: f('leaf-key.pem') }
const n = Number(process.argv[2] ?? 10_000)
const make = process.argv[3] === 'small' ? smallDeployments : deployments

injectHook(make(10), hook(tls)) // load and warm the code first
deepCopy(make(10))
gc()
const base = process.memoryUsage().heapUsed
const input = make(n)
gc()
const withInput = process.memoryUsage().heapUsed
const inputBytes = withInput - base
const result: { manifests: object[] } = injectHook(input, hook(tls))
const after = process.memoryUsage().heapUsed
gc()
const outputBytes = process.memoryUsage().heapUsed - withInput
// the same output, copied bare: what an output of this content needs at the least. Weighed
// beside the output, which stays alive, and taken as the difference: dropping the output
// first and trusting the GC to have freed it made the copy look twice its weight (the
// output was still reachable, so "retained output 0.48x a bare copy" was really ~0.93x).
const copy: unknown = deepCopy(result.manifests)
gc()
const copyBytes = process.memoryUsage().heapUsed - withInput - outputBytes
console.log(
  JSON.stringify({
    n,
    inputBytes,
    peakBytes: after - base,
    outputBytes,
    copyBytes,
    objects: (copy as object[]).length,
    alive: result.manifests.length, // both stay reachable to the end: neither is freed before its weighing
  }),
)
