import type { LoadRun } from './load';
import { fmt, printTable } from './stats';

export interface PhaseRow {
  name: string;
  run: LoadRun;
}

/** One line per load phase: throughput, latency percentiles and where the CPU went. */
export function printPhaseTable(rateHeader: string, rows: readonly PhaseRow[]): void {
  printTable([
    [
      'phase',
      'n',
      rateHeader,
      'p50 ms',
      'p90 ms',
      'p99 ms',
      'max ms',
      'srv cores',
      'srv ELU',
      'redis',
      'loadgen',
      'other',
    ],
    ...rows.map(({ name, run }) => [
      name,
      run.latency.count,
      fmt.rate(run.throughput),
      fmt.ms(run.latency.p50),
      fmt.ms(run.latency.p90),
      fmt.ms(run.latency.p99),
      fmt.ms(run.latency.max),
      fmt.cores(run.cpu.serverCores),
      fmt.cores(run.cpu.serverEventLoopUtilization),
      fmt.cores(run.cpu.redisCores),
      fmt.cores(run.cpu.loadCores),
      fmt.cores(run.cpu.otherCores),
    ]),
  ]);
}
