// Small timing helpers: medians over repeated runs, after a warm-up, so that
// one slow run on a shared machine does not decide a figure.
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** Median milliseconds of `fn` over `runs` runs after `warmup` runs. */
export function timeSync(fn: () => unknown, runs: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn()
  const t: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    fn()
    t.push(performance.now() - start)
  }
  return median(t)
}

export async function timeAsync(fn: () => Promise<unknown>, runs: number, warmup = 2): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn()
  const t: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await fn()
    t.push(performance.now() - start)
  }
  return median(t)
}

/** Interleaves two measurements so that machine noise hits both alike; returns their medians. */
export function compareSync(a: () => unknown, b: () => unknown, rounds: number): [number, number] {
  const ta: number[] = []
  const tb: number[] = []
  a()
  b()
  for (let i = 0; i < rounds; i++) {
    let s = performance.now()
    a()
    ta.push(performance.now() - s)
    s = performance.now()
    b()
    tb.push(performance.now() - s)
  }
  return [median(ta), median(tb)]
}

export interface Row {
  figure: string
  measured: string
  floor: string
  ratio: string
  goal: string
}

export function printTable(rows: Row[]): void {
  const cols: Array<keyof Row> = ['figure', 'measured', 'floor', 'ratio', 'goal']
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => r[c].length)))
  const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(width[i]!)).join(' | ') + ' |'
  console.log(line(cols))
  console.log('|' + width.map((w) => '-'.repeat(w + 2)).join('|') + '|')
  for (const r of rows) console.log(line(cols.map((c) => r[c])))
}

export const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2)) + ' ms'
export const ratio = (a: number, b: number) => (a / b).toFixed(2) + 'x'

const gc = (globalThis as { gc?: () => void }).gc

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/**
 * A full GC, then `ms` of sleep (Atomics.wait: the main thread sleeps, V8's
 * background threads go on) so that the collection's concurrent sweeping is
 * over before a sample starts. Without the sleep, on these 2-core machines,
 * the sweeping of what the previous samples left runs during the next one,
 * on the other core and lazily on ours: after the 100,000 rows, a 10,000
 * small call measured 39-48 ms and its input copy 17-24 ms right after
 * `gc()`, 18-19 ms and 8.5 ms after 100 ms of sleep (bench/README.md).
 */
export function settle(ms: number): void {
  if (!gc) throw new Error('run with node --expose-gc')
  gc()
  if (ms > 0) Atomics.wait(sleeper, 0, 0, ms)
}

/**
 * Medians of several functions measured in turns, the order rotating each
 * round so that none always runs after another's garbage. With `collect`,
 * a full GC runs before each sample (needs --expose-gc), so that no sample
 * pays for the garbage of the one before, and `settleMs` of sleep after it
 * (see settle; 0 to start right after the GC, as before 2026-12-03 evening);
 * without, they run back to back.
 */
export function compareMany(
  fns: Record<string, () => unknown>,
  rounds: number,
  collect: boolean,
  settleMs = 100,
): Record<string, number> {
  if (collect && !gc) throw new Error('run with node --expose-gc')
  const names = Object.keys(fns)
  const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (const n of names) fns[n]!() // warm up
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length]!
      if (collect) settle(settleMs)
      const start = performance.now()
      fns[name]!()
      times[name]!.push(performance.now() - start)
    }
  }
  return Object.fromEntries(names.map((n) => [n, median(times[n]!)]))
}
