import { Counter, type Registry } from 'prom-client';

const NAME = 'tokentill_bill_differences_total';

/**
 * `tokentill_bill_differences_total{kind}`: differences between WeChat Pay's bills and the ledger, counted once
 * each (a second run for the same day counts nothing), plus `bill_unverified` for a bill whose download failed
 * its hash check. Registered once per registry, beside the process's other metrics.
 */
export function billDifferencesCounter(registry: Registry): Counter<'kind'> {
  const existing = registry.getSingleMetric(NAME);
  if (existing) return existing as Counter<'kind'>;
  return new Counter({
    name: NAME,
    help: "Differences found between WeChat Pay's trade/refund bills and the ledger, by kind.",
    labelNames: ['kind'] as const,
    registers: [registry],
  });
}
