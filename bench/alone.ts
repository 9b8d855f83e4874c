// One shape at one size, measured in a process of its own (bench/run.ts starts it):
// what a controller whose first large call is this one sees, free of what the bench's
// other rows taught V8 before. Prints one line of JSON after "RESULT ".
//   node --expose-gc --import tsx bench/alone.ts <small|realistic> <n> [time|deopts]
//
// time: medians of injectHook, a bare copy of its input and of its output, a GC before
// each sample, after WARMUP calls; and the young-generation collections (scavenges) that
// ran inside the injection's samples, per call.
// deopts: the same calls under --trace-deopt (bench/run.ts adds the flag): how many times
// V8 threw compiled code of the library away per call once warm. A walk whose code is
// tied to an object that dies with each call is thrown away at every collection; that
// cost a fifth of the call before 2026-12-03 (bench/README.md).
import { readFileSync } from 'node:fs'
import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks'
import { injectHook } from '../dist/index.js'
import { deepCopy, deployments, hook, smallDeployments } from './fixtures.js'
import { median, settle } from './lib.js'

const gc = (globalThis as { gc?: () => void }).gc
if (!gc) throw new Error('run with node --expose-gc')
const f = (n: string) => readFileSync(new URL(`../test/fixtures/pki/${n}`, import.meta.url), 'utf8')
const tls = { caBundlePem: f('root.pem') + f('intermediate.pem'), certPem: f('leaf.pem'), keyPem: f('leaf-key.pem') }
const [shape = 'small', count = '10000', what = 'time'] = process.argv.slice(2)
const input = (shape === 'small' ? smallDeployments : deployments)(Number(count))
const WARMUP = 5
const ROUNDS = 15

if (what === 'deopts') {
  for (let i = 0; i < WARMUP * 2; i++) {
    gc()
    injectHook(input, hook(tls))
  }
  console.log('WARM') // bench/run.ts counts the code thrown away after this line
  for (let i = 0; i < ROUNDS; i++) {
    gc()
    injectHook(input, hook(tls))
  }
  console.log(`RESULT ${JSON.stringify({ calls: ROUNDS })}`)
} else {
  const output = injectHook(input, hook(tls)).manifests
  const scavenges: Array<[start: number, duration: number]> = []
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>)
      if (e.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges.push([e.startTime, e.duration])
  })
  observer.observe({ entryTypes: ['gc'] })
  const fns: Record<string, () => unknown> = {
    inject: () => injectHook(input, hook(tls)),
    copyIn: () => deepCopy(input),
    copyOut: () => deepCopy(output),
  }
  const names = Object.keys(fns)
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  const windows: Record<string, Array<[number, number]>> = Object.fromEntries(names.map((n) => [n, []]))
  for (let i = 0; i < WARMUP; i++) for (const n of names) fns[n]!()
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length]!
      settle(100) // a full GC, and its sweeping done before the clock starts (bench/lib.ts)
      const start = performance.now()
      fns[name]!()
      const end = performance.now()
      times[name]!.push(end - start)
      windows[name]!.push([start, end])
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 50)) // the observer hears of the last collections
  observer.disconnect()
  // Scavenges inside each function's samples: how many per call, and their milliseconds per call
  // (the floor's copies pay for theirs too: a copy of 10,000 realistic Deployments overflows the
  // young generation just as the injection's output does).
  const inside = (name: string) => scavenges.filter(([t]) => windows[name]!.some(([s, e]) => t >= s && t <= e))
  const result = Object.fromEntries(names.map((n) => [n, median(times[n]!)]))
  const perCall = (name: string) => {
    const seen = inside(name)
    return { count: seen.length / ROUNDS, ms: seen.reduce((sum, [, d]) => sum + d, 0) / ROUNDS }
  }
  console.log(
    `RESULT ${JSON.stringify({
      ...result,
      scavengesPerCall: perCall('inject').count,
      scavengeMsPerCall: perCall('inject').ms,
      copyInScavengesPerCall: perCall('copyIn').count,
      copyInScavengeMsPerCall: perCall('copyIn').ms,
    })}`,
  )
}
