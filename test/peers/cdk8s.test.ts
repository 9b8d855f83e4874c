// cdk8s: a chart's synthesised manifests hooked with injectHook, and the same
// hook applied inside the chart with ApiObject.addJsonPatch(hookPatch(...)).
import { ApiObject, Chart, JsonPatch, Testing } from 'cdk8s'
import { describe, expect, it } from 'vitest'
import { hookPatch, injectHook, type JsonPatchOperation } from '../../src/index.js'
import { fixtureTls, podSpecOf, spec } from '../helpers.js'

const hook = spec({
  app: { name: 'report', namespace: 'krake' },
  apiEndpoint: 'https://krake-api:8443',
  tls: fixtureTls(),
})

function reportChart() {
  const app = Testing.app()
  const chart = new Chart(app, 'jobs', { namespace: 'batch', labels: { team: 'reports' } })
  const job = new ApiObject(chart, 'report', {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'report' },
    spec: {
      backoffLimit: 2,
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'report', image: 'busybox:1.36', command: ['sh', '-c', 'make-report'] }],
        },
      },
    },
  })
  new ApiObject(chart, 'svc', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'report' },
    spec: { ports: [{ port: 80 }] },
  })
  return { chart, job }
}

/** cdk8s's own JsonPatch for one RFC 6902 operation. */
function toCdk8s(op: JsonPatchOperation): JsonPatch {
  if (op.op === 'add') return JsonPatch.add(op.path, op.value)
  if (op.op === 'replace') return JsonPatch.replace(op.path, op.value)
  return JsonPatch.remove(op.path)
}

describe('cdk8s', () => {
  it("injectHook(Testing.synth(chart)) hooks the chart's Job in the chart's namespace and leaves its Service alone", () => {
    const { chart } = reportChart()
    const synthed = Testing.synth(chart)
    const { manifests } = injectHook(synthed, hook)
    expect(manifests.map((m) => `${m.kind}/${m.metadata?.namespace}/${m.metadata?.name}`)).toEqual([
      'Job/batch/report',
      'Service/batch/report',
      'ConfigMap/batch/report-krake-configmap',
    ])
    expect(podSpecOf(manifests[0]!).containers[0].env.map((e: { name: string }) => e.name)).toEqual([
      'KRAKE_TOKEN',
      'KRAKE_COMPLETE_URL',
    ])
    expect(manifests[1]).toEqual(synthed[1])
  })

  it('ApiObject.addJsonPatch(hookPatch(...)) plus the objects as ApiObjects synthesise to what injectHook returns', () => {
    const expected = injectHook(Testing.synth(reportChart().chart), hook).manifests

    const { chart, job } = reportChart()
    const [jobManifest] = Testing.synth(chart)
    const { patch, objects } = hookPatch(jobManifest, hook)
    job.addJsonPatch(...patch.map(toCdk8s))
    for (const o of objects) new ApiObject(chart, `${o.kind}-${o.metadata?.name}`, o)
    // a chart puts its labels on every object in it, the hook's ConfigMap too
    const withChartLabels = expected.map((m) =>
      m.kind === 'ConfigMap'
        ? { ...m, metadata: { ...m.metadata, labels: { ...m.metadata?.labels, team: 'reports' } } }
        : m,
    )
    expect(Testing.synth(chart)).toEqual(withChartLabels)
  })
})
