// Run with --expose-gc (bench/run.ts does): the heap injection needs beyond its input.
// Prints JSON: the input's own heap size, the heap right after the call (before any
// forced GC: input + output + whatever garbage the call left), and what stays after GC.
import { readFileSync } from 'node:fs'
import { injectHook } from '../dist/index.js'
import { deployments, hook } from './fixtures.js'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')
const f = (n: string) => readFileSync(new URL(`../test/fixtures/pki/${n}`, import.meta.url), 'utf8')
const tls = { caBundlePem: f('root.pem') + f('intermediate.pem'), certPem: f('leaf.pem'), keyPem: f('leaf-key.pem') }
const n = Number(process.argv[2] ?? 10_000)

injectHook(deployments(10), hook(tls)) // load and warm the code first
gc()
const base = process.memoryUsage().heapUsed
const input = deployments(n)
gc()
const withInput = process.memoryUsage().heapUsed
const inputBytes = withInput - base
const result = injectHook(input, hook(tls))
const after = process.memoryUsage().heapUsed
gc()
const retained = process.memoryUsage().heapUsed
console.log(JSON.stringify({ n, inputBytes, peakBytes: after - base, retainedBytes: retained - base, objects: result.manifests.length }))
