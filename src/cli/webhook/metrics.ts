// The webhook's Prometheus metrics: one registry per server, the process's
// defaults under krake_hooks_, and the four the webhook keeps.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** The webhook's metrics: reviews by outcome, their latency, reloads, and the HookConfigs served. */
export type WebhookMetrics = ReturnType<typeof webhookMetrics>

export function webhookMetrics() {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'krake_hooks_' })
  return {
    registry,
    reviews: new Counter({
      name: 'krake_hooks_webhook_reviews_total',
      help: 'AdmissionReviews answered, by outcome (patched, allowed, denied, error) and the reason nothing was patched',
      labelNames: ['outcome', 'reason'] as const,
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'krake_hooks_webhook_review_duration_seconds',
      help: 'Time from the request to the answer of an AdmissionReview',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    reloads: new Counter({
      name: 'krake_hooks_webhook_reloads_total',
      help: 'Readings of the HookConfig directory and the serving certificate that changed something, by what and result',
      labelNames: ['what', 'result'] as const,
      registers: [registry],
    }),
    configs: new Gauge({
      name: 'krake_hooks_webhook_hook_configs',
      help: 'HookConfigs in the set the webhook serves',
      registers: [registry],
    }),
  }
}
