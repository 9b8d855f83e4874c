// One call's run of a hook over a manifest list: what the fast path
// (fast-path.ts) and the checked path (inject.ts) both record as they go, and
// the results it ends with. Both ways write into the same run, so that a list
// of which some manifests take one way and some the other sums up as one.
import type { Json } from '../lib/clone.js'
import { identityKey, refOf } from '../lib/kubernetes.js'
import type { HookResult } from '../types.js'
import type { ConflictPolicy } from './collisions.js'
import type { ManifestHead } from './head.js'
import type { Plan } from './plan.js'

type Path = Array<string | number>

/** Where a ConfigMap or Secret of the input is: its list, its index there, and its path in the input. */
export interface StoreAt {
  list: Json[]
  index: number
  path: Path
}

/** The key of a ConfigMap or Secret of the input in `HookRun.stores` (their apiVersion is v1). */
export const storeKey = (kind: string, namespace: string | undefined, name: string) =>
  identityKey(refOf('v1', kind, name, namespace))

/** How a run went: what the summary result that ends every result list says. */
export interface RunCounts {
  workloads: number
  containers: number
  objects: number
  notWorkload: number
  optedOut: number
  hookedAlready: number
  kept: number
}

/**
 * One call's run: the plan, and what both ways record as they go. An object
 * literal made by startRun, not a class instance, on purpose (bench/README.md,
 * "Why the code is shaped so": the run's shape).
 */
export interface HookRun {
  readonly plan: Plan
  readonly results: HookResult[]
  readonly counts: RunCounts
  /** Namespaces of the workloads, in order of first appearance ('' for none). */
  readonly namespaces: Set<string>
  /** The ConfigMaps and Secrets of the input, by storeKey: the hook's objects are settled with them. */
  readonly stores: Map<string, StoreAt>
  /** The head the fast path reads each manifest's identity into, lent anew for each (see readHead). */
  readonly head: ManifestHead
  readonly policy: ConflictPolicy
}

/** A fresh run of `plan`: its results begin with the warning of a forced endpoint scheme, if any. */
export function startRun(plan: Plan): HookRun {
  const results: HookResult[] = []
  const forced = forcedSchemeResult(plan)
  if (forced) results.push(forced)
  return {
    plan,
    results,
    counts: { workloads: 0, containers: 0, objects: 0, notWorkload: 0, optedOut: 0, hookedAlready: 0, kept: 0 },
    namespaces: new Set<string>(),
    stores: new Map<string, StoreAt>(),
    head: { apiVersion: '', kind: '', name: '', namespace: undefined },
    policy: { onConflict: plan.onConflict, results },
  }
}

function forcedSchemeResult(plan: Plan): HookResult | undefined {
  if (plan.forcedFrom === undefined) return undefined
  const to = plan.forcedFrom === 'http' ? 'https' : 'http'
  return {
    severity: 'warning',
    message: `the endpoint's scheme ${plan.forcedFrom} was changed to ${to} because TLS is ${to === 'https' ? 'on' : 'off'}`,
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** The summary result that ends every result list: what was hooked, and what was left alone and why. */
export function summaryOf(run: HookRun): HookResult {
  return { severity: 'info', message: summaryText(run.plan, run.counts) }
}

// Each plan's last summary text and the counts it says: a controller hooks application after application
// of the same shape, with a few hooks in turn, and each call would otherwise build the same text anew.
const lastSummary = new WeakMap<Plan, { counts: RunCounts; text: string }>()

const sameCounts = (a: RunCounts, b: RunCounts) =>
  a.workloads === b.workloads &&
  a.containers === b.containers &&
  a.objects === b.objects &&
  a.notWorkload === b.notWorkload &&
  a.optedOut === b.optedOut &&
  a.hookedAlready === b.hookedAlready &&
  a.kept === b.kept

function summaryText(plan: Plan, t: RunCounts): string {
  const last = lastSummary.get(plan)
  if (last !== undefined && sameCounts(last.counts, t)) return last.text
  const alone = t.notWorkload + t.optedOut + t.hookedAlready + t.kept
  const kept = t.kept > 0 ? `, ${t.kept} with its own entries kept (onConflict "keep")` : ''
  const text =
    `${plan.kind} hook: hooked ${plural(t.workloads, 'workload')} (${plural(t.containers, 'container')}), ` +
    `added ${plural(t.objects, 'object')}; left alone ${plural(alone, 'object')}: ` +
    `${t.notWorkload} not a workload, ${t.optedOut} opted out, ${t.hookedAlready} hooked already${kept}`
  lastSummary.set(plan, { counts: { ...t }, text })
  return text
}
